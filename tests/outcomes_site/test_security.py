"""Production hardening: deploy checks, HTTPS, headers, CSP, sign-in throttling, sessions."""

import os
import secrets
import subprocess
import sys
import time

import pytest
from django.contrib.auth.models import User
from django.test import Client

from outcomes_site.middleware import LAST_SEEN, SIGNED_IN_AT
from tests.environment import REPO

PASSWORD = "correct-horse-battery"


def run_manage(*args, **env_overrides):
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "HTTPS"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def test_production_settings_pass_the_deploy_check_with_no_warnings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="outcomes.example.nhs.uk",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_a_secret_key_production_settings_refuse_to_start():
    env = {"SECRET_KEY": "", "ALLOWED_HOSTS": "outcomes.example.nhs.uk"}
    result = run_manage("check", **env)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_media_root_inside_the_static_root_is_refused():
    result = run_manage(
        "check", SECRET_KEY=secrets.token_urlsafe(50), MEDIA_ROOT=str(REPO / "static" / "media")
    )
    assert result.returncode != 0 and "MEDIA_ROOT must not be inside" in result.stderr


def test_https_settings_redirect_and_mark_cookies_secure(client, settings, viewer):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get("/healthz").status_code in {200, 503}  # probes stay on http
    response = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert "max-age=31536000" in response["Strict-Transport-Security"]
    assert response.cookies["csrftoken"]["secure"]
    response = client.post(
        "/accounts/login/", {"username": viewer.username, "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
    )  # fmt: skip
    assert response.status_code == 302 and response.cookies["sessionid"]["secure"]


def test_every_page_sends_the_security_headers_and_a_strict_csp(client, viewer):
    client.force_login(viewer)
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = dict(
        (part.split(" ", 1) + [""])[:2] for part in response["Content-Security-Policy"].split("; ")
    )
    assert policy["script-src"] == "'self'"  # no inline scripts, no eval
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_templates_have_no_inline_scripts_styles_or_handlers():
    import re

    offenders = []
    for path in (REPO / "templates").rglob("*.html"):
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>",
                        r"\sstyle=\"", r"\son[a-z]+=\"", r"javascript:"):  # fmt: skip
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(REPO)}: {pattern}")
    # json_script writes <script type="application/json">, which is data, not code.
    assert offenders == []


# --- Sign-in throttling (django-axes) ----------------------------------------------------------


def fail_to_sign_in(client, path, username, times):
    for _ in range(times):
        response = client.post(path, {"username": username, "password": "wrong-password"})
    return response


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_repeated_failed_sign_ins_lock_the_username_out(client, path, analyst, settings):
    settings.AXES_FAILURE_LIMIT = 5
    response = fail_to_sign_in(client, path, analyst.username, 4)
    assert response.status_code == 200  # the form again, with its error
    response = fail_to_sign_in(client, path, analyst.username, 1)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text and "15 minutes" in response.text
    # Locked out even with the right password, on either sign-in page.
    for login_path in ["/accounts/login/", "/admin/login/"]:
        response = client.post(login_path, {"username": analyst.username, "password": PASSWORD})
        assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another user from the same address is not locked out.
    other = User.objects.create_user("someone_else", password=PASSWORD)
    response = client.post("/accounts/login/", {"username": other.username, "password": PASSWORD})
    assert response.status_code == 302


def test_a_successful_sign_in_resets_the_count(client, viewer):
    fail_to_sign_in(client, "/accounts/login/", viewer.username, 4)
    client.post("/accounts/login/", {"username": viewer.username, "password": PASSWORD})
    client.post("/accounts/logout/")
    response = fail_to_sign_in(client, "/accounts/login/", viewer.username, 4)
    assert response.status_code == 200


def test_password_validators_refuse_weak_passwords(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = User(username="vera_viewer")
    for weak in ["short1", "password123", "12345678901", "vera_viewer1"]:
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("tidal-orchard-lantern-42", user)


# --- Sessions -----------------------------------------------------------------------------------


def test_changing_the_password_signs_out_other_sessions(administrator, viewer):
    laptop, phone = Client(), Client()
    laptop.force_login(viewer)
    phone.force_login(viewer)
    assert phone.get("/").status_code == 200
    admin = Client()
    admin.force_login(administrator)
    response = admin.post(
        f"/admin/auth/user/{viewer.pk}/password/",
        {"password1": "tidal-orchard-lantern-42", "password2": "tidal-orchard-lantern-42",
         "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302, response.text[:2000]
    for device in (laptop, phone):
        response = device.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_own_password_change_keeps_this_session_but_ends_the_others(analyst):
    here, elsewhere = Client(), Client()
    here.force_login(analyst)
    elsewhere.force_login(analyst)
    response = here.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": "tidal-orchard-lantern-42",
         "new_password2": "tidal-orchard-lantern-42"},
    )  # fmt: skip
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302


def age_session(client, *, idle=0, since_sign_in=0):
    session = client.session
    now = int(time.time())
    session[LAST_SEEN] = now - idle
    session[SIGNED_IN_AT] = now - since_sign_in
    session.save()


def test_an_idle_session_ends(client, viewer, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    client.force_login(viewer)
    assert client.get("/").status_code == 200
    age_session(client, idle=1700, since_sign_in=1700)
    assert client.get("/").status_code == 200  # still within the idle limit, and renewed
    age_session(client, idle=1801, since_sign_in=3000)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_session_ends_at_its_absolute_age_even_when_busy(client, viewer, settings):
    settings.SESSION_COOKIE_AGE = 8 * 3600
    client.force_login(viewer)
    age_session(client, idle=10, since_sign_in=8 * 3600 + 1)
    assert client.get("/").status_code == 302


def test_sessions_end_when_the_browser_closes(client, viewer, settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    response = client.post("/accounts/login/", {"username": viewer.username, "password": PASSWORD})
    assert response.cookies["sessionid"]["max-age"] == ""  # a browser-session cookie
