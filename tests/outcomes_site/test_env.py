"""Settings come from the environment through strict parsers; a bad value stops start-up."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from outcomes_site import env
from tests.conftest import REPO


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


def start_django(**overrides) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"}}  # fmt: skip
    environment |= overrides
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
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
