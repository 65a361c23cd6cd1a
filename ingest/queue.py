"""Getting extracts to the worker: the task that processes one, and queuing it.

The services store an extract and run its pipeline; they know nothing of Celery. Here an
extract is handed to the task queue once its transaction commits, and kept when the broker
does not answer: it stays queued, marked as waiting, and ``extracts_dispatch_waiting`` hands
it over when the broker is back (a starting worker and a periodic task call it, see
``ingest.tasks``). The admin, the drop folder and ``manage.py ingest`` queue through here.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction

from indicators.models import Extract, ExtractStatus
from ingest import refresh, services

logger = logging.getLogger(__name__)

# The step of a queued extract whose task could not be handed to the broker (Redis down): the
# file and the row are kept, and extracts_dispatch_waiting hands it over when Redis is back.
WAITING_FOR_QUEUE = "Queued: waiting for the task queue"
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


def extract_submit(**fields) -> Extract:
    """Store an uploaded file as an extract (``services.extract_create``, which takes the
    same keyword arguments and may refuse it) and queue it once the transaction commits."""
    extract = services.extract_create(**fields)
    transaction.on_commit(lambda: extract_enqueue(extract_id=extract.pk))
    return extract


def extract_resubmit(*, extract: Extract) -> Extract:
    """Queue a failed or interrupted extract again (``services.extract_rerun``)."""
    queued = services.extract_rerun(extract=extract)
    transaction.on_commit(lambda: extract_enqueue(extract_id=queued.pk))
    return queued


def extract_enqueue(*, extract_id: int) -> bool:
    """Hand the extract to the task queue. If the broker does not answer, the upload is not
    lost: the extract stays queued, marked as waiting, and is dispatched when the broker is
    back (by the worker on start and by a periodic task). Returns whether it was handed over."""
    try:
        process_extract.delay(extract_id)
    except Exception:  # kombu/redis raise several types; whichever it is, keep the upload
        logger.warning("Extract %s kept as queued: the task queue is not answering", extract_id,
                       exc_info=True)  # fmt: skip
        Extract.objects.filter(pk=extract_id, status=ExtractStatus.QUEUED).update(
            step=WAITING_FOR_QUEUE
        )
        return False
    return True


def fingertips_refresh_submit(**options) -> list[refresh.RefreshOutcome]:
    """Refresh indicators from Fingertips (``refresh.fingertips_refresh``, which takes the
    same keyword arguments) and queue each extract fetched."""
    outcomes = refresh.fingertips_refresh(**options)
    for outcome in outcomes:
        if outcome.queued:
            extract_enqueue(extract_id=outcome.extract.pk)
    return outcomes


def extract_is_waiting_for_queue(extract: Extract) -> bool:
    return extract.status == ExtractStatus.QUEUED and extract.step == WAITING_FOR_QUEUE


def extracts_dispatch_waiting() -> list[int]:
    """Queue every extract that arrived while the broker was down. Idempotent: each extract is
    claimed with a conditional update first, so two callers never dispatch the same one."""
    dispatched = []
    waiting = Extract.objects.filter(status=ExtractStatus.QUEUED, step=WAITING_FOR_QUEUE)
    for extract_id in waiting.order_by("pk").values_list("pk", flat=True):
        claimed = Extract.objects.filter(
            pk=extract_id, status=ExtractStatus.QUEUED, step=WAITING_FOR_QUEUE
        ).update(step="Queued")
        if claimed and extract_enqueue(extract_id=extract_id):
            dispatched.append(extract_id)
    if dispatched:
        logger.info("Dispatched extracts that waited for the task queue: %s", dispatched)
    return dispatched
