"""Where the tests run: the repository's folders, and whether a missing service (PostgreSQL,
Redis, a Celery worker) skips a test or fails it."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
REQUIRE_SERVICES = os.environ.get("OUTCOMES_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str):
    """Skip locally when a service is missing; in CI (OUTCOMES_REQUIRE_SERVICES=1) fail."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (OUTCOMES_REQUIRE_SERVICES=1, so this is a failure)")
    pytest.skip(reason)
