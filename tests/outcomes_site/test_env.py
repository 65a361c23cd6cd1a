"""Settings come from the environment through strict parsers; a bad value stops start-up."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from outcomes_site import env
from tests.environment import REPO


@pytest.mark.parametrize(
    "raw, expected",
    [("1", True), ("TRUE", True), ("on", True), ("no", False), ("0", False), ("", False)],
)
def test_bool(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env.env_bool("FLAG") is expected


def test_bool_default_and_garbage(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)
    assert env.env_bool("FLAG", default=True) is True
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be one of"):
        env.env_bool("FLAG")


def test_int(monkeypatch):
    monkeypatch.setenv("SIZE", "1024")
    assert env.env_int("SIZE", 5) == 1024
    monkeypatch.setenv("SIZE", "10MB")
    with pytest.raises(ImproperlyConfigured, match="SIZE must be a whole number"):
        env.env_int("SIZE", 5)
    monkeypatch.setenv("SIZE", "3")
    with pytest.raises(ImproperlyConfigured, match="SIZE must be at least 10"):
        env.env_int("SIZE", 5, minimum=10)


def test_list(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example")
    assert env.env_list("HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("HOSTS", "a.example,,b")
    with pytest.raises(ImproperlyConfigured, match="HOSTS must be a comma-separated list"):
        env.env_list("HOSTS", [])


def test_database_url(monkeypatch):
    monkeypatch.setenv("DB", "postgres://postgres@127.0.0.1:5432/outcomes")
    config = env.env_database("DB", "sqlite:///x.db")
    assert (config["ENGINE"], config["NAME"], config["HOST"]) == (
        "django.db.backends.postgresql", "outcomes", "127.0.0.1",
    )  # fmt: skip
    monkeypatch.delenv("DB")
    assert env.env_database("DB", "sqlite:///x.db")["ENGINE"] == "django.db.backends.sqlite3"
    for bad in ["not a url", "mysql://root@localhost/x", "nosuch://x"]:
        monkeypatch.setenv("DB", bad)
        with pytest.raises(ImproperlyConfigured, match="^DB "):
            env.env_database("DB", "sqlite:///x.db")


def test_broker_url(monkeypatch):
    monkeypatch.setenv("BROKER", "redis://127.0.0.1:6379/0")
    assert env.env_broker_url("BROKER") == "redis://127.0.0.1:6379/0"
    monkeypatch.setenv("BROKER", "amqp://guest@localhost//")
    with pytest.raises(ImproperlyConfigured, match="BROKER must be a Redis URL"):
        env.env_broker_url("BROKER")


def start_django(*command, **overrides) -> subprocess.CompletedProcess:
    """``manage.py check`` (or ``command``) with the environment's overrides."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"}}  # fmt: skip
    environment |= overrides
    return subprocess.run(
        [sys.executable, "manage.py", *(command or ["check"])],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    "overrides, variable",
    [
        ({"DEBUG": "true", "DATABASE_URL": "oracle://x"}, "DATABASE_URL"),
        ({"DEBUG": "perhaps"}, "DEBUG"),
        ({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "a,,b"}, "ALLOWED_HOSTS"),
        ({"DEBUG": "true", "CELERY_BROKER_URL": "amqp://x"}, "CELERY_BROKER_URL"),
        ({"DEBUG": "true", "UPLOAD_MAX_BYTES": "big"}, "UPLOAD_MAX_BYTES"),
        ({}, "SECRET_KEY"),
    ],
)
def test_bad_settings_stop_start_up_naming_the_variable(overrides, variable):
    result = start_django(**overrides)
    assert result.returncode != 0
    assert variable in result.stderr.strip().splitlines()[-1]


def test_good_settings_start():
    result = start_django(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="outcomes.example")
    assert result.returncode == 0, result.stderr


SSO_VARIABLES = ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_SCOPES",
                 "OIDC_BUTTON_LABEL", "OIDC_ROLE_CLAIM", "OIDC_ROLE_MAP", "OIDC_ALLOWED_TENANTS"]  # fmt: skip


@pytest.fixture
def sso_env(monkeypatch):
    for name in SSO_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OIDC_ISSUER", "https://login.microsoftonline.com/tenant-1/v2.0/")
    monkeypatch.setenv("OIDC_CLIENT_ID", "client")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "secret")
    return monkeypatch


def test_single_sign_on_is_off_without_an_issuer(monkeypatch):
    monkeypatch.delenv("OIDC_ISSUER", raising=False)
    assert env.env_single_sign_on() is None


def test_single_sign_on_defaults(sso_env):
    sso = env.env_single_sign_on()
    assert sso.issuer == "https://login.microsoftonline.com/tenant-1/v2.0"
    assert (sso.scopes, sso.role_claim, sso.role_map) == ("openid email profile", "groups", ())
    assert sso.button_label == "Sign in with your organisation's account"


def test_role_map(sso_env):
    sso_env.setenv(
        "OIDC_ROLE_MAP", "board=viewer, analysts = analyst,owners-trust=owner:Example Trust"
    )
    assert env.env_single_sign_on().role_map == (
        env.RoleGrant("board", "viewer"),
        env.RoleGrant("analysts", "analyst"),
        env.RoleGrant("owners-trust", "owner", "Example Trust"),
    )


@pytest.mark.parametrize(
    "name, raw, says",
    [
        ("OIDC_ROLE_MAP", "board", "not a value=role pair"),
        ("OIDC_ROLE_MAP", "board=superuser", "'superuser' (for 'board') is not one of"),
        ("OIDC_ROLE_MAP", "owners=owner", "needs its partner"),
        ("OIDC_ROLE_MAP", "board=viewer:Example Trust", "only the owner role takes a partner"),
        ("OIDC_ROLE_MAP", "board=viewer,,x=analyst", "not a value=role pair"),
        ("OIDC_ISSUER", "http://idp.example", "https:// issuer URL"),
        ("OIDC_CLIENT_SECRET", "", "must be set when OIDC_ISSUER is set"),
        ("OIDC_SCOPES", "email profile", "must include openid"),
        (
            "OIDC_ISSUER",
            "https://login.microsoftonline.com/organizations/v2.0",
            "OIDC_ALLOWED_TENANTS",
        ),
    ],
)
def test_a_bad_single_sign_on_setting_names_its_variable(sso_env, name, raw, says):
    sso_env.setenv(name, raw)
    with pytest.raises(ImproperlyConfigured) as error:
        env.env_single_sign_on()
    message = str(error.value)
    assert message.startswith("OIDC_ALLOWED_TENANTS" if "TENANTS" in says else name), message
    assert says in message


def test_local_login_off_needs_single_sign_on():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "outcomes_site.settings",
             "LOCAL_LOGIN": "false", "OIDC_ISSUER": ""},
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert result.returncode != 0 and "LOCAL_LOGIN=false needs single sign-on" in result.stderr


def test_fingertips_settings_parsers(monkeypatch):
    monkeypatch.setenv("API", "https://fingertips.example/api/")
    assert env.env_url("API") == "https://fingertips.example/api"
    monkeypatch.setenv("API", "fingertips.example")
    with pytest.raises(ImproperlyConfigured, match="API must be an http:// or https:// URL"):
        env.env_url("API")
    monkeypatch.setenv("AT", "06:30")
    assert env.env_clock_time("AT") == (6, 30)
    for bad in ["6.30", "24:00", "06:3", "noon"]:
        monkeypatch.setenv("AT", bad)
        with pytest.raises(ImproperlyConfigured, match="AT must be a time of day as HH:MM"):
            env.env_clock_time("AT")
    monkeypatch.setenv("TYPES", "local_authority=402, region=223,icb=")
    assert env.env_int_map("TYPES", {"local_authority": 502, "icb": 221}) == {
        "local_authority": 402, "region": 223,
    }  # fmt: skip
    monkeypatch.setenv("TYPES", "local_authority")
    with pytest.raises(ImproperlyConfigured, match="TYPES must be comma-separated key=number"):
        env.env_int_map("TYPES", {})


def test_a_daily_fingertips_refresh_is_scheduled_when_its_time_is_set():
    script = (
        "from django.conf import settings; "
        "schedule = settings.CELERY_BEAT_SCHEDULE['fingertips-refresh']['schedule']; "
        "print(sorted(schedule.hour), sorted(schedule.minute), settings.CELERY_TIMEZONE)"
    )
    result = start_django("shell", "-c", script, DEBUG="true", FINGERTIPS_REFRESH_AT="06:30")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[6] [30] Europe/London"
    result = start_django(DEBUG="true", FINGERTIPS_REFRESH_AT="half six")
    assert result.returncode != 0
    assert "FINGERTIPS_REFRESH_AT" in result.stderr.strip().splitlines()[-1]
