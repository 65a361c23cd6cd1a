"""Celery tasks: thin interfaces to the ingest services (retries, acknowledgement, failure)."""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import InterfaceError, OperationalError

from ingest import services
from ingest.drop_folder import drop_folder_scan

logger = logging.getLogger(__name__)

# Transient database errors (a restart, a dropped connection) are retried; the write step is
# one transaction, so a retry starts from a clean database.
TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    bind=True,
    name="ingest.process_extract",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=5,
)
def process_extract(self, extract_id: int) -> str:
    try:
        return services.extract_process(extract_id=extract_id).status
    except TRANSIENT:
        raise
    except Exception as error:
        # A bug, not bad input: record it on the extract (the page says what happened and that
        # nothing was written), log the traceback, and do not retry a failure that will repeat.
        logger.exception("Extract %s failed unexpectedly", extract_id)
        services.extract_fail_unexpectedly(extract_id=extract_id, error=error)
        return "failed"


@shared_task(name="ingest.scan_drop_folder", acks_late=True)
def scan_drop_folder() -> dict:
    return drop_folder_scan().as_dict()


@shared_task(name="ingest.dispatch_waiting_extracts", acks_late=True)
def dispatch_waiting_extracts() -> list[int]:
    """Periodic: queue extracts uploaded while the broker was down."""
    return services.extracts_dispatch_waiting()


@worker_ready.connect
def dispatch_waiting_on_worker_start(**kwargs) -> None:
    # A worker starts once the broker answers: the moment to queue what waited for it.
    try:
        services.extracts_dispatch_waiting()
    except Exception as error:  # never stop a worker from starting; the beat task retries
        logger.warning("Could not dispatch extracts waiting for the task queue: %s", error)
