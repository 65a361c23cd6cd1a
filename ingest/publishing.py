"""Publishing a reviewed extract: now, at a set time (an embargo), or not at all.

An extract awaiting review holds its computed values (``Extract.staged_values``), what
writing them would change (``Extract.review``) and the indicators' data versions it was
computed against (``Extract.base_versions``). Publishing takes the indicators' locks, checks
those versions and writes exactly the staged values, whole or not at all, as the pipeline
does. If another extract was published or reverted in between, the review no longer says
what would change: it is worked out again and the extract waits for the analyst once more,
with a notice saying why, rather than being applied blindly. Scheduled extracts are
published by ``extracts_publish_due``, which Celery beat runs every minute; the time is in
the database, so a restarted worker or beat misses nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import formats, timezone

from indicators import audit
from indicators.models import AuditAction, Extract, ExtractStatus
from ingest.review import review_compute, values_from_parquet
from ingest.services import REVIEWABLE, review_counts, values_apply
from ingest.writing import RevertRefused, data_versions, lock_indicators

logger = logging.getLogger(__name__)


class PublishRefused(Exception):
    """The extract cannot be published, scheduled or discarded; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def extract_publish(*, extract: Extract, user=None) -> Extract:
    """Apply exactly what was reviewed. Returns the extract: succeeded, or awaiting review
    again (with ``review_notice`` saying why) when its base data changed since the review."""
    with transaction.atomic():
        locked = _locked(extract, "published")
        indicator_ids = [int(item) for item in locked.base_versions]
        lock_indicators(indicator_ids)
        if data_versions(indicator_ids) != locked.base_versions:
            return _review_again(locked, user=user)
        scheduled_for = locked.publish_at if locked.status == ExtractStatus.SCHEDULED else None
        values = _staged_values(locked)
        try:
            written = values_apply(
                locked, values, new_areas=locked.review.get("areas_to_create") or None
            )
        except (RevertRefused, ValueError) as error:
            raise PublishRefused(f"Nothing was published: {error}") from None
        staged = locked.staged_values.name
        Extract.objects.filter(pk=locked.pk).update(
            status=ExtractStatus.SUCCEEDED, step="Published", published_at=timezone.now(),
            publish_at=None, review_notice="", staged_values="",
            report=dict(locked.report) | written,
        )  # fmt: skip
        details = written | ({"scheduled_for": scheduled_for.isoformat()} if scheduled_for else {})
        audit.record(action=AuditAction.PUBLISH, obj=locked, user=user, details=details)
        # The staged values are in the observations and their history now.
        transaction.on_commit(lambda: locked.staged_values.storage.delete(staged))
    return Extract.objects.get(pk=extract.pk)


def extract_schedule(*, extract: Extract, at: datetime, user=None) -> Extract:
    """Publish the extract at ``at`` (to the minute), unless cancelled first."""
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    at = at.replace(second=0, microsecond=0)
    if at <= timezone.now():
        raise PublishRefused(
            f"{moment(at)} has passed: choose a later time, or publish the extract now."
        )
    with transaction.atomic():
        locked = _locked(extract, "scheduled")
        Extract.objects.filter(pk=locked.pk).update(
            status=ExtractStatus.SCHEDULED, step=f"Scheduled for {moment(at)}", publish_at=at,
            review_notice="",
        )  # fmt: skip
        audit.record(
            action=AuditAction.SCHEDULE, obj=locked, user=user,
            details={"publish_at": at.isoformat()},
        )  # fmt: skip
    return Extract.objects.get(pk=extract.pk)


def extract_unschedule(*, extract: Extract, user=None) -> Extract:
    """Cancel a scheduled publication: the extract waits for review again."""
    with transaction.atomic():
        locked = Extract.objects.select_for_update().get(pk=extract.pk)
        if locked.status != ExtractStatus.SCHEDULED:
            raise PublishRefused(
                f"This extract is {_status(locked)}: it has no publication to cancel."
            )
        Extract.objects.filter(pk=locked.pk).update(
            status=ExtractStatus.AWAITING_REVIEW, step="Awaiting review", publish_at=None
        )
        audit.record(
            action=AuditAction.SCHEDULE, obj=locked, user=user,
            details={"cancelled": True, "was_for": locked.publish_at.isoformat()},
        )  # fmt: skip
    return Extract.objects.get(pk=extract.pk)


def extract_discard(*, extract: Extract, user=None) -> Extract:
    """Drop an extract that was never published: its staged values go, its file and review
    stay, and the same file may be uploaded again."""
    with transaction.atomic():
        locked = _locked(extract, "discarded")
        staged = locked.staged_values.name
        Extract.objects.filter(pk=locked.pk).update(
            status=ExtractStatus.DISCARDED, step="Discarded", publish_at=None, staged_values="",
            review_notice="",
        )  # fmt: skip
        audit.record(action=AuditAction.DISCARD, obj=locked, user=user,
                     details={"was": locked.status})  # fmt: skip
        if staged:
            transaction.on_commit(lambda: locked.staged_values.storage.delete(staged))
    return Extract.objects.get(pk=extract.pk)


def extracts_publish_due(*, now: datetime | None = None) -> list[tuple[int, str]]:
    """Publish every scheduled extract whose time has come, each on its own; returns each
    one's id and resulting status. One that cannot be applied is left as it is (or back for
    review), and the others still go."""
    now = now or timezone.now()
    due = Extract.objects.filter(status=ExtractStatus.SCHEDULED, publish_at__lte=now)
    outcomes = []
    for extract in due.order_by("publish_at", "pk"):
        try:
            outcomes.append((extract.pk, extract_publish(extract=extract).status))
        except PublishRefused as refusal:
            logger.warning("Scheduled extract %s not published: %s", extract.pk, refusal.message)
            outcomes.append((extract.pk, "refused"))
    if outcomes:
        logger.info("Scheduled extracts published: %s", outcomes)
    return outcomes


def moment(at: datetime) -> str:
    """A publication time as analysts read it: "09:00 on 3 March 2027" (local time)."""
    local = timezone.localtime(at)
    return f"{formats.time_format(local, 'H:i')} on {formats.date_format(local, 'j F Y')}"


# --- Helpers -----------------------------------------------------------------------------


def _locked(extract: Extract, doing: str) -> Extract:
    """The extract's row, locked for this transaction, if it is awaiting review or
    scheduled (so two requests never publish, schedule or discard it twice)."""
    locked = Extract.objects.select_for_update().get(pk=extract.pk)
    if locked.status not in REVIEWABLE:
        raise PublishRefused(
            f"Only an extract awaiting review or scheduled can be {doing}; "
            f"this one is {_status(locked)}."
        )
    return locked


def _staged_values(extract: Extract):
    with extract.staged_values.open("rb") as handle:
        return values_from_parquet(handle.read())


def _status(extract: Extract) -> str:
    return extract.get_status_display().lower()


def _review_again(locked: Extract, *, user=None) -> Extract:
    """The live data moved under the review: work it out again, against the data as it is
    now (the indicators are locked), and wait for the analyst."""
    values = _staged_values(locked)
    review = review_compute(values, new_areas=locked.review.get("areas_to_create") or None)
    since = _published_since(locked)
    what = (
        f"extract {', '.join(f'#{pk}' for pk in since)} changed the same indicators"
        if since
        else "the same indicators' values changed (an extract was published or reverted)"
    )
    stopped = (
        f"Its publication at {moment(locked.publish_at)} was stopped: "
        if locked.status == ExtractStatus.SCHEDULED
        else "It was not published: "
    )
    notice = (
        f"{stopped}{what} after this review was worked out, so the changes below were worked "
        "out again. Review them, then publish or schedule it again."
    )
    Extract.objects.filter(pk=locked.pk).update(
        status=ExtractStatus.AWAITING_REVIEW, step="Awaiting review", publish_at=None,
        review=review.summary, base_versions=review.base_versions,
        reviewed_at=timezone.now(), review_notice=notice,
    )  # fmt: skip
    audit.record(
        action=AuditAction.REVIEW, obj=locked, user=user,
        details={"recomputed": True, "reason": notice, **review_counts(review.summary)},
    )  # fmt: skip
    return Extract.objects.get(pk=locked.pk)


def _published_since(extract: Extract) -> list[int]:
    """Extracts published since the review for any of the same indicators."""
    codes = set(extract.review.get("indicators", []))
    later = Extract.objects.filter(published_at__gte=extract.reviewed_at).exclude(pk=extract.pk)
    return [
        other.pk
        for other in later.only("pk", "report").order_by("pk")
        if codes & set(other.report.get("indicators", []))
    ]
