"""Board packs built once per version of the data, and served from the stored file after.

A pack is keyed by its scope (whose framework, which domain or all, which period or the
latest) and its audience (protected viewers or analysts, who see different indicators and
different numbers), and by the **data version** (``indicators.data_version``: it changes
whenever anything the pack shows may have changed) with ``LAYOUT_VERSION``, raised when the
pack's layout changes, so a deployment that draws packs differently does not serve the old
drawings.

Requests, builds and failures are written here; ``reporting.tasks`` decides how a build is
delivered (a Celery worker, or in-process when there is no broker).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from indicators.data_version import data_version as current_data_version
from indicators.disclosure import ANALYST_FOOTNOTE, FOOTNOTE
from indicators.system import system_current
from reporting.boardpack import board_pack_pdf
from reporting.models import BoardPack, BoardPackStatus
from reporting.selectors import framework_report_for, reporting_periods

# Raise when the PDF's layout changes: packs built by the old layout stop being served.
LAYOUT_VERSION = 2
# A build that has not finished in this long was interrupted (its worker died): asking again
# starts it again.
INTERRUPTED_AFTER = timedelta(minutes=15)


class PackPeriodGone(Exception):
    """The pack's period no longer has data (an extract was reverted since it was asked for)."""


@dataclass(frozen=True)
class PackScope:
    """What a pack covers and for whom: a domain code (blank: the whole framework), a period
    label (blank: the latest data) and whether it is built for protected viewers."""

    domain_code: str
    period_label: str
    protected: bool

    @property
    def filename(self) -> str:
        name = f"board-pack-{self.domain_code or 'framework'}-{self.period_label or 'latest'}"
        return re.sub(r"[^A-Za-z0-9_-]", "-", name) + ".pdf"


def data_version() -> str:
    """The key of the data as it is now, in this layout of the pack (module docstring)."""
    return f"{LAYOUT_VERSION}.{current_data_version()}"


def _key(scope: PackScope, version: str) -> dict:
    return {
        "system_code": system_current().headline_area.code or "",
        "domain_code": scope.domain_code,
        "period_label": scope.period_label,
        "protected": scope.protected,
        "data_version": version,
    }


def scope_of(pack: BoardPack) -> PackScope:
    return PackScope(
        domain_code=pack.domain_code, period_label=pack.period_label, protected=pack.protected
    )


def board_pack_current(*, scope: PackScope) -> BoardPack | None:
    """The pack of ``scope`` for the data as it is now, if one was asked for."""
    return BoardPack.objects.filter(**_key(scope, data_version())).first()


def board_pack_is_current(pack: BoardPack) -> bool:
    return pack.data_version == data_version()


def board_pack_is_interrupted(pack: BoardPack) -> bool:
    """Queued or being built for longer than INTERRUPTED_AFTER: its worker is gone."""
    since = pack.started_at or pack.created_at
    return not pack.is_finished and timezone.now() - since > INTERRUPTED_AFTER


@transaction.atomic
def board_pack_request(*, scope: PackScope, user=None) -> tuple[BoardPack, bool]:
    """The pack of ``scope`` for the data as it is now, and whether it must be built: a new
    row, or a failed or interrupted one queued again. A pack that is ready or being built is
    returned as it is, so a second request never builds twice."""
    requested_by = user if user is not None and user.is_authenticated else None
    pack, created = BoardPack.objects.select_for_update().get_or_create(
        **_key(scope, data_version()),
        defaults={"requested_by": requested_by, "step": "Waiting for a worker"},
    )
    if created:
        return pack, True
    if pack.status == BoardPackStatus.FAILED or board_pack_is_interrupted(pack):
        pack.status, pack.progress, pack.step, pack.error = (
            BoardPackStatus.QUEUED, 0, "Waiting for a worker", ""
        )  # fmt: skip
        pack.started_at = pack.finished_at = None
        pack.created_at = timezone.now()
        pack.save()
        return pack, True
    return pack, False


def board_pack_build(*, pack_id: int) -> BoardPack:
    """Build the queued pack's PDF, store it and mark it ready, reporting progress on the row
    as it goes. A pack another worker is building (or has built) is left alone."""
    claimable = BoardPack.objects.filter(pk=pack_id, status=BoardPackStatus.QUEUED)
    stale = BoardPack.objects.filter(
        pk=pack_id, status=BoardPackStatus.BUILDING,
        started_at__lt=timezone.now() - INTERRUPTED_AFTER,
    )  # fmt: skip
    fields = {
        "status": BoardPackStatus.BUILDING, "started_at": timezone.now(), "progress": 1,
        "step": "Reading the framework",
    }  # fmt: skip
    if not (claimable.update(**fields) or stale.update(**fields)):
        return BoardPack.objects.get(pk=pack_id)
    pack = BoardPack.objects.get(pk=pack_id)
    started = time.perf_counter()
    period = None
    if pack.period_label:
        period = next((p for p in reporting_periods() if p.label == pack.period_label), None)
        if period is None:
            raise PackPeriodGone(f"There is no longer any data for {pack.period_label}.")
    domains = framework_report_for(
        protect=pack.protected, as_at=period.end if period else None,
        domain_code=pack.domain_code or None,
    )  # fmt: skip
    pdf = board_pack_pdf(
        system=system_current(), domains=domains, period=period,
        whole_framework=not pack.domain_code,
        footnote=FOOTNOTE if pack.protected else ANALYST_FOOTNOTE,
        on_progress=_progress_recorder(pack.pk),
    )  # fmt: skip
    pack.file.save(f"{pack.pk}-{scope_of(pack).filename}", ContentFile(pdf.content), save=False)
    BoardPack.objects.filter(pk=pack.pk).update(
        status=BoardPackStatus.READY, progress=100, step="Ready", file=pack.file.name,
        pages=pdf.pages, build_seconds=round(time.perf_counter() - started, 2),
        finished_at=timezone.now(),
    )  # fmt: skip
    _superseded_remove(pack)
    return BoardPack.objects.get(pk=pack.pk)


def _progress_recorder(pack_id: int):
    """A callback for the PDF builder that writes progress to the row when the whole
    percentage or the step changes (a few dozen small updates, not one per indicator)."""
    last = {"progress": -1, "step": ""}

    def record(fraction: float, step: str) -> None:
        progress = max(1, min(99, int(fraction * 100)))
        if progress == last["progress"] and step == last["step"]:
            return
        last.update(progress=progress, step=step)
        BoardPack.objects.filter(pk=pack_id).update(progress=progress, step=step[:120])

    return record


def board_pack_fail(*, pack_id: int, message: str) -> None:
    """Record why a build failed; the page offers to try again."""
    BoardPack.objects.filter(pk=pack_id).update(
        status=BoardPackStatus.FAILED, step="Failed", error=message[:2000],
        finished_at=timezone.now(),
    )  # fmt: skip


def _superseded_remove(pack: BoardPack) -> None:
    """Delete the finished packs of the same scope built from older data, files and rows:
    nobody is offered them once a newer pack exists."""
    older = BoardPack.objects.filter(
        system_code=pack.system_code, domain_code=pack.domain_code,
        period_label=pack.period_label, protected=pack.protected,
        status__in=[BoardPackStatus.READY, BoardPackStatus.FAILED], created_at__lt=pack.created_at,
    ).exclude(pk=pack.pk)  # fmt: skip
    for old in older:
        if old.file:
            old.file.delete(save=False)
        old.delete()
