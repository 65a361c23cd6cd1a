"""Celery tasks: thin interfaces to the ingest services (retries, acknowledgement, failure).

The task that processes an extract, ``ingest.process_extract``, is in ``ingest.queue``
beside the functions that queue it (the drop folder calls them, and this module calls the
drop folder); importing that module here registers it.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready

from ingest.drop_folder import drop_folder_scan
from ingest.publishing import extracts_publish_due
from ingest.queue import extracts_dispatch_waiting, fingertips_refresh_submit

logger = logging.getLogger(__name__)


@shared_task(name="ingest.scan_drop_folder", acks_late=True)
def scan_drop_folder() -> dict:
    return drop_folder_scan().as_dict()


@shared_task(name="ingest.dispatch_waiting_extracts", acks_late=True)
def dispatch_waiting_extracts() -> list[int]:
    """Periodic: queue extracts uploaded while the broker was down."""
    return extracts_dispatch_waiting()


@shared_task(name="ingest.publish_due_extracts", acks_late=True)
def publish_due_extracts() -> list[list]:
    """Periodic, every minute: publish the scheduled extracts whose time has come."""
    return [list(outcome) for outcome in extracts_publish_due()]


@shared_task(name="ingest.fingertips_refresh", acks_late=True)
def fingertips_refresh() -> list[str]:
    """Periodic when FINGERTIPS_REFRESH_AT is set: fetch every indicator with a Fingertips id."""
    return [outcome.message for outcome in fingertips_refresh_submit()]


@worker_ready.connect
def dispatch_waiting_on_worker_start(**kwargs) -> None:
    # A worker starts once the broker answers: the moment to queue what waited for it.
    try:
        extracts_dispatch_waiting()
    except Exception as error:  # never stop a worker from starting; the beat task retries
        logger.warning("Could not dispatch extracts waiting for the task queue: %s", error)
