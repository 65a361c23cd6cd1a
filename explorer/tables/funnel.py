"""The funnel plot's table: each area placed against control limits around a benchmark, the
areas left out and why, and the download with each area's place on the funnel."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

import numpy as np

from explorer import selectors
from explorer.tables.no_data import require_values
from explorer.tables.rows import ValueRow, add_note_markers, area_rows, polarity_of
from indicators.exports import (
    EXPORT_HEADER,
    export_rows,
    number,
    observations_for_export,
    safe_text,
)
from indicators.statistics import funnel
from indicators.vocabulary import HIGHER_BETTER, LOWER_BETTER

# The value types whose control limits the funnel module can draw from counts (docs/methods.md §7):
# proportions by Wilson's inverse, crude rates and DSRs by Poisson limits on the events.
FUNNEL_RATE_TYPES = {"crude_rate": "crude", "dsr": "dsr"}
FUNNEL_VALUE_TYPES = ("proportion", *FUNNEL_RATE_TYPES)
ABOVE_998 = "Above the 99.8% upper limit"
ABOVE_95 = "Above the 95% upper limit"
WITHIN = "Within the limits"
BELOW_95 = "Below the 95% lower limit"
BELOW_998 = "Below the 99.8% lower limit"
NOT_ASSESSED = "Not assessed: fewer than 10 events"
# The funnel module's labels, in the order pages list them, with each one's marker shape (a
# plotly symbol and the same shape as text for tables) and direction (for better or worse).
FUNNEL_POSITIONS = {
    funnel.HIGH_3S: (ABOVE_998, "triangle-up", "▲", "higher"),
    funnel.HIGH_2S: (ABOVE_95, "triangle-up-open", "△", "higher"),
    funnel.NOT_SIGNIFICANT: (WITHIN, "circle", "●", ""),
    funnel.LOW_2S: (BELOW_95, "triangle-down-open", "▽", "lower"),
    funnel.LOW_3S: (BELOW_998, "triangle-down", "▼", "lower"),
    funnel.DSR_TOO_FEW_EVENTS: (NOT_ASSESSED, "x", "✕", ""),
}
POSITION_ORDER = [position[0] for position in FUNNEL_POSITIONS.values()]
LIMIT_LINES = {"3s": "99.8%", "2s": "95%"}
FUNNEL_CSV_COLUMNS = [
    "Funnel benchmark", "Funnel benchmark value", "Funnel denominator", "Funnel position"
]  # fmt: skip


@dataclass
class FunnelRow(ValueRow):
    """An area placed on the funnel: ``x``, the denominator the limits use; ``position``, where
    it falls (text), drawn as ``symbol`` (plotly's) and written as ``marker``; ``judgement``
    (better, worse or none) and ``tone`` (the colour); ``label`` says position and judgement."""

    x: float | None = None
    position: str = ""
    symbol: str = ""
    marker: str = ""
    judgement: str = ""
    tone: str = ""


@dataclass
class FunnelTable:
    """What a funnel page shows. ``rows``: the areas placed on the funnel; ``all_rows``: every
    area of the type, by name; ``limits``: for each line ("95%", "99.8%"), lists of x, lower
    and upper; ``left_out``: (reason, names) of areas not placed; ``problem``: why no limits
    are drawn at all."""

    rows: list[FunnelRow]
    all_rows: list[FunnelRow]
    benchmark: FunnelRow | None
    benchmark_role: str
    benchmark_name: str
    limits: dict = field(default_factory=dict)
    left_out: list[tuple[str, list[str]]] = field(default_factory=list)
    problem: str = ""
    notes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def outside(self) -> list[FunnelRow]:
        """Areas beyond the 95% limits, the furthest first: above, then below."""
        beyond = [row for row in self.rows if row.position not in (WITHIN, NOT_ASSESSED)]
        return sorted(beyond, key=lambda row: (POSITION_ORDER.index(row.position), row.name))


def funnel_table(selection) -> FunnelTable:
    """The funnel of the areas compare areas reads, around the parent area chosen under
    "Within", or England."""
    table = _funnel(selection)
    require_values(selection, rows=table.all_rows, table=table)
    return table


def _funnel(selection) -> FunnelTable:
    indicator = selection.indicator
    return place_on_funnel(
        selectors.compare_observations(selection) if indicator and selection.period else [],
        area_type=selection.area_type,
        parent_area=selection.parent,
        value_type=indicator.value_type if indicator else "",
        value_type_label=indicator.get_value_type_display() if indicator else "",
        multiplier=float(indicator.multiplier or 1) if indicator else 1.0,
        polarity=polarity_of(indicator),
    )


def place_on_funnel(
    observations, *, area_type, parent_area, value_type: str, value_type_label: str,
    multiplier: float, polarity: str,
) -> FunnelTable:  # fmt: skip
    """Place each area of the type on a funnel around the benchmark: the parent area's value
    when one is chosen, England's otherwise (as compare areas reads them, so a protected
    viewer's values and denominators are the disclosed ones, and suppressed areas are left out
    and counted)."""
    rows, england, parent = area_rows(
        observations, area_type=area_type, parent_area=parent_area, row_type=FunnelRow
    )
    rows.sort(key=lambda row: row.name)
    notes = add_note_markers(rows)
    benchmark, role = (parent, "parent area") if parent_area is not None else (england, "England")
    benchmark_name = parent_area.name if parent_area is not None else "England"
    table = FunnelTable(
        rows=[], all_rows=rows, benchmark=benchmark, benchmark_role=role,
        benchmark_name=benchmark_name, notes=notes,
    )  # fmt: skip
    if value_type not in FUNNEL_VALUE_TYPES:
        table.problem = (
            f"A funnel plot needs control limits worked out from each area's counts, which this "
            f"page can do for proportions, crude rates and directly standardised rates. This "
            f"indicator's value type is “{value_type_label}”, so no funnel is drawn: compare "
            f"its areas on Compare areas instead."
        )
        return table
    if benchmark is None or benchmark.value is None:
        table.problem = (
            f"{benchmark_name} has no value here, so there is no benchmark to draw the "
            f"limits around."
        )
        return table
    placed, suppressed, no_value, no_counts = [], [], [], []
    for row in rows:
        if row.value is None:
            (suppressed if row.suppressed else no_value).append(row.name)
        elif (x := _funnel_denominator(row, value_type=value_type, multiplier=multiplier)) is None:
            no_counts.append(row.name)
        else:
            row.x = x
            placed.append(row)
    table.left_out = [
        (reason, names)
        for reason, names in [
            ("suppressed", suppressed),
            ("no value", no_value),
            ("no count or denominator to place it by", no_counts),
        ]
        if names
    ]
    if not placed:
        return table
    baseline = benchmark.value / multiplier
    counts = np.array([row.count for row in placed], dtype=float)
    denominators = np.array([row.denominator or np.nan for row in placed], dtype=float)
    if value_type == "proportion":
        if not 0 <= baseline <= 1:
            table.problem = f"{benchmark_name}'s value is not a proportion, so no limits are drawn."
            return table
        labels = funnel.proportion_funnel_significance(counts, denominators, baseline=baseline)
        lines = funnel.proportion_funnel_limits(
            counts, denominators, multiplier=multiplier, baseline=baseline
        )
        table.limits = {
            name: {
                "x": lines["population"].tolist(),
                "lower": lines[f"lower_{line}_limit"].tolist(),
                "upper": lines[f"upper_{line}_limit"].tolist(),
            }
            for line, name in LIMIT_LINES.items()
        }
    else:
        values = np.array([row.value for row in placed], dtype=float)
        rate = {
            "rate_type": FUNNEL_RATE_TYPES[value_type], "multiplier": multiplier,
            "denominator": denominators, "baseline": baseline,
        }  # fmt: skip
        labels = funnel.rate_funnel_significance(counts, values, **rate)
        lines = funnel.rate_funnel_limits(counts, values, **rate)
        # Each line's points sit at their own populations (the axis is in events).
        table.limits = {
            name: {
                "x": lines[f"lower_{line}_population_1_year"].tolist(),
                "lower": lines[f"lower_{line}_limit"].tolist(),
                "x_upper": lines[f"upper_{line}_population_1_year"].tolist(),
                "upper": lines[f"upper_{line}_limit"].tolist(),
            }
            for line, name in LIMIT_LINES.items()
        }
    for row, label in zip(placed, labels, strict=True):
        text, symbol, marker, direction = FUNNEL_POSITIONS[str(label)]
        judgement = _judgement(direction, polarity)
        row.position, row.symbol, row.marker, row.judgement = text, symbol, marker, judgement
        row.tone = judgement or direction or ("within" if text == WITHIN else "not assessed")
        row.label = f"{text} ({judgement})" if judgement else text
    table.rows = placed
    return table


def _funnel_denominator(row: FunnelRow, *, value_type: str, multiplier: float) -> float | None:
    """The x of an area: its denominator; for a DSR, the population a crude rate would need
    to give the DSR from its events (events × multiplier ÷ DSR), as PHEindicatormethods
    places DSRs. None when the counts cannot place it."""
    count, denominator, value = row.count, row.denominator, row.value
    if count is None or count < 0:
        return None
    if value_type == "dsr":
        return multiplier * count / value if count > 0 and value > 0 else None
    if not denominator or denominator <= 0:
        return None
    if value_type == "proportion":
        return float(denominator) if count <= denominator else None
    # A crude rate: the denominator the funnel module derives from events and rate.
    return multiplier * count / value if count > 0 and value > 0 else float(denominator)


def _judgement(direction: str, polarity: str) -> str:
    if not direction or polarity not in (HIGHER_BETTER, LOWER_BETTER):
        return ""
    return "better" if (direction == "higher") == (polarity == HIGHER_BETTER) else "worse"


def write_funnel_csv(stream, selection) -> None:
    """The export format of the areas placed on the funnel and the benchmark, with each
    area's place on the funnel after it; text cells through ``safe_text`` like every export."""
    table = _funnel(selection)
    shown = [row.pk for row in table.rows] + (
        [table.benchmark.pk] if table.rows and table.benchmark else []
    )
    observations = observations_for_export(base=selectors.observations_by_pk(selection, pks=shown))
    placed = {row.code: row for row in table.rows}
    benchmark_code = table.benchmark.code if table.benchmark else ""
    benchmark_value = table.benchmark.value if table.benchmark else None
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(EXPORT_HEADER + FUNNEL_CSV_COLUMNS)
    for row in export_rows(observations):
        code = row[EXPORT_HEADER.index("Area Code")]
        area = placed.get(code)
        position = "Benchmark" if code == benchmark_code else (area.label if area else "")
        writer.writerow(
            row
            + [
                safe_text(table.benchmark_name),
                number(benchmark_value),
                number(area.x if area else None),
                safe_text(position),
            ]
        )
