from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError


def test_roles_exist_with_their_permissions(db):
    roles = {group.name: group for group in Group.objects.all()}
    assert set(roles) >= {"viewer", "owner", "analyst", "admin"}

    def codenames(role):
        return set(roles[role].permissions.values_list("codename", flat=True))

    assert "view_indicator" in codenames("viewer") and "change_indicator" not in codenames("viewer")
    assert "change_commentary" in codenames("owner") and "change_indicator" not in codenames(
        "owner"
    )
    assert {"change_indicator", "add_area", "change_target"} <= codenames("analyst")
    assert "change_user" not in codenames("analyst")
    assert {"change_user", "change_group"} <= codenames("admin")


def test_demo_users_are_created_only_with_debug(db, settings, monkeypatch):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG"):
        call_command("load_demo")
    assert not User.objects.exists()
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "a-demo-password-for-tests")
    out = StringIO()
    call_command("load_demo", "--no-data", stdout=out)
    assert "a-demo-password-for-tests" in out.getvalue()
    for username, role in [("lead", "viewer"), ("manager", "viewer"), ("owner", "owner"),
                           ("analyst", "analyst"), ("admin", "admin")]:  # fmt: skip
        user = User.objects.get(username=username)
        assert user.check_password("a-demo-password-for-tests")
        assert list(user.groups.values_list("name", flat=True)) == [role]
    assert User.objects.get(username="analyst").is_staff
    assert not User.objects.get(username="lead").is_staff
