"""The shared cast as fixtures (built by tests/cast.py), and the settings every test runs with."""

import os

import pytest
from hypothesis import settings as hypothesis_settings

from tests.cast import framework_build, geography_build, make_user

# CI explores the same examples every run, so a landing is never decided by a random draw;
# developers' runs keep exploring new inputs (and the failures they find become tests).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", max_examples=1000)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
)


@pytest.fixture
def viewer(db):
    return make_user("vera_viewer", "viewer")


@pytest.fixture
def owner(db):
    return make_user("owen_owner", "owner")


@pytest.fixture
def analyst(db):
    return make_user("ana_analyst", "analyst", staff=True)


@pytest.fixture
def administrator(db):
    return make_user("ada_admin", "admin", staff=True)


@pytest.fixture
def framework(db):
    """Two domains; three published indicators and one draft."""
    return framework_build()


@pytest.fixture
def geography(db):
    """England → South West → BNSSG ICB → Bristol → two LSOAs."""
    return geography_build()


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path_factory):
    """Caches the app keeps (the geography's arrays) go to a temporary folder too."""
    settings.VAR_DIR = tmp_path_factory.getbasetemp() / "var"
    return settings.VAR_DIR


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Stored extracts and reports go to a temporary folder, never the working tree."""
    settings.MEDIA_ROOT = str(tmp_path_factory.getbasetemp() / "media")
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: ids can repeat between tests once rolled back."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def eager_tasks():
    """Run queued tasks in-process for this test, even when a broker is configured (CI)."""
    from outcomes_site.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous
