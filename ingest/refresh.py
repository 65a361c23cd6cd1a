"""Refreshing indicators from Fingertips: one values extract per indicator with a Fingertips id.

Each indicator's data is fetched at the area types the registry uses (``FINGERTIPS_AREA_TYPES``
says which Fingertips area type each of ours is) and stored as an extract, which the
delivery layer sends through the same pipeline as an upload: reviewed before it goes live,
unless the instance publishes automatically. An answer Fingertips cannot give becomes a
failed extract whose message says why, and nothing else changes; an answer the same as an
earlier extract's is not stored again.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from indicators import audit
from indicators.models import (
    AreaType,
    AuditAction,
    Extract,
    ExtractKind,
    ExtractStatus,
    Indicator,
    Status,
)
from ingest.fingertips import FingertipsUnavailable, fingertips_csv
from ingest.services import ExtractRefused, extract_create

logger = logging.getLogger(__name__)


class RefreshRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RefreshOutcome:
    indicator: str  # its code
    extract: Extract | None  # queued for the pipeline, or failed; None when nothing was new
    message: str

    @property
    def queued(self) -> bool:
        return self.extract is not None and self.extract.status == ExtractStatus.QUEUED


def fingertips_refresh(*, indicator_codes: list[str] | None = None) -> list[RefreshOutcome]:
    """Fetch each indicator (every one with a Fingertips id that is not retired, or those
    named) and store what came back as an extract for the delivery layer to queue."""
    indicators = Indicator.objects.filter(fingertips_id__isnull=False).exclude(
        status=Status.RETIRED
    )
    if indicator_codes:
        named = set(indicator_codes)
        indicators = indicators.filter(code__in=named)
        unknown = sorted(named - set(indicators.values_list("code", flat=True)))
        if unknown:
            raise RefreshRefused(
                f"No indicator with a Fingertips id has the code {', '.join(unknown)}."
            )
    area_types = fingertips_area_types()
    return [_refresh(indicator, area_types) for indicator in indicators.order_by("code")]


def fingertips_area_types() -> dict[str, int]:
    """Fingertips' area type id for each of our area types that has areas in the registry
    and that Fingertips publishes (``FINGERTIPS_AREA_TYPES``)."""
    used = AreaType.objects.filter(areas__isnull=False).distinct().values_list("code", flat=True)
    mapping = settings.FINGERTIPS_AREA_TYPES
    return {code: mapping[code] for code in sorted(used) if code in mapping}


def _refresh(indicator: Indicator, area_types: dict[str, int]) -> RefreshOutcome:
    name = (
        f"fingertips-{indicator.fingertips_id}-{indicator.code}-"
        f"{timezone.localdate().isoformat()}.csv"
    )
    if not area_types:
        return _failed(
            indicator, name,
            "The registry has no areas of a type Fingertips publishes (FINGERTIPS_AREA_TYPES).",
        )  # fmt: skip
    try:
        data = fingertips_csv(
            fingertips_id=indicator.fingertips_id,
            area_type_ids=sorted(set(area_types.values())),
            api_url=settings.FINGERTIPS_API_URL,
            proxy=settings.FINGERTIPS_PROXY,
            timeout=settings.FINGERTIPS_TIMEOUT_SECONDS,
        )
    except FingertipsUnavailable as failure:
        return _failed(indicator, name, failure.message)
    # A scheduled refresh asks every day; what was fetched before, whatever became of it
    # (published, reverted or discarded), is not offered for review again.
    earlier = (
        Extract.objects.filter(checksum=hashlib.sha256(data).hexdigest())
        .exclude(status=ExtractStatus.FAILED)
        .order_by("pk")
        .first()
    )
    if earlier is not None:
        return RefreshOutcome(
            indicator.code, None,
            f"Nothing new: Fingertips' answer is the same as extract #{earlier.pk} "
            f"({earlier.get_status_display().lower()}).",
        )  # fmt: skip
    try:
        extract = extract_create(data=data, original_name=name, kind=ExtractKind.VALUES)
    except ExtractRefused as refusal:
        return _failed(indicator, name, refusal.message)
    return RefreshOutcome(
        indicator.code, extract, f"Extract #{extract.pk}: {len(data):,} bytes from Fingertips."
    )


def _failed(indicator: Indicator, name: str, message: str) -> RefreshOutcome:
    """A failed extract that says why, so the analyst sees the refresh beside the uploads."""
    summary = (
        f"Fingertips refresh of {indicator.code} (Fingertips {indicator.fingertips_id}): {message}"
    )
    now = timezone.now()
    with transaction.atomic():
        extract = Extract.objects.create(
            kind=ExtractKind.VALUES, original_name=name, checksum="",
            status=ExtractStatus.FAILED, step="Failed", progress=100, error_summary=summary,
            started_at=now, finished_at=now, report={"notes": [], "fingertips": True},
        )  # fmt: skip
        audit.record(
            action=AuditAction.UPLOAD, obj=extract,
            details={"kind": ExtractKind.VALUES, "source": "fingertips", "failed": message},
        )  # fmt: skip
    logger.warning("Fingertips refresh of %s failed: %s", indicator.code, message)
    return RefreshOutcome(indicator.code, extract, summary)
