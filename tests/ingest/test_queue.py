"""Queuing (ingest/queue.py): the services store an extract and run it; the delivery layer
hands it to the task queue once its transaction commits, and keeps it when the broker is down.
With Redis really stopped: tests/ingest/test_faults.py."""

from indicators.models import Extract
from ingest.queue import (
    extract_enqueue,
    extract_is_waiting_for_queue,
    extract_resubmit,
    extract_submit,
    process_extract,
)
from ingest.services import extract_create
from tests.extracts import SMOKING_2023, counts_file


def test_a_submitted_extract_is_processed_after_its_upload_commits(
    framework, geography, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        extract = extract_submit(
            data=counts_file(SMOKING_2023), original_name="a.csv", kind="counts"
        )
        assert Extract.objects.get(pk=extract.pk).status == "queued"  # not before the commit
    assert Extract.objects.get(pk=extract.pk).status == "succeeded"


def test_a_stored_extract_is_not_queued_by_the_service(
    framework, geography, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        extract = extract_create(
            data=counts_file(SMOKING_2023), original_name="a.csv", kind="counts"
        )
    assert Extract.objects.get(pk=extract.pk).status == "queued"


def test_a_failed_extract_resubmitted_is_processed_again(
    framework, geography, eager_tasks, django_capture_on_commit_callbacks
):
    extract = extract_create(data=counts_file(SMOKING_2023), original_name="a.csv", kind="counts")
    Extract.objects.filter(pk=extract.pk).update(status="failed")
    with django_capture_on_commit_callbacks(execute=True):
        extract_resubmit(extract=Extract.objects.get(pk=extract.pk))
    assert Extract.objects.get(pk=extract.pk).status == "succeeded"


def test_an_extract_the_broker_does_not_take_is_kept_waiting(framework, geography, monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(process_extract, "delay", broker_down)
    extract = extract_create(data=counts_file(SMOKING_2023), original_name="a.csv", kind="counts")
    assert extract_enqueue(extract_id=extract.pk) is False
    extract.refresh_from_db()
    assert extract_is_waiting_for_queue(extract)
    assert extract.stored_file.read() == counts_file(SMOKING_2023)
