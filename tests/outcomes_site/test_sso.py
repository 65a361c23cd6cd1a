"""Single sign-on against a real OpenID Connect provider on loopback (tests/oidc_provider.py).

Our side runs in Django's test client; every call it makes to the provider (discovery,
token, JWKS, userinfo) goes over HTTP to the provider's server thread, and the person's part
at the provider is its own authorisation form, posted."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client

from indicators.models import AuditAction, AuditEvent, Partner, PartnerMembership
from indicators.roles import roles_of
from outcomes_site.env import RoleGrant, SingleSignOn
from outcomes_site.middleware import SIGNED_IN_AT
from outcomes_site.models import SingleSignOnIdentity
from tests.cast import make_user
from tests.oidc_provider import TestProvider
from tests.private_services import free_port

ROLE_MAP = (
    RoleGrant("outcomes-board", "viewer"),
    RoleGrant("outcomes-analysts", "analyst"),
    RoleGrant("outcomes-owners-council", "owner", "Bristol City Council"),
    RoleGrant("outcomes-owners-nowhere", "owner", "No Such Trust"),
)
BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "outcomes_site.sso.PasswordBackend",
    "outcomes_site.sso.SingleSignOnBackend",
]


@pytest.fixture
def provider():
    provider = TestProvider().start()
    yield provider
    provider.stop()


def single_sign_on(settings, issuer: str, **options) -> SingleSignOn:
    settings.SINGLE_SIGN_ON = SingleSignOn(
        issuer=issuer, client_id="outcomes-test", client_secret="test-secret",
        role_map=ROLE_MAP, **options,
    )  # fmt: skip
    settings.AUTHENTICATION_BACKENDS = BACKENDS
    return settings.SINGLE_SIGN_ON


@pytest.fixture
def sso(settings, provider, db):
    Partner.objects.create(name="Bristol City Council")
    return single_sign_on(settings, provider.issuer)


def start(client: Client) -> str:
    response = client.get("/oidc/authenticate/?next=/programmes/")
    assert response.status_code == 302, response.content
    return response["Location"]


def sign_in(client: Client, provider: TestProvider, sub: str):
    """The whole flow: our redirect, the person's consent at the provider, the callback."""
    callback = provider.authorize(start(client), sub)
    parts = urlsplit(callback)
    assert parts.path == "/oidc/callback/"
    return client.get(f"{parts.path}?{parts.query}"), f"{parts.path}?{parts.query}"


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_authorisation_request_carries_state_nonce_and_a_pkce_challenge(client, sso):
    query = parse_qs(urlsplit(start(client)).query)
    assert query["response_type"] == ["code"] and query["scope"] == ["openid email profile"]
    assert query["code_challenge_method"] == ["S256"]
    assert {"state", "nonce", "code_challenge"} <= set(query)


def test_sign_in_gives_the_roles_the_groups_map_to(client, sso, provider):
    provider.set_user("ana", email="ana@example.nhs.uk", groups=["outcomes-analysts", "other"])
    response, _ = sign_in(client, provider, "ana")
    assert response.status_code == 302 and response["Location"] == "/programmes/"
    user = User.objects.get(sso_identities__subject="ana", sso_identities__issuer=provider.issuer)
    assert roles_of(user) == {"analyst"} and user.is_staff
    assert user.email == "ana@example.nhs.uk"
    assert client.get("/").status_code == 200
    # Session expiry and the audit log see this sign-in like a password one.
    assert client.session[SIGNED_IN_AT] > 0
    event = AuditEvent.objects.filter(action=AuditAction.LOGIN).get()
    assert event.user == user and event.details == {"provider": provider.issuer}


def test_a_group_change_at_the_provider_changes_the_role_at_the_next_sign_in(client, sso, provider):
    provider.set_user("sam", email="sam@example.nhs.uk", groups=["outcomes-analysts"])
    sign_in(client, provider, "sam")
    client.post("/accounts/logout/")
    provider.set_user("sam", email="sam@example.nhs.uk", groups=["outcomes-board"])
    sign_in(client, provider, "sam")
    user = User.objects.get(username="sam@example.nhs.uk")
    assert roles_of(user) == {"viewer"} and not user.is_staff
    client.post("/accounts/logout/")
    provider.set_user("sam", email="sam@example.nhs.uk", groups=["somewhere-else"])
    sign_in(client, provider, "sam")
    user = User.objects.get(username="sam@example.nhs.uk")
    assert roles_of(user) == frozenset()  # never a role by default
    response = client.get("/")
    assert response.status_code == 403 and "no role" in response.text
    assert User.objects.count() == 1


def test_an_owner_gets_their_partner_and_loses_it_with_the_role(client, sso, provider):
    provider.set_user("olu", email="olu@example.gov.uk", groups=["outcomes-owners-council"])
    sign_in(client, provider, "olu")
    user = User.objects.get(username="olu@example.gov.uk")
    assert roles_of(user) == {"owner"}
    assert PartnerMembership.objects.get(user=user).partner.name == "Bristol City Council"
    client.post("/accounts/logout/")
    provider.set_user("olu", email="olu@example.gov.uk", groups=["outcomes-board"])
    sign_in(client, provider, "olu")
    assert not PartnerMembership.objects.filter(user=user).exists()


def test_an_owner_mapped_to_a_partner_we_do_not_have_is_refused(client, sso, provider):
    provider.set_user("nia", email="nia@example.nhs.uk", groups=["outcomes-owners-nowhere"])
    response, _ = sign_in(client, provider, "nia")
    assert response.status_code == 403
    assert "partner organisation Outcomes does not have" in response.text
    assert not signed_in(client) and not User.objects.filter(username__startswith="nia").exists()


@pytest.mark.parametrize(
    "misbehaviour, says, reason",
    [
        ("bad_signature", "signature did not match", "signature"),
        ("wrong_audience", "issued for another application", "audience"),
        ("expired", "token had expired", "expired"),
        ("wrong_nonce", "did not belong to this sign-in", "nonce"),
    ],
)
def test_a_token_that_fails_a_check_is_refused_with_a_page_and_no_session(
    client, sso, provider, misbehaviour, says, reason
):
    provider.set_user("eve", email="eve@example.nhs.uk", groups=["outcomes-analysts"])
    provider.misbehave = misbehaviour
    response, _ = sign_in(client, provider, "eve")
    assert response.status_code == 403
    assert "You have not been signed in" in response.text and says in response.text
    assert not signed_in(client)
    assert client.get("/").status_code == 302  # to the sign-in page
    assert not User.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.details["provider"] == provider.issuer and event.details["reason"] == reason


def test_the_same_provider_reply_is_refused_the_second_time(client, sso, provider):
    provider.set_user("ana", email="ana@example.nhs.uk", groups=["outcomes-analysts"])
    response, callback = sign_in(client, provider, "ana")
    assert response.status_code == 302
    client.post("/accounts/logout/")
    for browser in (client, Client()):  # the same browser later, and someone else's
        response = browser.get(callback)
        assert response.status_code == 403 and "did not match a sign-in started" in response.text
        assert not signed_in(browser)
    reasons = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert [event.details["reason"] for event in reasons] == ["state", "state"]


def test_a_state_still_in_the_session_but_used_is_refused(client, sso, provider):
    """Two sign-ins started in one browser: the first reply, replayed after the second
    sign-in, finds its state gone."""
    provider.set_user("ana", email="ana@example.nhs.uk", groups=["outcomes-board"])
    response, callback = sign_in(client, provider, "ana")
    start(client)  # another state in this session
    response = client.get(callback)
    assert response.status_code == 403 and "did not match a sign-in started" in response.text
    assert not signed_in(client)


def test_the_provider_checks_our_pkce_verifier(client, sso, provider):
    provider.set_user("ana", email="ana@example.nhs.uk", groups=["outcomes-board"])
    callback = provider.authorize(start(client), "ana")
    session = client.session
    for entry in session["oidc_states"].values():
        entry["code_verifier"] = "x" * 64  # not the verifier of the challenge we sent
    session.save()
    parts = urlsplit(callback)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 403 and "did not accept the sign-in code" in response.text
    assert not signed_in(client)


def test_an_error_from_the_provider_is_a_page_not_a_session(client, sso, provider):
    location = start(client)
    state = parse_qs(urlsplit(location).query)["state"][0]
    response = client.get(f"/oidc/callback/?error=access_denied&state={state}")
    assert response.status_code == 403 and "did not sign you in" in response.text
    assert not signed_in(client)


def test_a_provider_that_is_down_gives_a_clear_page(client, settings, db):
    single_sign_on(settings, f"http://127.0.0.1:{free_port()}")
    response = client.get("/oidc/authenticate/")
    assert response.status_code == 503 and "cannot be reached" in response.text


def test_a_provider_that_goes_down_during_the_sign_in_gives_a_clear_page(client, sso, provider):
    provider.set_user("ana", email="ana@example.nhs.uk", groups=["outcomes-board"])
    callback = provider.authorize(start(client), "ana")
    provider.stop()
    parts = urlsplit(callback)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 503 and "cannot be reached" in response.text
    assert not signed_in(client)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.details == {"provider": provider.issuer, "reason": "unavailable"}


def test_tenants_not_listed_are_refused(client, settings, provider, db):
    single_sign_on(settings, provider.issuer, allowed_tenants=("tenant-a",))
    provider.set_user("ana", email="ana@example.nhs.uk", tid="tenant-b", groups=["outcomes-board"])
    response, _ = sign_in(client, provider, "ana")
    assert response.status_code == 403 and "not one of those allowed" in response.text
    provider.set_user("ana", email="ana@example.nhs.uk", tid="tenant-a", groups=["outcomes-board"])
    response, _ = sign_in(client, provider, "ana")
    assert response.status_code == 302 and signed_in(client)


# --- Linking to existing accounts ------------------------------------------------------------


def test_a_verified_email_links_the_existing_account(client, sso, provider):
    existing = make_user("vera", "viewer")
    existing.email = "Vera@Example.nhs.uk"
    existing.save()
    provider.set_user(
        "v-1", email="vera@example.nhs.uk", email_verified=True, groups=["outcomes-board"]
    )
    sign_in(client, provider, "v-1")
    assert int(client.session["_auth_user_id"]) == existing.pk
    assert SingleSignOnIdentity.objects.get().user == existing


def test_an_unverified_email_never_links(client, sso, provider):
    existing = make_user("vera", "analyst", staff=True)
    existing.email = "vera@example.nhs.uk"
    existing.save()
    provider.set_user("v-1", email="vera@example.nhs.uk", groups=["outcomes-board"])
    sign_in(client, provider, "v-1")
    user = User.objects.get(pk=client.session["_auth_user_id"])
    assert user != existing and roles_of(user) == {"viewer"}
    assert roles_of(User.objects.get(pk=existing.pk)) == {"analyst"}


@pytest.mark.parametrize("kind", ["admin role", "superuser"])
def test_an_admin_account_is_never_linked_by_email(client, sso, provider, kind):
    if kind == "superuser":
        admin = User.objects.create_superuser("root", "ada@example.nhs.uk", "correct-horse-battery")
    else:
        admin = make_user("ada", "admin", staff=True)
        admin.email = "ada@example.nhs.uk"
        admin.save()
    provider.set_user(
        "a-1", email="ada@example.nhs.uk", email_verified=True, groups=["outcomes-analysts"]
    )
    response, _ = sign_in(client, provider, "a-1")
    assert response.status_code == 403 and "administrator must link it" in response.text
    assert not signed_in(client) and not SingleSignOnIdentity.objects.exists()
    # An administrator's own action links it: then the identity signs in to that account.
    SingleSignOnIdentity.objects.create(user=admin, issuer=provider.issuer, subject="a-1")
    sign_in(client, provider, "a-1")
    assert int(client.session["_auth_user_id"]) == admin.pk


# --- Sign-out, local accounts, lockouts ----------------------------------------------------


def test_sign_out_ends_our_session_and_offers_the_providers(client, sso, provider):
    provider.set_user("ana", email="ana@example.nhs.uk", groups=["outcomes-board"])
    sign_in(client, provider, "ana")
    id_token = client.session["oidc_id_token"]
    response = client.post("/accounts/logout/")
    assert response.status_code == 200 and not signed_in(client)
    link = response.context["provider_sign_out"]
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{provider.issuer}/oauth2/end_session"
    assert parse_qs(parts.query) == {
        "client_id": ["outcomes-test"],
        "post_logout_redirect_uri": ["http://testserver/accounts/login/"],
        "id_token_hint": [id_token],
    }
    assert requests.get(link, timeout=5).status_code == 200  # the provider's sign-out page
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT).count() == 1


def test_password_sign_out_is_as_before(client, sso, viewer):
    client.post(
        "/accounts/login/", {"username": viewer.username, "password": "correct-horse-battery"}
    )
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_the_sign_in_page_offers_the_button_beside_the_form(client, sso):
    page = client.get("/accounts/login/?next=/programmes/").text
    assert "Sign in with your organisation&#x27;s account" in page
    assert 'href="/oidc/authenticate/?next=/programmes/"' in page
    assert 'name="password"' in page


def test_without_local_accounts_only_the_break_glass_superuser_uses_a_password(
    client, sso, settings, viewer
):
    settings.LOCAL_LOGIN = False
    User.objects.create_superuser("breakglass", "", "correct-horse-battery")
    page = client.get("/accounts/login/").text
    assert 'name="password"' not in page and "/oidc/authenticate/" in page
    for path in ["/accounts/login/", "/admin/login/"]:
        response = client.post(
            path, {"username": viewer.username, "password": "correct-horse-battery"}
        )
        assert response.status_code == 200 and not signed_in(client)
    page = client.get("/accounts/login/?break-glass=1").text
    assert 'name="password"' in page and "break-glass" in page
    response = client.post(
        "/accounts/login/?break-glass=1",
        {"username": "breakglass", "password": "correct-horse-battery"},
    )
    assert response.status_code == 302 and signed_in(client)


def test_repeated_failed_single_sign_ons_lock_out_that_address(client, sso, provider, settings):
    settings.AXES_FAILURE_LIMIT = 3
    provider.set_user("ana", email="ana@example.nhs.uk", groups=["outcomes-board"])
    provider.misbehave = "bad_signature"
    statuses = [sign_in(client, provider, "ana")[0].status_code for _ in range(3)]
    assert statuses == [403, 403, 429]  # the third failure locks the address out
    assert AccessAttempt.objects.get().failures_since_start == 3
    provider.misbehave = None  # even a good sign-in now waits for the cool-off
    response, _ = sign_in(client, provider, "ana")
    assert response.status_code == 429 and "Too many failed sign-ins" in response.text
    assert not signed_in(client)


def test_without_single_sign_on_nothing_changes(client, db):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    page = client.get("/accounts/login/").text
    assert "organisation" not in page and 'name="password"' in page
