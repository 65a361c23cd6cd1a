import pytest

from outcomes_site.celery import app


@pytest.fixture
def eager_tasks():
    """Run queued tasks in-process for this test, even when a broker is configured (CI)."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous
