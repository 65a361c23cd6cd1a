"""The audit log records who did what and when, and only analysts and admins can read it."""

import pytest
from django.contrib.auth.models import Group, User

from indicators.models import AuditEvent, Domain, Partner
from tests.cast import make_user

PASSWORD = "correct-horse-battery"
LOG = "/admin/indicators/auditevent/"


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_sign_ins_successful_and_failed_and_sign_outs(client, viewer):
    client.post("/accounts/login/", {"username": viewer.username, "password": "nope"},
                REMOTE_ADDR="10.1.2.3")  # fmt: skip
    client.post("/admin/login/", {"username": "nobody", "password": "nope"})
    client.post("/accounts/login/", {"username": viewer.username, "password": PASSWORD},
                REMOTE_ADDR="10.1.2.3")  # fmt: skip
    client.post("/accounts/logout/")
    failed = events("login_failed")
    assert [(event.username, event.user) for event in failed] == [
        (viewer.username, None),
        ("nobody", None),
    ]
    assert failed[0].ip_address == "10.1.2.3"
    (login,) = events("login")
    assert login.user == viewer and login.username == viewer.username
    assert login.ip_address == "10.1.2.3" and login.at is not None
    assert events("logout")[0].user == viewer


def test_registry_create_change_delete_in_the_admin(client, analyst):
    client.force_login(analyst)
    response = client.post(
        "/admin/indicators/domain/add/",
        {"code": "PRV", "name": "Prevention", "reporting_question": "Are we preventing?",
         "lead_forum": "", "order": 3},
    )  # fmt: skip
    assert response.status_code == 302, response.text[:3000]
    domain = Domain.objects.get(code="PRV")
    (created,) = events("created")
    assert (created.user, created.object_type, created.object_id) == (
        analyst,
        "indicators.Domain",
        str(domain.pk),
    )
    client.post(
        f"/admin/indicators/domain/{domain.pk}/change/",
        {"code": "PRV", "name": "Prevention first", "reporting_question": "Are we preventing?",
         "lead_forum": "", "order": 3},
    )  # fmt: skip
    (changed,) = events("changed")
    assert changed.user == analyst
    assert changed.details == {"changed": {"name": ["Prevention", "Prevention first"]}}
    client.post(f"/admin/indicators/domain/{domain.pk}/delete/", {"post": "yes"})
    (deleted,) = events("deleted")
    assert deleted.object_repr.startswith("PRV") or "Prevention" in deleted.object_repr
    assert deleted.user == analyst


def test_saving_without_a_change_records_nothing(db):
    partner = Partner.objects.create(name="North Somerset Council")
    AuditEvent.objects.all().delete()
    partner.save()
    assert not AuditEvent.objects.exists()


def test_role_changes_are_recorded_both_ways(db, administrator, client):
    user = make_user("newcomer", "viewer")
    analysts = Group.objects.get(name="analyst")
    user.groups.add(analysts)
    analysts.user_set.remove(user)
    user.groups.clear()
    roles = [event for event in events("roles") if event.object_repr == "newcomer"]
    assert [event.details for event in roles] == [
        {"added": ["viewer"]}, {"added": ["analyst"]}, {"removed": ["analyst"]},
        {"removed": ["viewer"]},
    ]  # fmt: skip
    assert all(event.user is None for event in roles)  # no request: done by a command
    # Through the admin, the administrator who did it is recorded.
    client.force_login(administrator)
    response = client.post(
        f"/admin/auth/user/{user.pk}/change/",
        {"username": "newcomer", "is_active": "on", "is_staff": "on",
         "groups": [analysts.pk], "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
         "initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "09:00:00"},
    )  # fmt: skip
    assert response.status_code == 302, response.text[:3000]
    added = AuditEvent.objects.filter(action="roles").latest("id")
    assert added.user == administrator and added.details == {"added": ["analyst"]}
    account = AuditEvent.objects.filter(action="user", object_id=str(user.pk)).latest("id")
    assert account.user == administrator
    assert account.details["changed"]["is_staff"] == [False, True]


def test_a_password_change_is_recorded_without_the_password(db):
    user = User.objects.create_user("pat", password="first-password-123")
    user.set_password("second-password-456")
    user.save()
    event = AuditEvent.objects.filter(action="user").latest("id")
    assert event.details == {"changed": {"password": "changed"}}


# --- Who can read it ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["analyst", "administrator"])
def test_analysts_and_admins_read_the_log(client, request, who, viewer):
    user = request.getfixturevalue(who)
    client.post("/accounts/login/", {"username": viewer.username, "password": "nope"})
    client.force_login(user)
    response = client.get(LOG)
    assert response.status_code == 200 and "Sign-in failed" in response.text
    assert client.get(LOG + "?action__exact=login_failed&q=vera").status_code == 200
    event = AuditEvent.objects.get(action="login_failed")
    assert client.get(f"{LOG}{event.pk}/change/").status_code == 200  # read-only view
    assert client.get(f"{LOG}add/").status_code == 403
    assert client.post(f"{LOG}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_viewers_and_owners_cannot_read_the_log(client, viewer, owner):
    for user in (viewer, owner):
        client.force_login(user)
        response = client.get(LOG)
        assert response.status_code == 302 and "/login/" in response["Location"]
        user.is_staff = True  # even if someone makes them staff, the role has no permission
        user.save()
        assert client.get(LOG).status_code == 403
