"""Getting board packs built: the Celery task that builds one, and asking for one.

``reporting.packs`` decides whether a pack must be built and builds it; it knows nothing of
Celery. Here a request is handed to the task queue once its transaction commits. With no
broker configured (the embedded default, ``CELERY_TASK_ALWAYS_EAGER``) the task runs
in-process at that moment, so the pack is ready when the request returns, as before packs
were built in the background.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction

from reporting import packs
from reporting.models import BoardPack

logger = logging.getLogger(__name__)

# Transient database errors (a restart, a dropped connection) are retried.
TRANSIENT = (OperationalError, InterfaceError)
QUEUE_DOWN = (
    "The task queue is not answering, so the board pack could not be started. "
    "Try again in a few minutes; if it keeps happening, tell an administrator."
)


@shared_task(
    bind=True,
    name="reporting.build_board_pack",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=60,
    max_retries=3,
)
def build_board_pack(self, pack_id: int) -> str:
    try:
        return packs.board_pack_build(pack_id=pack_id).status
    except TRANSIENT:
        raise
    except packs.PackPeriodGone as gone:
        packs.board_pack_fail(pack_id=pack_id, message=str(gone))
        return "failed"
    except Exception:
        # A bug, not bad input: say so on the page, log the traceback, and do not retry a
        # failure that will repeat.
        logger.exception("Board pack %s failed unexpectedly", pack_id)
        packs.board_pack_fail(
            pack_id=pack_id,
            message="Something went wrong while building the board pack. It has been logged; "
            "try again, and tell an administrator if it happens again.",
        )
        return "failed"


def builds_in_process() -> bool:
    """No broker: tasks run in-process, as the request that asks for them."""
    return bool(build_board_pack.app.conf.task_always_eager)


def board_pack_submit(*, scope: packs.PackScope, user=None) -> BoardPack:
    """The pack of ``scope`` for the data as it is now, queued for building if there is no
    such pack ready or being built."""
    pack, needs_build = packs.board_pack_request(scope=scope, user=user)
    if needs_build:
        transaction.on_commit(lambda: board_pack_enqueue(pack_id=pack.pk))
    return pack


def board_pack_build_now(*, scope: packs.PackScope, user=None) -> BoardPack:
    """The pack of ``scope``, built in this process if it must be (the old URL with no
    broker, which answered with the PDF itself)."""
    pack, needs_build = packs.board_pack_request(scope=scope, user=user)
    if needs_build:
        build_board_pack.apply(args=[pack.pk])
    return BoardPack.objects.get(pk=pack.pk)


def board_pack_enqueue(*, pack_id: int) -> bool:
    """Hand the pack to the task queue (or, with no broker, build it now). A broker that does
    not answer fails the pack with a message saying so; asking again queues it again."""
    try:
        build_board_pack.delay(pack_id)
    except TRANSIENT:
        raise
    except Exception:  # kombu/redis raise several types; whichever it is, say so
        logger.warning("Board pack %s not started: the task queue is not answering", pack_id,
                       exc_info=True)  # fmt: skip
        packs.board_pack_fail(pack_id=pack_id, message=QUEUE_DOWN)
        return False
    return True
