"""The ingest pipeline: accept an extract, run its named steps, revert it.

Steps (each a function in its own module, tested alone):
parse (``parsing``) → validate (``validation``) → roll up and compute, for granular counts
(``rollup``, ``compute``) → derive suppression, comparisons, trends, SPC and inequality
summaries (``derive``) → write with history (``writing``). Derive comes first so each new row
is written once, whole; derive and write share one transaction: an extract is applied whole
or not at all. Unless the extract is to be published at once (``INGEST_AUTO_PUBLISH``, or
``publish``), the last two steps wait for an analyst: the values are staged and the review
(``review``) says what writing them would change; ``ingest.publishing`` applies them. The
Extract row records progress and outcome; the stored file and its error report are kept.
Nothing here knows of Celery: ``ingest.queue`` queues extracts.
"""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from indicators import audit
from indicators.exports import safe_text
from indicators.models import AuditAction, Extract, ExtractKind, ExtractStatus
from ingest import lookups
from ingest.compute import compute_values
from ingest.derive import analytics_derive, observations_apply
from ingest.parsing import ExtractRejected, check_file_type, check_zip_is_safe, read_table
from ingest.review import review_compute, values_to_parquet
from ingest.rollup import roll_up
from ingest.validation import validate_counts, validate_values
from ingest.writing import RevertRefused, areas_create, observations_revert

logger = logging.getLogger(__name__)

ACTIVE = {ExtractStatus.QUEUED, ExtractStatus.VALIDATING, ExtractStatus.PROCESSING}
# Computed and waiting for an analyst: publish (now or at a set time) or discard.
REVIEWABLE = {ExtractStatus.AWAITING_REVIEW, ExtractStatus.SCHEDULED}
# The same bytes may be uploaded again after these (``extract_create``).
UPLOADABLE_AGAIN = [ExtractStatus.FAILED, ExtractStatus.REVERTED, ExtractStatus.DISCARDED]
ALLOWED_SUFFIXES = {".csv", ".xlsx"}


class ExtractRefused(Exception):
    """An upload we will not accept; ``earlier`` is the extract it duplicates, if any."""

    def __init__(self, message: str, *, earlier: Extract | None = None):
        super().__init__(message)
        self.message = message
        self.earlier = earlier


@dataclass(frozen=True)
class PipelineResult:
    values: pd.DataFrame
    notes: list[str]
    skipped_areas: list[dict]
    new_areas: pd.DataFrame | None
    rows_read: int


# --- Accepting a file ------------------------------------------------------------------------


def extract_create(
    *,
    data: bytes,
    original_name: str,
    kind: str,
    uploaded_by=None,
    create_areas: bool = False,
    skip_unknown_indicators: bool = False,
    is_synthetic: bool = False,
    publish: bool = False,
    enqueue: bool = False,
) -> Extract:
    """Store an uploaded file as a queued extract. Queuing it is the delivery layer's
    (``ingest.queue.extract_submit``); tests and the demo loader process it in place.
    ``publish``: apply it as soon as it validates, without a review.

    Refused (ExtractRefused) when empty, over the size limit, of an unknown kind, or the same
    bytes as an earlier extract that is queued, processing, awaiting review or applied.
    ``enqueue`` is kept only for callers written when this function queued, which pass False."""
    if enqueue:
        raise TypeError("extract_create does not queue: call ingest.queue.extract_submit.")
    if kind not in ExtractKind.values:
        raise ExtractRefused(f"Choose the kind of extract: {', '.join(ExtractKind.values)}.")
    if not data:
        raise ExtractRefused("The file is empty.")
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise ExtractRefused(
            f"The file is {len(data):,} bytes; the limit is {settings.UPLOAD_MAX_BYTES:,} bytes."
        )
    try:
        # Cheap checks only (the first bytes, a zip's directory): reading the sheet is the
        # worker's job, so an upload never waits on a hostile workbook.
        if check_file_type(data, filename=Path(original_name).name or "The file") == "xlsx":
            check_zip_is_safe(data, max_bytes=settings.UPLOAD_MAX_BYTES)
    except ExtractRejected as rejection:
        raise ExtractRefused(rejection.message) from None
    checksum = hashlib.sha256(data).hexdigest()
    earlier = (
        Extract.objects.filter(checksum=checksum)
        .exclude(status__in=UPLOADABLE_AGAIN)
        .order_by("created_at")
        .first()
    )
    if earlier is not None:
        raise ExtractRefused(
            f"This file was already uploaded as extract #{earlier.pk} ({earlier.original_name}, "
            f"{earlier.get_status_display().lower()}).",
            earlier=earlier,
        )
    suffix = Path(original_name).suffix.lower()
    # The stored name is ours: a user's file name is never used as a path.
    stored_name = f"{uuid.uuid4().hex}{suffix if suffix in ALLOWED_SUFFIXES else '.bin'}"
    with transaction.atomic():
        extract = Extract(
            kind=kind,
            original_name=Path(original_name).name[:255] or "upload",
            checksum=checksum,
            uploaded_by=uploaded_by,
            create_areas=create_areas,
            skip_unknown_indicators=skip_unknown_indicators,
            is_synthetic=is_synthetic,
            publish_on_success=publish,
            step="Queued",
        )
        extract.stored_file.save(stored_name, ContentFile(data), save=False)
        extract.save()
        audit.record(
            action=AuditAction.UPLOAD, obj=extract, user=uploaded_by,
            details={"kind": kind, "bytes": len(data), "checksum": checksum,
                     "original_name": extract.original_name},
        )  # fmt: skip
    return extract


# --- Running the pipeline --------------------------------------------------------------------


def extract_process(*, extract_id: int, publish: bool | None = None) -> Extract:
    """Run every step for a queued (or interrupted) extract and record the outcome: awaiting
    review, or applied when ``publish`` is true (by default, when the extract was created to
    be published or ``INGEST_AUTO_PUBLISH`` is on).

    Safe to run again after a worker died: the write and derive steps are one transaction,
    so an interrupted run left nothing behind."""
    extract = Extract.objects.get(pk=extract_id)
    if extract.status not in ACTIVE:
        return extract
    if publish is None:
        publish = extract.publish_on_success or settings.INGEST_AUTO_PUBLISH
    _progress(
        extract, status=ExtractStatus.VALIDATING, progress=5, step="Reading the file",
        attempts=extract.attempts + 1, started_at=timezone.now(),
    )  # fmt: skip
    try:
        result = run_checks(extract)
    except ExtractRejected as rejection:
        return _fail(extract, rejection.message)
    except ValidationFailed as failure:
        return _fail(
            extract,
            failure.message,
            errors=failure.errors,
            rows_read=failure.rows_read,
            notes=failure.notes,
        )
    if not publish:
        return _stage(extract, result)
    _progress(
        extract,
        status=ExtractStatus.PROCESSING,
        progress=70,
        step="Writing values, comparisons, trends and SPC",
    )
    try:
        written = values_apply(extract, result.values, new_areas=result.new_areas)
    except (RevertRefused, ValueError) as error:
        return _fail(extract, str(error), rows_read=result.rows_read, notes=result.notes)
    report = {"notes": result.notes, "skipped_areas": result.skipped_areas, **written}
    _progress(
        extract, status=ExtractStatus.SUCCEEDED, progress=100, step="Done", report=report,
        rows_read=result.rows_read, rows_accepted=result.rows_read, rows_rejected=0,
        error_summary="", finished_at=timezone.now(), published_at=timezone.now(),
    )  # fmt: skip
    audit.record(action=AuditAction.PUBLISH, obj=extract, details={"automatic": True, **written})
    return Extract.objects.get(pk=extract.pk)


def values_apply(extract: Extract, values: pd.DataFrame, *, new_areas) -> dict:
    """Write the values with history and derive what depends on them, in one transaction
    (inside the caller's, if any); returns the report's counts. Raises RevertRefused or
    ValueError, having written nothing."""
    with transaction.atomic():
        created_areas = areas_create(new_areas)
        written, derived = observations_apply(values, extract=extract)
    return {
        "indicators": sorted(str(code) for code in pd.unique(values["indicator_code"])),
        "observations_created": written.created,
        "observations_replaced": written.replaced,
        "areas_created": created_areas,
        "series_derived": derived.series,
        "inequality_summaries": derived.inequality_summaries,
    }


def _stage(extract: Extract, result: PipelineResult) -> Extract:
    """Keep the computed values and say what publishing them would change."""
    _progress(
        extract, status=ExtractStatus.PROCESSING, progress=70,
        step="Working out what publishing would change",
    )  # fmt: skip
    try:
        review = review_compute(result.values, new_areas=result.new_areas)
    except ValueError as error:
        return _fail(extract, str(error), rows_read=result.rows_read, notes=result.notes)
    extract.staged_values.save(
        f"extract-{extract.pk}-values.parquet", ContentFile(values_to_parquet(result.values)),
        save=False,
    )  # fmt: skip
    now = timezone.now()
    _progress(
        extract, status=ExtractStatus.AWAITING_REVIEW, progress=100, step="Awaiting review",
        report={"notes": result.notes, "skipped_areas": result.skipped_areas},
        staged_values=extract.staged_values.name, review=review.summary,
        base_versions=review.base_versions, reviewed_at=now, review_notice="",
        rows_read=result.rows_read, rows_accepted=result.rows_read, rows_rejected=0,
        error_summary="", finished_at=now,
    )  # fmt: skip
    audit.record(action=AuditAction.REVIEW, obj=extract, details=review_counts(review.summary))
    return Extract.objects.get(pk=extract.pk)


def review_counts(summary: dict) -> dict:
    """The headline numbers of a review, for the audit log."""
    return {
        "added": summary["added"], "replaced": summary["replaced"],
        "changed": summary["changed"], "outside_ci": summary["outside_ci"],
        "england_flips": summary["england"]["count"],
        "trends_changed": summary["series"]["trends"], "spc_changed": summary["series"]["spc"],
        "suppression_applied": summary["suppression"]["applied"],
        "suppression_lifted": summary["suppression"]["lifted"],
    }  # fmt: skip


class ValidationFailed(Exception):
    def __init__(self, message, *, errors, rows_read, notes):
        super().__init__(message)
        self.message, self.errors, self.rows_read, self.notes = message, errors, rows_read, notes


def run_checks(extract: Extract) -> PipelineResult:
    """Parse and validate, and for granular counts roll up and compute: everything before
    the database is touched. Raises ExtractRejected or ValidationFailed."""
    with extract.stored_file.open("rb") as handle:
        data = handle.read()
    raw = read_table(data, filename=extract.original_name, max_bytes=settings.UPLOAD_MAX_BYTES)
    _progress(extract, progress=15, step="Checking every row")
    registry = lookups.validation_registry(
        create_areas=extract.create_areas, skip_unknown_indicators=extract.skip_unknown_indicators
    )
    validate = validate_counts if extract.kind == ExtractKind.COUNTS else validate_values
    validated = validate(raw, registry=registry)
    notes = list(raw.notes) + list(validated.notes)
    if not validated.errors.empty:
        rows = validated.errors["row"].nunique()
        raise ValidationFailed(
            f"{rows:,} of {validated.rows_read:,} rows have problems, so nothing was written. "
            "Download the error report, fix the file and upload it again.",
            errors=validated.errors, rows_read=validated.rows_read, notes=notes,
        )  # fmt: skip
    if validated.frame.empty:
        if validated.rows_read:  # every row was left out, as the analyst asked
            raise ExtractRejected(
                f"None of the {validated.rows_read:,} rows was kept, so nothing was written. "
                + " ".join(validated.notes)
            )
        raise ExtractRejected("The file has a header but no data rows.")
    skipped: list[dict] = []
    values = validated.frame
    if extract.kind == ExtractKind.COUNTS:
        _progress(extract, progress=40, step="Rolling up to larger areas")
        specs = lookups.indicator_specs()
        rolled = roll_up(validated.frame, areas=lookups.geography().arrays, indicators=specs)
        skipped = _skipped_records(rolled.skipped)
        _progress(extract, progress=55, step="Computing values and confidence intervals")
        computed = compute_values(rolled.cells, indicators=specs)
        # Unpublished quintile cells are kept: the inequality summary is derived from them.
        values = computed.drop(columns=["published"], errors="ignore")
        if values.empty:
            raise ExtractRejected(
                "No area could be computed: no larger area has all of its small areas in this file."
            )
    new_areas = getattr(validated, "new_areas", None)
    return PipelineResult(values, notes, skipped, new_areas, validated.rows_read)


def _skipped_records(skipped) -> list[dict]:
    if skipped is None:
        return []
    if isinstance(skipped, pd.DataFrame):
        return skipped.astype(object).where(skipped.notna(), None).to_dict("records")
    return [dict(item) if not isinstance(item, dict) else item for item in skipped]


def _progress(extract: Extract, **fields) -> None:
    """Record progress in its own statement, outside any pipeline transaction, so the
    upload screen sees it while the work goes on."""
    Extract.objects.filter(pk=extract.pk).update(**fields)
    for name, value in fields.items():
        setattr(extract, name, value)


def _fail(extract, message, *, errors=None, rows_read=0, notes=()) -> Extract:
    fields = {
        "status": ExtractStatus.FAILED, "step": "Failed", "error_summary": message, "progress": 100,
        "finished_at": timezone.now(), "rows_read": rows_read, "rows_accepted": 0,
        "rows_rejected": 0, "report": {"notes": list(notes)},
    }  # fmt: skip
    if errors is not None and not errors.empty:
        rejected = int(errors["row"].nunique())
        fields |= {"rows_rejected": rejected, "rows_accepted": max(rows_read - rejected, 0)}
        extract.error_report.save(
            f"extract-{extract.pk}-errors.csv", ContentFile(error_report_csv(errors)), save=False
        )
        fields["error_report"] = extract.error_report.name
        fields["report"]["errors_shown"] = errors.head(20).astype(str).to_dict("records")
    _progress(extract, **fields)
    logger.info("Extract %s failed: %s", extract.pk, message)
    return Extract.objects.get(pk=extract.pk)


def error_report_csv(errors: pd.DataFrame) -> bytes:
    """The error report as CSV. Its cells quote the analyst's file, so every text cell goes
    through the export's formula rule (``safe_text``), as in every CSV the site writes.
    (Validation has already shortened long values with ``cell_excerpt``.)"""
    report = errors.astype({"column": str, "value": str, "message": str})
    for column in ("column", "value", "message"):
        report[column] = report[column].map(safe_text)
    buffer = io.StringIO()
    report.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def extract_fail_unexpectedly(*, extract_id: int, error: BaseException) -> None:
    """Record a failure nobody planned for, without leaking internals to the page."""
    extract = Extract.objects.get(pk=extract_id)
    _fail(extract, f"Processing stopped because of an unexpected error ({type(error).__name__}). "
                   "Nothing was written. An administrator can see the details in the logs.")  # fmt: skip


# --- Revert and re-run -----------------------------------------------------------------------


def extract_revert(*, extract: Extract) -> Extract:
    """Restore exactly the values the extract replaced and remove those it added."""
    if extract.status != ExtractStatus.SUCCEEDED:
        raise RevertRefused(
            f"Only an applied extract can be reverted; this one is {extract.get_status_display().lower()}."
        )
    with transaction.atomic():
        locked = Extract.objects.select_for_update().get(pk=extract.pk)
        if locked.status != ExtractStatus.SUCCEEDED:
            raise RevertRefused("This extract has already been reverted.")
        reverted = observations_revert(locked)
        analytics_derive(indicator_ids=reverted.indicator_ids)
        report = dict(locked.report) | {
            "reverted_at": timezone.now().isoformat(),
            "observations_restored": reverted.replaced,
            "observations_removed": reverted.created,
        }
        Extract.objects.filter(pk=extract.pk).update(
            status=ExtractStatus.REVERTED, step="Reverted", report=report
        )
        audit.record(
            action=AuditAction.REVERT, obj=locked,
            details={"observations_restored": reverted.replaced,
                     "observations_removed": reverted.created},
        )  # fmt: skip
    return Extract.objects.get(pk=extract.pk)


INTERRUPTED_AFTER = timedelta(minutes=15)


def extract_can_rerun(extract: Extract) -> bool:
    """Failed, or queued/processing with no finish after INTERRUPTED_AFTER (its worker died):
    never one that is still being worked on, which would then be applied twice."""
    if extract.status == ExtractStatus.FAILED:
        return True
    if extract.status in ACTIVE:
        since = extract.started_at or extract.created_at
        return since is not None and timezone.now() - since > INTERRUPTED_AFTER
    return False


def extract_rerun(*, extract: Extract) -> Extract:
    """Mark a failed or interrupted extract queued again (after fixing the registry, say);
    ``ingest.queue.extract_resubmit`` also queues it."""
    if not extract_can_rerun(extract):
        raise RevertRefused(
            "Only a failed extract, or one interrupted for more than 15 minutes, can be run again."
        )
    Extract.objects.filter(pk=extract.pk).update(
        status=ExtractStatus.QUEUED, progress=0, step="Queued", error_summary=""
    )
    audit.record(action=AuditAction.RERUN, obj=extract, details={"was": extract.status})
    return Extract.objects.get(pk=extract.pk)
