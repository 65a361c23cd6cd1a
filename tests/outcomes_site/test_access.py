"""Every URL needs a login (except the login page itself and the health check)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {"login", "healthz"}
# The admin's own login, logout and JavaScript catalogue pages; the rest of the admin
# redirects to its login page.
ADMIN_PUBLIC = {"login", "logout", "jsi18n"}


def walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            child_namespace = pattern.namespace or namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), child_namespace)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern.name


def sample_path(route: str) -> str:
    """Turn a route into a concrete path with plausible arguments."""
    import re

    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    route = re.sub(r"<(?:\w+:)?(\w+)>", "1", route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", "1", route)
    return "/" + route.replace("\\", "")


ROUTES = sorted(set(walk(get_resolver().url_patterns)))


@pytest.mark.parametrize("route, namespace, name", ROUTES, ids=[r[0] or "/" for r in ROUTES])
def test_anonymous_visitors_are_sent_to_login(client, db, route, namespace, name):
    path = sample_path(route)
    response = client.get(path)
    if namespace == "admin":
        if name in ADMIN_PUBLIC:
            return
        assert response.status_code == 302, path
        assert response["Location"].startswith(("/admin/login/", "/accounts/login/")), path
        return
    if name in PUBLIC:
        assert response.status_code in {200, 503}, path
        return
    if namespace == "api":  # API clients get a JSON 401, not a login page
        assert response.status_code == 401, path
        return
    assert response.status_code == 302, f"{path} answered {response.status_code} without login"
    assert response["Location"].startswith("/accounts/login/")


def test_the_walk_finds_the_pages():
    names = {name for _, _, name in ROUTES}
    assert {"home", "indicator_detail", "login", "logout", "healthz"} <= names


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
