"""Faults the pipeline must survive (issue 8), each named:

- Redis stopped while an analyst uploads: the upload is kept, the analyst is told it is queued,
  and it is processed when Redis returns (this module).
- A Celery worker killed mid-extract: nothing partial is left and the extract re-runs
  (``test_worker.py::test_worker_killed_mid_write_leaves_the_database_as_it_was``).
- A corrupt file among good ones in the drop folder: the good ones are ingested (this module).
"""

import contextlib
import os
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from indicators.models import Extract, Observation
from ingest.drop_folder import drop_folder_scan
from ingest.queue import WAITING_FOR_QUEUE, extracts_dispatch_waiting
from outcomes_site.celery import app
from tests.environment import skip_or_fail
from tests.extracts import SMOKING_2023, counts_file
from tests.private_services import PrivateRedis
from tests.workers import start_pipeline_worker, wait_for
from tests.workers import stop_worker as stop


@contextlib.contextmanager
def broker(url: str):
    """Point this process's Celery app at ``url`` (a private Redis), dropping pooled
    connections to the shared one, and back again afterwards."""
    # Celery reads CELERY_BROKER_URL from the environment before its own setting.
    saved_env = os.environ.get("CELERY_BROKER_URL")
    previous = app.conf.broker_write_url, app._pool, app.amqp._producer_pool
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_write_url = url
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()  # only the private broker's connections
        app.conf.broker_write_url, app._pool, app.amqp._producer_pool = previous
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_redis_stopped_while_an_analyst_uploads(client, analyst, framework, geography, media_root):
    if connection.vendor != "postgresql" or not os.environ.get("CELERY_BROKER_URL"):
        skip_or_fail("needs PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL)")
    if not PrivateRedis.available():
        skip_or_fail("needs redis-server to start a private Redis")
    redis = PrivateRedis()  # never started yet: Redis is down when the analyst uploads
    client.force_login(analyst)
    with broker(redis.url):
        started = time.monotonic()
        response = client.post(
            "/admin/indicators/extract/upload/",
            {"file": SimpleUploadedFile("smoking.csv", counts_file(SMOKING_2023)),
             "kind": "counts"},
            follow=True,
        )  # fmt: skip
        assert time.monotonic() - started < 15, "the upload must not hang on a dead broker"
        assert response.status_code == 200
        page = response.text
        extract = Extract.objects.get()
        assert f"Extract #{extract.pk} is saved and queued" in page
        assert "no need to upload the file again" in page
        assert extract.status == "queued" and extract.step == WAITING_FOR_QUEUE
        assert extract.stored_file.read() == counts_file(SMOKING_2023)  # the upload is kept

        # Still down: the periodic dispatch leaves it waiting, without losing it.
        assert extracts_dispatch_waiting() == []
        assert Extract.objects.get().step == WAITING_FOR_QUEUE

        # Redis returns; a worker starts and dispatches what waited (worker_ready).
        redis.start()
        worker = start_pipeline_worker("outcomes", media_root, broker_url=redis.url)
        try:
            wait_for(
                lambda: Extract.objects.get().status in {"succeeded", "failed"},
                timeout=90, what="the waiting extract to be processed once Redis was back",
            )  # fmt: skip
            # Dispatching again is a no-op: nothing is processed twice.
            assert extracts_dispatch_waiting() == []
        finally:
            output = stop(worker)
            redis.stop()
    assert "Traceback" not in output, output
    extract = Extract.objects.get()
    assert extract.status == "succeeded", extract.error_summary
    assert extract.attempts == 1
    assert Observation.objects.filter(extract=extract).exists()


@pytest.mark.django_db
def test_the_periodic_dispatch_hands_over_waiting_extracts_once(
    framework, geography, eager_tasks, django_capture_on_commit_callbacks
):
    from ingest.services import extract_create

    extract = extract_create(
        data=counts_file(SMOKING_2023), original_name="a.csv", kind="counts", enqueue=False
    )
    Extract.objects.filter(pk=extract.pk).update(step=WAITING_FOR_QUEUE)
    assert extracts_dispatch_waiting() == [extract.pk]
    assert extracts_dispatch_waiting() == []
    assert Extract.objects.get().status == "succeeded"


def corrupt_xlsx() -> bytes:
    """An XLSX cut off half way: a zip archive with no central directory."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>" * 200)
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>" * 200)
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


@pytest.mark.django_db
def test_drop_folder_with_a_corrupt_file_among_good_ones_ingests_the_good_ones(
    framework, geography, tmp_path, eager_tasks, django_capture_on_commit_callbacks
):
    earlier = [row.replace("2023/24", "2022/23") for row in SMOKING_2023]
    (tmp_path / "a-counts.csv").write_bytes(counts_file(SMOKING_2023))
    (tmp_path / "b-counts.xlsx").write_bytes(corrupt_xlsx())
    (tmp_path / "c-counts.csv").write_bytes(counts_file(earlier))
    old = time.time() - 60
    for path in tmp_path.iterdir():
        os.utime(path, (old, old))
    with django_capture_on_commit_callbacks(execute=True):
        drop_folder_scan(tmp_path)
    statuses = dict(Extract.objects.values_list("original_name", "status"))
    assert statuses == {"a-counts.csv": "succeeded", "c-counts.csv": "succeeded"}
    # The zip's directory is checked as the file arrives, so it never becomes an extract.
    reason = (tmp_path / "failed" / "b-counts.xlsx.reason.txt").read_text()
    assert "damaged" in reason and "Traceback" not in reason
    assert set(Observation.objects.values_list("extract__original_name", flat=True)) == {
        "a-counts.csv",
        "c-counts.csv",
    }
