"""Scheduled publication on the real stack: the time is in the database, so a worker that
was not running when it came (started afterwards, as after a restart) publishes the extract
when beat next sends the task."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from indicators.models import Extract, Observation
from ingest.publishing import extract_schedule
from ingest.tasks import publish_due_extracts
from tests.review_scenario import CORRECTION, LIVE, process, values_file
from tests.workers import require_postgresql_and_redis, start_pipeline_worker
from tests.workers import stop_worker as stop

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_worker_started_after_the_time_publishes_the_scheduled_extract(
    framework, geography, media_root, settings
):
    require_postgresql_and_redis()
    settings.INGEST_AUTO_PUBLISH = False
    process(values_file(LIVE), "live.csv", publish=True)
    extract = extract_schedule(
        extract=process(values_file(CORRECTION), "correction.csv"),
        at=timezone.now() + timedelta(minutes=5),
    )
    # The time passed while no worker was running.
    Extract.objects.filter(pk=extract.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    queue = f"test-publish-{uuid.uuid4().hex[:8]}"
    worker = start_pipeline_worker(queue, media_root)
    try:
        # What beat sends at the start of the next minute.
        outcome = publish_due_extracts.apply_async(queue=queue).get(timeout=90)
    finally:
        output = stop(worker)
    assert "Traceback" not in output, output
    assert outcome == [[extract.pk, "succeeded"]]
    assert Observation.objects.get(area__code="E06000023", period__label="2023/24").value == 25
    assert Extract.objects.get(pk=extract.pk).published_at is not None
