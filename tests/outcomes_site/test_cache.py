"""The shared cache (README, "Configuration"): Redis when configured, one for every process,
and a Redis that is down costs pages their speed, never their answer."""

import socket
import uuid

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from outcomes_site.cache import ForgivingRedisCache
from outcomes_site.env import env_cache
from tests.explorer_scenario import build


def closed_port_url() -> str:
    """A Redis URL on a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def test_the_cache_is_the_brokers_redis_unless_redis_url_says_otherwise(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    shared = env_cache("REDIS_URL", broker_url="redis://broker:6379/0")
    assert shared["BACKEND"] == "outcomes_site.cache.ForgivingRedisCache"
    assert shared["LOCATION"] == "redis://broker:6379/0"
    assert "LocMemCache" in env_cache("REDIS_URL", broker_url="")["BACKEND"]
    assert "LocMemCache" in env_cache("REDIS_URL", broker_url="memory://")["BACKEND"]
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/3")
    assert env_cache("REDIS_URL", broker_url="")["LOCATION"] == "redis://cache:6379/3"
    monkeypatch.setenv("REDIS_URL", "none")
    assert "LocMemCache" in env_cache("REDIS_URL", broker_url="redis://broker:6379/0")["BACKEND"]
    monkeypatch.setenv("REDIS_URL", "memcached://cache:11211")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL must be a Redis URL"):
        env_cache("REDIS_URL", broker_url="")


def test_a_cache_that_is_down_answers_as_a_miss():
    down = ForgivingRedisCache(closed_port_url(), {})

    down.set("key", "value")
    assert down.get("key", "default") == "default"
    assert down.get_or_set("key", "computed") == "computed"
    assert down.get_many(["key"]) == {}


@pytest.mark.django_db
def test_pages_and_the_api_still_answer_with_the_cache_down(
    client, viewer, framework, geography, monkeypatch, caplog
):
    build(framework, geography, icbs_per_region=2, years=3)
    client.force_login(viewer)
    monkeypatch.setenv("REDIS_URL", closed_port_url())
    with override_settings(CACHES={"default": env_cache("REDIS_URL", broker_url="")}):
        assert isinstance(caches["default"], ForgivingRedisCache)
        for path in [
            "/", "/explore/compare/?indicator=LTC03", "/explore/trends/?indicator=LTC03",
            "/api/data/?indicator=LTC03", "/api/indicators/",
        ]:  # fmt: skip
            assert client.get(path).status_code == 200, path
    assert "Cache unavailable, computing without it" in caplog.text  # the cache was asked


@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis://"), reason="needs the Redis broker (CI)"
)
def test_every_process_shares_one_redis_cache():
    # Two backends, as two processes each build their own, over the broker's Redis.
    first = ForgivingRedisCache(settings.CELERY_BROKER_URL, {"KEY_PREFIX": "test"})
    second = ForgivingRedisCache(settings.CELERY_BROKER_URL, {"KEY_PREFIX": "test"})
    key = f"shared-{uuid.uuid4()}"
    try:
        first.set(key, {"answer": 42}, timeout=30)
        assert second.get(key) == {"answer": 42}
    finally:
        first.delete(key)
