"""Pure functions that turn the observations a page shows into table rows and explanations.

The same rows feed the chart and the table, so the two always agree."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

import numpy as np

from explorer.selectors import ENGLAND_CODE, natural_key
from indicators.exports import EXPORT_HEADER, export_rows, number, safe_text
from indicators.statistics import funnel

SORT_KEYS = {
    "rank": lambda row: (row["rank"] is None, row["rank"] or 0),
    "name": lambda row: row["name"].lower(),
    "value": lambda row: (row["value"] is None, row["value"] or 0),
    "count": lambda row: (row["count"] is None, row["count"] or 0),
    "denominator": lambda row: (row["denominator"] is None, row["denominator"] or 0),
}


def observation_row(observation, analytics=None) -> dict:
    label = observation.england_comparison or "Not compared"
    row = {
        "code": observation.area.code,
        "name": observation.area.name,
        "area_type": observation.area.area_type.name,
        "period": observation.period.label,
        "sex": observation.sex,
        "age": observation.age,
        "category": observation.category,
        "value": observation.value,
        "lower": observation.lower_95,
        "upper": observation.upper_95,
        "count": observation.count,
        "denominator": observation.denominator,
        "value_note": observation.value_note,
        "suppressed": observation.suppressed,
        "label": label,
        "parent_label": observation.parent_comparison,
        "trend": "",
        "note_marker": "",
    }
    if analytics is not None:
        row["trend"] = analytics.trend_label
    return row


def add_note_markers(rows: list[dict]) -> list[tuple[str, str]]:
    """Number each distinct value note ([1], [2]...) and return the footnotes."""
    notes: dict[str, str] = {}
    for row in rows:
        note = row.get("value_note")
        if note:
            notes.setdefault(note, f"[{len(notes) + 1}]")
            row["note_marker"] = notes[note]
    return [(marker, note) for note, marker in notes.items()]


def rank_rows(rows: list[dict], *, polarity: str) -> None:
    """Rank 1 is the best value (the highest where there is no judgement); ties share a rank."""
    valued = [row for row in rows if row["value"] is not None]
    ordered = sorted(valued, key=lambda row: row["value"], reverse=polarity != "lower_better")
    previous, rank = None, 0
    for position, row in enumerate(ordered, start=1):
        if row["value"] != previous:
            rank, previous = position, row["value"]
        row["rank"] = rank
    for row in rows:
        row.setdefault("rank", None)


def sort_rows(rows: list[dict], *, key: str, descending: bool) -> list[dict]:
    return sorted(rows, key=SORT_KEYS.get(key, SORT_KEYS["rank"]), reverse=descending)


def in_group_order(rows: list[dict], *, members) -> list[dict]:
    """Rows in the order of a comparator group's members (rows of other areas last)."""
    position = {area.code: number for number, area in enumerate(members)}
    return sorted(rows, key=lambda row: position.get(row["code"], len(position)))


@dataclass
class CompareTable:
    rows: list[dict]
    england: dict | None
    parent: dict | None
    notes: list[tuple[str, str]]


def compare_table(observations, *, area_type_id, parent_area, polarity) -> CompareTable:
    rows, england, parent = [], None, None
    for observation in observations:
        row = observation_row(observation)
        if observation.area.code == ENGLAND_CODE:
            england = row
        if parent_area is not None and observation.area_id == parent_area.pk:
            parent = row
        if observation.area.area_type_id == area_type_id:
            rows.append(row)
    rank_rows(rows, polarity=polarity)
    notes = add_note_markers(rows + [r for r in (england, parent) if r])
    return CompareTable(rows=rows, england=england, parent=parent, notes=notes)


def category_sort_key(category: str):
    return natural_key(category)


@dataclass
class NoData:
    """Why a combination shows nothing, and the nearest one that has data."""

    message: str
    link_text: str = ""
    query: str = ""


def explain_no_data(selection, *, rows: list[dict]) -> NoData | None:
    """None when there is something to show; otherwise the reason, checked from the broadest
    (nothing loaded) to the narrowest (every value suppressed)."""
    if any(row["value"] is not None for row in rows):
        return None
    indicator, availability = selection.indicator, selection.availability
    if indicator is None:
        return NoData(
            "There are no indicators you can see in this domain yet.",
            "All domains",
            selection.query(domain=""),
        )
    if not availability.combinations:
        return NoData(f"No data has been loaded for {indicator.code} {indicator.name} yet.")
    area_type = selection.area_type
    if area_type is None or area_type.pk not in availability.area_type_ids():
        options = [t for t in selection.area_types if t.pk in availability.area_type_ids()]
        names = ", ".join(t.name for t in options) or "no area type shown here"
        level = area_type.level if area_type else 0
        nearest = min(options, key=lambda t: (abs(t.level - level), -t.level), default=None)
        return NoData(
            f"{indicator.code} is not published for {area_type.name if area_type else 'this area type'}. "
            f"It has data for: {names}.",
            f"Show {nearest.name}" if nearest else "",
            selection.query(area_type=nearest.code, area="", parent="", period="")
            if nearest
            else "",
        )
    if selection.sex not in availability.sexes(area_type_id=area_type.pk):
        return NoData(
            f"{indicator.code} has no values for {selection.sex.lower()} at this area type.",
            "Show persons", selection.query(sex="Persons"),
        )  # fmt: skip
    if selection.period is not None:
        here = availability.period_ids(
            area_type_id=area_type.pk, sex=selection.sex, age=selection.age
        )
        if selection.period.pk not in here:
            offered = [p for p in selection.periods if p.pk in here]
            latest = offered[-1] if offered else None
            later = latest is None or selection.period.sort_key > latest.sort_key
            reason = (
                f"Data for {selection.period.label} has not been published yet."
                if later and selection.period.pk not in availability.period_ids()
                else f"There is no data for {selection.period.label} for {area_type.name}."
            )
            nearest = min(
                offered, key=lambda p: abs(_key_distance(p, selection.period)), default=None
            )
            return NoData(
                reason + (f" The nearest period with data is {nearest.label}." if nearest else ""),
                f"Show {nearest.label}" if nearest else "",
                selection.query(period=nearest.label) if nearest else "",
            )
    if rows and all(row["value"] is None for row in rows):
        notes = sorted({row["value_note"] for row in rows if row["value_note"]})
        suppressed = any(row["suppressed"] for row in rows)
        why = (
            "suppressed to protect confidentiality (small numbers)"
            if suppressed
            else "not calculated"
        )
        return NoData(
            f"Every value here was {why}"
            + (f": {'; '.join(notes)}." if notes else ".")
            + " A larger area or a longer period may have a value.",
        )
    return NoData("There is no data for this combination of filters.")


def _key_distance(period, other) -> int:
    digits = "".join(ch for ch in period.sort_key if ch.isdigit())[:8] or "0"
    other_digits = "".join(ch for ch in other.sort_key if ch.isdigit())[:8] or "0"
    return int(digits) - int(other_digits)


# --- Funnel plot ------------------------------------------------------------------------------

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
class FunnelTable:
    """What a funnel page shows. ``rows``: the areas placed on the funnel, each with ``x`` (the
    denominator the limits use), ``position`` (text), ``symbol`` and ``marker``; ``limits``:
    for each line ("95%", "99.8%"), lists of x, lower and upper; ``left_out``: (reason,
    names) of areas not placed; ``problem``: why no limits are drawn at all."""

    rows: list[dict]
    all_rows: list[dict]
    benchmark: dict | None
    benchmark_role: str
    limits: dict = field(default_factory=dict)
    left_out: list[tuple[str, list[str]]] = field(default_factory=list)
    problem: str = ""
    notes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def outside(self) -> list[dict]:
        """Areas beyond the 95% limits, the furthest first: above, then below."""
        beyond = [row for row in self.rows if row["position"] not in (WITHIN, NOT_ASSESSED)]
        return sorted(beyond, key=lambda row: (POSITION_ORDER.index(row["position"]), row["name"]))


def funnel_table(
    observations, *, area_type_id, parent_area, value_type: str, value_type_label: str,
    multiplier: float, polarity: str,
) -> FunnelTable:  # fmt: skip
    """Place each area of the type on a funnel around the benchmark: the parent area's value
    when one is chosen, England's otherwise (as compare areas reads them, so a protected
    viewer's values and denominators are the disclosed ones, and suppressed areas are left out
    and counted)."""
    rows, england, parent = [], None, None
    for observation in observations:
        row = observation_row(observation) | {"pk": observation.pk}
        if observation.area.code == ENGLAND_CODE:
            england = row
        if parent_area is not None and observation.area_id == parent_area.pk:
            parent = row
        if observation.area.area_type_id == area_type_id:
            rows.append(row)
    rows.sort(key=lambda row: row["name"])
    notes = add_note_markers(rows)
    benchmark, role = (parent, "parent area") if parent_area is not None else (england, "England")
    table = FunnelTable(
        rows=[], all_rows=rows, benchmark=benchmark, benchmark_role=role, notes=notes
    )
    if value_type not in FUNNEL_VALUE_TYPES:
        table.problem = (
            f"A funnel plot needs control limits worked out from each area's counts, which this "
            f"page can do for proportions, crude rates and directly standardised rates. This "
            f"indicator's value type is “{value_type_label}”, so no funnel is drawn: compare "
            f"its areas on Compare areas instead."
        )
        return table
    benchmark_name = parent_area.name if parent_area is not None else "England"
    if benchmark is None or benchmark["value"] is None:
        table.problem = (
            f"{benchmark_name} has no value here, so there is no benchmark to draw the "
            f"limits around."
        )
        return table
    placed, suppressed, no_value, no_counts = [], [], [], []
    for row in rows:
        if row["value"] is None:
            (suppressed if row["suppressed"] else no_value).append(row["name"])
        elif (x := _funnel_denominator(row, value_type=value_type, multiplier=multiplier)) is None:
            no_counts.append(row["name"])
        else:
            placed.append(row | {"x": x})
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
    baseline = benchmark["value"] / multiplier
    counts = np.array([row["count"] for row in placed], dtype=float)
    denominators = np.array([row["denominator"] or np.nan for row in placed], dtype=float)
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
        values = np.array([row["value"] for row in placed], dtype=float)
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
        row.update(
            position=text,
            symbol=symbol,
            marker=marker,
            judgement=judgement,
            tone=judgement or direction or ("within" if text == WITHIN else "not assessed"),
            label=f"{text} ({judgement})" if judgement else text,
        )
    table.rows = placed
    return table


def _funnel_denominator(row: dict, *, value_type: str, multiplier: float) -> float | None:
    """The x of an area: its denominator; for a DSR, the population a crude rate would need
    to give the DSR from its events (events × multiplier ÷ DSR), as PHEindicatormethods
    places DSRs. None when the counts cannot place it."""
    count, denominator, value = row["count"], row["denominator"], row["value"]
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
    if not direction or polarity not in ("higher_better", "lower_better"):
        return ""
    return "better" if (direction == "higher") == (polarity == "higher_better") else "worse"


def write_funnel_csv(stream, observations, *, table: FunnelTable, benchmark_name: str) -> None:
    """The export format of the areas placed on the funnel and the benchmark, with each
    area's place on the funnel after it; text cells through ``safe_text`` like every export."""
    placed = {row["code"]: row for row in table.rows}
    benchmark_code = table.benchmark["code"] if table.benchmark else ""
    benchmark_value = table.benchmark["value"] if table.benchmark else None
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(EXPORT_HEADER + FUNNEL_CSV_COLUMNS)
    for row in export_rows(observations):
        code = row[EXPORT_HEADER.index("Area Code")]
        area = placed.get(code)
        position = "Benchmark" if code == benchmark_code else (area["label"] if area else "")
        writer.writerow(
            row
            + [
                safe_text(benchmark_name),
                number(benchmark_value),
                number(area["x"] if area else None),
                safe_text(position),
            ]
        )
