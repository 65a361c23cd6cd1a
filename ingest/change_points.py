"""Change points: analysts' record of a known change to a process, from which the SPC limits
of an indicator's series are recalculated (NHSRplotthedots' rebase, docs/methods.md §11).

Every write here re-derives the affected indicators in the same transaction, so the stored
SPC never disagrees with the change points; the audit log records each add, change and
delete through the registry signals (indicators/audit.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.db import transaction

from indicators.models import Area, ChangePoint, Indicator, Observation, Period
from indicators.periods import PeriodLabelError, parse_period_label
from indicators.services import ImportFailed, ImportReport, read_csv_rows
from ingest.derive import analytics_derive
from ingest.writing import lock_indicators

CHANGE_POINT_COLUMNS = ["indicator_code", "area_code", "period", "reason"]
REASON_LIMIT = ChangePoint._meta.get_field("reason").max_length


@dataclass(frozen=True)
class _Row:
    line: int
    indicator: Indicator
    area: Area | None
    period: Period
    reason: str

    @property
    def key(self) -> tuple:
        return (self.indicator.pk, self.area.pk if self.area else None, self.period.pk)

    @property
    def label(self) -> str:
        where = self.area.code if self.area else "all areas"
        return f"{self.indicator.code} {where} {self.period.label}"


def change_point_save(*, change_point: ChangePoint, user=None) -> ChangePoint:
    """Save one change point (new or edited) and re-derive its indicator's series."""
    with transaction.atomic():
        if change_point.pk is None and user is not None and user.is_authenticated:
            change_point.created_by = user
        change_point.full_clean()
        change_point.save()
        change_points_rederive(indicator_ids=[change_point.indicator_id])
    return change_point


def change_point_delete(*, change_point: ChangePoint) -> None:
    """Delete one change point and re-derive its indicator's series without it."""
    with transaction.atomic():
        indicator_id = change_point.indicator_id
        change_point.delete()
        change_points_rederive(indicator_ids=[indicator_id])


def change_points_rederive(*, indicator_ids) -> None:
    """Recompute the indicators' series analytics (SPC phases come from the change points).
    Locks the indicators first, as an extract does, so a concurrent extract waits."""
    indicator_ids = sorted(set(indicator_ids))
    if not indicator_ids:
        return
    lock_indicators(indicator_ids)
    analytics_derive(indicator_ids=indicator_ids)


def change_points_import(*, change_points_file: IO | str) -> ImportReport:
    """Upsert change points from CSV: indicator_code, area_code (blank: every area), period
    (a label such as ``2024/25`` or ``Oct 2024``: the first period of the new phase) and
    reason. Any bad row refuses the whole file with line-numbered messages and writes
    nothing; a file loaded twice changes nothing the second time."""
    rows = read_csv_rows(change_points_file, required=CHANGE_POINT_COLUMNS, what="change points")
    indicators = {
        indicator.code: indicator
        for indicator in Indicator.objects.filter(
            code__in={row["indicator_code"] for _, row in rows}
        )
    }
    areas = {
        area.code: area
        for area in Area.objects.filter(code__in={row["area_code"] for _, row in rows} - {""})
    }
    errors: list[str] = []
    parsed: list[_Row] = []
    seen: dict[tuple, int] = {}
    for line, row in rows:
        problems_before = len(errors)
        indicator = indicators.get(row["indicator_code"])
        if indicator is None:
            errors.append(
                f"Line {line}: indicator {row['indicator_code']!r} is not in the registry."
            )
        area = None
        if row["area_code"]:
            area = areas.get(row["area_code"])
            if area is None:
                errors.append(f"Line {line}: area {row['area_code']!r} is not in the registry.")
        period = _period(row["period"], indicator, line, errors)
        reason = row["reason"]
        if not reason:
            errors.append(
                f"Line {line}: reason is empty: say what changed (it is shown on charts)."
            )
        elif len(reason) > REASON_LIMIT:
            errors.append(f"Line {line}: reason is longer than {REASON_LIMIT} characters.")
        if len(errors) > problems_before:
            continue
        item = _Row(line, indicator, area, period, reason)
        if item.key in seen:
            errors.append(
                f"Line {line}: {item.label} repeats line {seen[item.key]}; give each change "
                "point once."
            )
            continue
        seen[item.key] = line
        parsed.append(item)
    if errors:
        raise ImportFailed(errors)

    report = ImportReport()
    with transaction.atomic():
        affected = set()
        for item in parsed:
            existing = ChangePoint.objects.filter(
                indicator=item.indicator, area=item.area, period=item.period
            ).first()
            if existing is None:
                ChangePoint.objects.create(
                    indicator=item.indicator, area=item.area, period=item.period,
                    reason=item.reason,
                )  # fmt: skip
                report.created.append(item.label)
                affected.add(item.indicator.pk)
            elif existing.reason != item.reason:
                existing.reason = item.reason
                existing.save()
                report.changed.append(item.label)
                affected.add(item.indicator.pk)
            else:
                report.unchanged.append(item.label)
        change_points_rederive(indicator_ids=affected)
    return report


def _period(label: str, indicator: Indicator | None, line: int, errors: list[str]):
    """The stored period with this label. Labels are not unique ("2023/24" is a financial
    and an academic year): prefer the periods the indicator has data for, then the kind the
    label parses as (indicators/periods.py)."""
    if not label:
        errors.append(f"Line {line}: period is empty: give the first period of the new phase.")
        return None
    candidates = list(Period.objects.filter(label=label))
    if indicator is not None and len(candidates) > 1:
        used = set(
            Observation.objects.filter(indicator=indicator, period__in=candidates)
            .values_list("period_id", flat=True)
            .distinct()
        )
        candidates = [period for period in candidates if period.pk in used] or candidates
    if len(candidates) > 1:
        try:
            parsed = parse_period_label(label)
        except PeriodLabelError:
            parsed = None
        candidates = [
            period
            for period in candidates
            if parsed is not None
            and (period.kind, period.start, period.end) == (parsed.kind, parsed.start, parsed.end)
        ] or candidates
    if not candidates:
        errors.append(
            f"Line {line}: period {label!r} is not a period the dashboard holds data for."
        )
        return None
    if len(candidates) > 1:
        errors.append(f"Line {line}: period {label!r} is ambiguous ({len(candidates)} periods).")
        return None
    return candidates[0]
