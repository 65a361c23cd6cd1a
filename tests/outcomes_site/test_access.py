"""The permission matrix (README, "Roles"), walked over every URL the project has.

The routes come from the URL configuration, so a new URL without a rule here fails
``test_every_route_has_a_rule``, and every route is requested as an anonymous visitor (with
public read off and on), a signed-in user with no role, and each of the four roles."""

import re

import pytest
from axes.models import AccessFailureLog
from django.apps import apps
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from indicators.models import Partner, PartnerMembership, Programme
from outcomes_site.models import SingleSignOnIdentity
from tests.cast import make_user


def walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            child_namespace = pattern.namespace or namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), child_namespace)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern.name


ROUTES = sorted(set(walk(get_resolver().url_patterns)))

# What a route's arguments are filled with: real objects where the route names one, so the
# allowed roles get the page itself rather than a 404.
ARGUMENTS = {"code": None, "chart": "trend", "page": "compare"}
CODES = {
    "domain_detail": "OVR",
    "indicator_detail": "PRV01",
    "indicator_csv": "PRV01",
    "narrative_edit": "PRV01",
    "programme_detail": "PRG1",
}

USERS = ["anonymous", "public", "no_role", "viewer", "owner", "analyst", "admin"]
EVERYONE = set(USERS)
READERS = {"public", "viewer", "owner", "analyst", "admin"}
STAFF = {"analyst", "admin"}

# Rules by (namespace, name); the admin's model pages by the model's app.
RULES = {
    ("", "login"): EVERYONE,
    ("", "logout"): EVERYONE,
    ("", "healthz"): EVERYONE,
    # Single sign-on: the provider's reply arrives without a session of ours.
    ("", "oidc_authentication_init"): EVERYONE,
    ("", "oidc_authentication_callback"): EVERYONE,
    ("", "narrative_edit"): {"owner", "analyst", "admin"},
    ("admin", "login"): EVERYONE,
    ("admin", "logout"): {"viewer", "owner", "analyst", "admin"},
    ("admin", "jsi18n"): STAFF,
    ("admin", "index"): STAFF,
    ("admin", "app_list"): STAFF,
    ("admin", "view_on_site"): STAFF,
    # Disabled for everyone: autocomplete without its query, and values or extracts changed
    # by hand (they come only through the pipeline, and a revert undoes an extract).
    ("admin", "autocomplete"): set(),
    ("admin", "indicators_observation_add"): set(),
    ("admin", "indicators_observation_delete"): set(),
    ("admin", "indicators_extract_delete"): set(),
    # The audit log and the sign-in records are written by the system, never by hand.
    ("admin", "indicators_auditevent_add"): set(),
    ("admin", "indicators_auditevent_delete"): set(),
    ("admin", "axes_accessattempt_add"): set(),
    ("admin", "axes_accessfailurelog_add"): set(),
    ("admin", "axes_accesslog_add"): set(),
    ("admin", "password_change"): STAFF,
    ("admin", "password_change_done"): STAFF,
}
READ_PAGES = {
    "home", "board_pack", "domain_detail", "indicator_detail", "indicator_csv",
    "programme_list", "programme_detail", "summary_icons", "summary_icons_csv",
    "board_pack_request", "board_pack_status", "board_pack_download",
}  # fmt: skip
MODEL_APPS = {
    "auth": {"admin"}, "axes": {"admin"}, "outcomes_site": {"admin"},
    "indicators": STAFF, "ingest": STAFF,
}  # fmt: skip


def rule_for(namespace: str, name: str | None, route: str) -> set[str] | None:
    if (namespace, name) in RULES:
        return RULES[(namespace, name)]
    if namespace in {"explorer", "api"} or (namespace == "" and name in READ_PAGES):
        return READERS
    if namespace == "admin" and name is None:
        # The catch-all, and each model's object shortcut, which only redirects to the
        # object's change page (checked under its own name).
        return STAFF
    if namespace == "admin":
        # By app label, which may itself hold an underscore (outcomes_site).
        return next(
            (roles for app, roles in MODEL_APPS.items() if name.startswith(f"{app}_")), None
        )
    return None


def sample_path(route: str, name: str) -> str:
    """A concrete path for the route, with real codes where it takes one."""
    route = route.replace("^", "").replace("$", "").replace("\\Z", "")

    def argument(match):
        key = match.group(1)
        if key == "code":
            return CODES.get(name, "1")
        if key in {"object_id", "id"}:
            return existing_pk(route)
        return ARGUMENTS.get(key) or "1"

    route = re.sub(r"<(?:\w+:)?(\w+)>", argument, route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", argument, route)
    return "/" + route.replace("\\", "")


def existing_pk(route: str) -> str:
    """The primary key of a real object of the admin page's model (so that a permission
    check, not a missing object, decides the answer), or 1 if there is none."""
    parts = route.split("/")
    try:
        model = apps.get_model(parts[1], parts[2])
    except (LookupError, IndexError, ValueError):
        return "1"
    pk = model.objects.order_by("pk").values_list("pk", flat=True).first()
    return str(pk or 1)


def test_every_route_has_a_rule():
    missing = [
        (namespace, name, route)
        for route, namespace, name in ROUTES
        if rule_for(namespace, name, route) is None
    ]
    assert not missing, f"Routes without an access rule (add them to RULES): {missing}"


def test_the_walk_finds_the_pages():
    names = {name for _, _, name in ROUTES}
    assert {"home", "indicator_detail", "login", "logout", "healthz", "board_pack"} <= names
    assert any(
        namespace == "admin" and (name or "").startswith("auth_user")
        for _, namespace, name in ROUTES
    )


@pytest.fixture
def cast(db, framework, settings):
    council = Partner.objects.get(name="Bristol City Council")
    Programme.objects.create(code="PRG1", name="Smoking", description="A programme.")
    owner = make_user("owen_owner", "owner")
    PartnerMembership.objects.create(user=owner, partner=council)
    SingleSignOnIdentity.objects.create(user=owner, issuer="https://idp.example", subject="owen")
    # One failed and one good sign-in, so the sign-in records have rows to open.
    Client().post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    AccessFailureLog.objects.create(username="nobody", ip_address="127.0.0.1", locked_out=False)
    Client().post(
        "/accounts/login/", {"username": "owen_owner", "password": "correct-horse-battery"}
    )
    return {
        "no_role": make_user("nora_norole", None),
        "viewer": make_user("vera_viewer", "viewer"),
        "owner": owner,
        "analyst": make_user("ana_analyst", "analyst"),
        "admin": make_user("ada_admin", "admin"),
    }


def denied(response) -> bool:
    if response.status_code in {401, 403}:
        return True
    location = response.get("Location", "") if response.status_code == 302 else ""
    return location.startswith(("/accounts/login/", "/admin/login/"))


@pytest.mark.parametrize("who", USERS)
def test_every_url_answers_each_role_as_the_matrix_says(client, cast, settings, who):
    settings.PUBLIC_READ = who == "public"
    if who in cast:
        client.force_login(cast[who])
    wrong = []
    for route, namespace, name in ROUTES:
        allowed = who in rule_for(namespace, name, route)
        path = sample_path(route, name)
        response = client.get(path)
        assert response.status_code < 500, f"{path} gave {response.status_code} to {who}"
        if allowed == denied(response):
            wrong.append(f"{path} ({namespace}:{name}) → {response.status_code} "
                         f"{response.get('Location', '')} for {who}, expected "
                         f"{'allowed' if allowed else 'denied'}")  # fmt: skip
    assert not wrong, "\n".join(wrong)


def test_a_role_is_what_grants_the_admin_site(cast):
    analyst = User.objects.get(username="ana_analyst")
    assert analyst.is_staff  # given by the analyst role, not set by hand
    analyst.groups.clear()
    analyst.refresh_from_db()
    assert not analyst.is_staff


def test_no_role_means_a_403_that_says_why(client, cast):
    client.force_login(cast["no_role"])
    response = client.get("/")
    assert response.status_code == 403
    assert "no role" in response.content.decode()
    assert client.get("/api/indicators/").json()["detail"].startswith("Your account has no role")


@pytest.mark.parametrize("path", ["/indicators/INT09/", "/api/indicators/?indicator=INT09"])
def test_public_read_shows_published_indicators_only(client, cast, settings, path):
    settings.PUBLIC_READ = True
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code == 400 or "INT09" not in response.content.decode()
    else:
        assert response.status_code == 404
    assert client.get("/indicators/PRV01/").status_code == 200
    assert client.get("/indicators/PRV01/narrative/").status_code == 302  # writing needs login


def test_login_and_logout(client, viewer):
    response = client.post("/accounts/login/", {"username": viewer.username, "password": "wrong"})
    assert response.status_code == 200 and "Please enter a correct username" in response.text
    response = client.post(
        "/accounts/login/", {"username": viewer.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302
