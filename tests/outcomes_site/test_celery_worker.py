"""A real Celery worker against Redis runs a task sent from Django (no eager mode)."""

import os
import uuid

import pytest

from outcomes_site.tasks import ping
from tests.environment import skip_or_fail
from tests.workers import start_worker, stop_worker


@pytest.fixture
def worker_queue():
    if not os.environ.get("CELERY_BROKER_URL"):
        skip_or_fail("CELERY_BROKER_URL is not set: no Redis broker to run a worker against")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue)
    try:
        yield queue
    finally:
        output = stop_worker(worker)
        assert "Traceback" not in output, output


@pytest.mark.worker
def test_worker_runs_a_task_sent_through_redis(worker_queue, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    result = ping.apply_async(queue=worker_queue)
    answer = result.get(timeout=60)
    assert answer["pong"] is True
    assert result.successful()


def test_without_a_broker_tasks_run_in_process(settings):
    from outcomes_site.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        assert ping.delay().get()["pong"] is True
    finally:
        app.conf.task_always_eager = previous
