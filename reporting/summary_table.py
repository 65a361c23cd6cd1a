"""The summary-icons table (Making Data Count's integrated performance report): every
indicator with its latest value, target, variation and assurance icons, comparison with the
benchmark, trend, gap to target and owner, grouped by domain. Pure functions over the
statuses ``reporting.selectors`` reads: which icon group a status is in, the filters, the
sort orders the indicator tables share, and the CSV table of exactly what is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from indicators.statistics.spc import ASSURANCE_LABELS
from reporting.charts import Table
from reporting.selectors import DomainReport, IndicatorStatus

# The icon filters, in the words of Making Data Count (indicators.statistics.spc labels).
VARIATION_FILTERS = {
    "improvement": "Special cause improvement",
    "concern": "Special cause concern",
    "neutral": "Special cause variation, no better direction",
    "common_cause": "Common cause variation",
    "none": "No SPC verdict (too few points)",
}
ASSURANCE_FILTERS = {
    "pass": ASSURANCE_LABELS["pass"],
    "fail": ASSURANCE_LABELS["fail"],
    "inconsistent": ASSURANCE_LABELS["inconsistent"],
    "none": "No target to assess",
}
BENCHMARK_FILTERS = {
    "better": "Better",
    "similar": "Similar",
    "worse": "Worse",
    "other": "Higher, lower or not compared",
}

SORT_KEYS = {
    "indicator": lambda status: status.indicator.code,
    "value": lambda status: (status.latest is None or status.latest.value is None,
                             status.latest.value if status.latest else 0),
    "england": lambda status: {"Worse": 0, "Similar": 1, "Better": 2}.get(status.england, 3),
    "variation": lambda status: {"deteriorating": 0, "no_change": 1, "improving": 2}.get(
        status.direction, 3),
    "assurance": lambda status: {"fail": 0, "inconsistent": 1, "pass": 2}.get(
        status.assurance_outcome, 3),
    "change": lambda status: {False: 0, None: 1, True: 2}[status.change_is_better],
    # Furthest from target first (in people or events), then met, then not computed.
    "gap": lambda status: (0, -status.target_gap.number) if status.target_gap.number
           else (1 if status.target_gap.met else 2, 0),
    "trend": lambda status: status.trend_label or "~",
    "owner": lambda status: str(status.indicator.owner or "~"),
}  # fmt: skip


def variation_group(status: IndicatorStatus) -> str:
    """The variation filter a status falls in (a key of VARIATION_FILTERS)."""
    if status.variation is None:
        return "none"
    icon = status.variation.icon
    return next(
        (group for group in ("improvement", "concern", "neutral") if icon.startswith(group)),
        "common_cause",
    )


def assurance_group(status: IndicatorStatus) -> str:
    return status.assurance_outcome


def benchmark_group(status: IndicatorStatus) -> str:
    return status.england.lower() if status.england in {"Better", "Similar", "Worse"} else "other"


@dataclass(frozen=True)
class DomainRows:
    """One domain's indicators as the table shows them, and how many it has in all."""

    report: DomainReport
    statuses: list[IndicatorStatus]


def summary_rows(
    domains: list[DomainReport],
    *,
    variation: str = "",
    assurance: str = "",
    benchmark: str = "",
    sort: str = "indicator",
) -> list[DomainRows]:
    """Each domain's indicators that match every filter given (blank: any), sorted within
    the domain; domains with none left are dropped."""
    chosen = [
        (variation, variation_group), (assurance, assurance_group), (benchmark, benchmark_group)
    ]  # fmt: skip
    rows = []
    for report in domains:
        shown = [
            status
            for status in report.statuses
            if all(not wanted or group(status) == wanted for wanted, group in chosen)
        ]
        if shown:
            rows.append(DomainRows(report=report, statuses=sorted(shown, key=SORT_KEYS[sort])))
    return rows


def summary_csv_table(rows: list[DomainRows], *, benchmark: str) -> Table:
    """The rows shown, as a data table for the CSV download."""
    return Table(
        caption="Summary of every indicator",
        headers=[
            "Domain", "Indicator code", "Indicator", "Latest value", "Lower 95% limit",
            "Upper 95% limit", "Unit", "Period", "Target", "Target lower", "Target upper",
            "Target period", "SPC variation", "SPC assurance", f"Compared with {benchmark}",
            f"{benchmark} value", "Recent trend", "Gap to target", "Owner",
        ],
        rows=[_csv_row(group.report, status) for group in rows for status in group.statuses],
    )  # fmt: skip


def _csv_row(report: DomainReport, status: IndicatorStatus) -> list:
    indicator, latest, target = status.indicator, status.latest, status.target
    return [
        report.domain.name, indicator.code, indicator.name,
        latest.value if latest else None, latest.lower_95 if latest else None,
        latest.upper_95 if latest else None, indicator.unit_label,
        latest.period if latest else "",
        target.value if target else None, target.range_lower if target else None,
        target.range_upper if target else None,
        target.target_period.label if target else "",
        status.variation.label if status.variation else status.spc_missing_reason,
        status.assurance.label if status.assurance else ASSURANCE_FILTERS["none"],
        status.england or "Not compared", latest.england_value if latest else None,
        status.trend_label, status.target_gap.label if target else "No target set",
        str(indicator.owner or ""),
    ]  # fmt: skip
