"""Real Celery workers for the tests that need one: started as another process on a queue of
their own, against the test database and Redis, and stopped with their output kept."""

import os
import subprocess
import sys
import time

from django.db import connection

from tests.environment import REPO, skip_or_fail


def require_postgresql_and_redis(what: str = "this test") -> None:
    """The worker is another process, so it needs a database and broker it can reach."""
    if connection.vendor != "postgresql":
        skip_or_fail(f"{what} needs PostgreSQL (DATABASE_URL) for its Celery worker")
    if not os.environ.get("CELERY_BROKER_URL"):
        skip_or_fail(f"{what} needs Redis (CELERY_BROKER_URL) for its Celery worker")


def database_url() -> str:
    """The test database (not the one DATABASE_URL names), for the worker to write to."""
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def start_worker(queue: str, **env: str) -> subprocess.Popen:
    """A solo-pool worker consuming ``queue``, with ``env`` added to this process's
    environment (DATABASE_URL, MEDIA_ROOT, a private broker...)."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "outcomes_site", "worker", "--pool=solo",
         "--queues", queue, "--loglevel=WARNING", "--without-gossip", "--without-mingle"],
        cwd=REPO, env=os.environ | {"DEBUG": "false", "SECRET_KEY": "worker-test-key"} | env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def stop_worker(worker: subprocess.Popen) -> str:
    """Stop the worker (gently, then not) and return what it printed."""
    if worker.poll() is None:
        worker.terminate()
    try:
        output, _ = worker.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate()
    return output


def start_pipeline_worker(queue: str, media_root: str, *, broker_url: str = "") -> subprocess.Popen:
    """A worker that processes extracts into the test database, storing files under
    ``media_root``; with ``broker_url``, against a private Redis (fault tests) that keeps its
    results too."""
    env = {"DATABASE_URL": database_url(), "MEDIA_ROOT": media_root}
    if broker_url:
        env |= {"CELERY_BROKER_URL": broker_url, "CELERY_RESULT_BACKEND": broker_url}
    return start_worker(queue, **env)


def wait_for(condition, *, timeout=60, what="condition"):
    """Check ``condition`` every tenth of a second; fail once ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
