"""The shared cache: Django's Redis cache, which a Redis outage turns into no cache at all.

Every web process and worker reads one cache when ``REDIS_URL`` (or a Redis broker) is set
(README, "Configuration"). What is cached can always be computed again, so a cache that is
down or slow must cost a page its speed, never its answer: each call that fails is logged and
answered as a miss, and for ``RETRY_AFTER_SECONDS`` afterwards the cache is not asked at all,
so a dead Redis costs one connection timeout, not one per cache call.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10.0


class ForgivingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    def _attempt(self, call, fallback):
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return call()
        except (RedisError, OSError) as error:
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning("Cache unavailable, computing without it: %s", error)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        parent = super()
        return self._attempt(lambda: parent.add(key, value, timeout, version), False)

    def get(self, key, default=None, version=None):
        parent = super()
        return self._attempt(lambda: parent.get(key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        parent = super()
        self._attempt(lambda: parent.set(key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        parent = super()
        return self._attempt(lambda: parent.touch(key, timeout, version), False)

    def delete(self, key, version=None):
        parent = super()
        return self._attempt(lambda: parent.delete(key, version), False)

    def get_many(self, keys, version=None):
        parent = super()
        return self._attempt(lambda: parent.get_many(keys, version), {})

    def has_key(self, key, version=None):
        parent = super()
        return self._attempt(lambda: parent.has_key(key, version), False)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        parent = super()
        return self._attempt(lambda: parent.set_many(data, timeout, version), list(data))

    def delete_many(self, keys, version=None):
        parent = super()
        self._attempt(lambda: parent.delete_many(keys, version), None)

    def clear(self):
        parent = super()
        return self._attempt(lambda: parent.clear(), False)
