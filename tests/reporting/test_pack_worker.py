"""The board pack on the real stack: asked for through the page, built by a Celery worker
against Redis and PostgreSQL, followed on its page, and downloaded."""

import time
import uuid

import pytest

from outcomes_site.celery import app
from reporting.models import BoardPack
from tests import workers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_worker_builds_the_pack_the_page_follows_and_the_download_is_served(
    client, viewer, scenario, media_root
):
    workers.require_postgresql_and_redis("the board pack worker test")
    queue = f"test-pack-{uuid.uuid4().hex[:8]}"
    worker = workers.start_worker(
        queue, DATABASE_URL=workers.database_url(), MEDIA_ROOT=media_root,
        CELERY_TASK_DEFAULT_QUEUE=queue,
    )  # fmt: skip
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue  # the router reads it when the page sends the task
    try:
        client.force_login(viewer)
        asked = client.post("/board-pack/", {"domain": "OVR"})
        assert asked.status_code == 302
        pack = BoardPack.objects.get()
        deadline = time.monotonic() + 120
        while BoardPack.objects.get(pk=pack.pk).status != "ready":
            assert BoardPack.objects.get(pk=pack.pk).status != "failed"
            assert time.monotonic() < deadline, "the worker did not build the pack in time"
            time.sleep(0.2)
    finally:
        app.conf.task_default_queue = previous
        output = workers.stop_worker(worker)
    assert "Traceback" not in output, output
    page = client.get(asked["Location"]).text
    assert "Ready to download" in page
    download = client.get(f"{asked['Location']}download/")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Asked for again, the built pack is the answer: nothing is queued.
    assert client.post("/board-pack/", {"domain": "OVR"})["Location"] == asked["Location"]
    assert BoardPack.objects.count() == 1
