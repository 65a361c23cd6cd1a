"""The explorer's tables: each builder reads what its page shows through one selector and turns
it into typed rows, which feed the page's table, its chart and its download alike, so the three
always agree.

A builder that finds nothing to show raises ``NoData``, with the reason and the nearest
combination of filters that has data; the pages render it in one place (``views.explorer_page``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from typing import Self

import numpy as np

from explorer import charts, maps, selectors
from explorer.selectors import SummaryRow, natural_key
from indicators.exports import (
    EXPORT_HEADER,
    export_rows,
    number,
    observations_for_export,
    safe_text,
)
from indicators.models import Observation
from indicators.statistics import funnel
from indicators.vocabulary import ENGLAND_CODE, decile_label, quintile_label

# Core20: the most deprived fifth nationally, i.e. quintile 1 or deciles 1 and 2.
CORE20_CATEGORIES = {quintile_label(1), decile_label(1), decile_label(2)}
SEX_ORDER = ["Male", "Female", "Persons"]
SORT_TITLES = {
    "rank": "Rank", "name": "Area", "value": "Value", "count": "Count", "denominator": "Denominator"
}  # fmt: skip
SORT_KEYS = {
    "rank": lambda row: (row.rank is None, row.rank or 0),
    "name": lambda row: row.name.lower(),
    "value": lambda row: (row.value is None, row.value or 0),
    "count": lambda row: (row.count is None, row.count or 0),
    "denominator": lambda row: (row.denominator is None, row.denominator or 0),
}


class NoData(Exception):
    """Nothing to show for the chosen filters. ``message`` says why; ``link_text`` and
    ``query`` name the nearest combination that has data, where there is one; ``table`` is
    the page's table as far as it was built (areas whose every value is suppressed are still
    listed)."""

    def __init__(self, message: str, link_text: str = "", query: str = "", *, table=None):
        super().__init__(message)
        self.message, self.link_text, self.query, self.table = message, link_text, query, table


# --- Rows ---------------------------------------------------------------------------------------


class ReadByKey:
    """Lets a typed row be read as ``row["value"]`` as well as ``row.value``: the chart
    functions read rows by key, so they take these rows and plain dicts alike."""

    def __getitem__(self, name: str):
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None


@dataclass
class ValueRow(ReadByKey):
    """One observation as a table shows it. ``label`` is what the page colours the row by:
    its comparison with England unless the row's type says otherwise."""

    pk: int
    code: str
    name: str
    period: str
    sex: str
    age: str
    category: str
    value: float | None
    lower: float | None
    upper: float | None
    count: float | None
    denominator: float | None
    value_note: str
    suppressed: bool
    label: str
    note_marker: str = ""

    @classmethod
    def of(cls, observation, **fields) -> Self:
        """The row of ``observation``; ``fields`` fill the row type's own fields, or replace
        one of these."""
        return cls(
            **{
                "pk": observation.pk,
                "code": observation.area.code,
                "name": observation.area.name,
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
                "label": observation.england_comparison or "Not compared",
            }
            | fields
        )


@dataclass
class AreaRow(ValueRow):
    """An area on compare areas or the map: its ``rank`` (1 the best), ``role`` as a
    comparator ("England", "parent area") and ``location`` (its code in the map's
    boundary file)."""

    rank: int | None = None
    role: str = ""
    location: str = ""


@dataclass
class BreakdownRow(ValueRow):
    """A group of an area's breakdown (a sex, an age band, a deprivation quintile...):
    ``category`` names the group, ``label`` is its comparison with the area's own value."""

    core20: bool = False


@dataclass
class TrendLine(ReadByKey):
    code: str
    name: str
    is_england: bool
    points: list[ValueRow] = field(default_factory=list)


@dataclass
class GapRow(ReadByKey):
    """A period's inequality summary: the gap and ratio between the most and least deprived
    quintiles, the slope (SII) and relative (RII) indices with their 95% limits."""

    period: str
    gap: float | None
    ratio: float | None
    sii: float | None
    sii_lower: float | None
    sii_upper: float | None
    rii: float | None
    rii_lower: float | None
    rii_upper: float | None
    note: str


@dataclass
class SpineRow(ReadByKey):
    """An indicator on the area summary's spine chart."""

    name: str
    value: float | None
    england: float | None
    minimum: float | None
    q25: float | None
    q75: float | None
    maximum: float | None
    polarity: str
    label: str


def add_note_markers(rows) -> list[tuple[str, str]]:
    """Number each distinct value note ([1], [2]...) on the rows and return the footnotes."""
    notes: dict[str, str] = {}
    for row in rows:
        if row.value_note:
            notes.setdefault(row.value_note, f"[{len(notes) + 1}]")
            row.note_marker = notes[row.value_note]
    return [(marker, note) for note, marker in notes.items()]


def rank_rows(rows: list[AreaRow], *, polarity: str) -> None:
    """Rank 1 is the best value (the highest where there is no judgement); ties share a rank."""
    valued = [row for row in rows if row.value is not None]
    ordered = sorted(valued, key=lambda row: row.value, reverse=polarity != "lower_better")
    previous, rank = None, 0
    for position, row in enumerate(ordered, start=1):
        if row.value != previous:
            rank, previous = position, row.value
        row.rank = rank


def sort_rows(rows: list[AreaRow], *, key: str, descending: bool) -> list[AreaRow]:
    return sorted(rows, key=SORT_KEYS.get(key, SORT_KEYS["rank"]), reverse=descending)


def in_group_order(rows: list[AreaRow], *, members) -> list[AreaRow]:
    """Rows in the order of a comparator group's members (rows of other areas last)."""
    position = {area.code: number for number, area in enumerate(members)}
    return sorted(rows, key=lambda row: position.get(row.code, len(position)))


def area_rows(observations, *, area_type, parent_area, row_type=AreaRow):
    """The rows of the areas of ``area_type``, and England's and ``parent_area``'s rows
    (None where not read)."""
    rows, england, parent = [], None, None
    for observation in observations:
        row = row_type.of(observation)
        if observation.area.code == ENGLAND_CODE:
            england = row
        if parent_area is not None and observation.area_id == parent_area.pk:
            parent = row
        if observation.area.area_type_id == getattr(area_type, "pk", None):
            rows.append(row)
    return rows, england, parent


def _polarity(indicator) -> str:
    return indicator.polarity if indicator else "no_judgement"


# --- Compare areas and the map ------------------------------------------------------------------


@dataclass
class CompareTable:
    """The areas in the order the table shows them (``sort``, ``descending``), with England
    and the parent area as ``comparator_rows``; ``sort_columns``: (key, title, query) of each
    sortable column."""

    rows: list[AreaRow]
    england: AreaRow | None
    parent: AreaRow | None
    comparator_rows: list[AreaRow]
    notes: list[tuple[str, str]]
    sort: str
    descending: bool
    sort_columns: list[tuple[str, str, str]]


def compare_table(selection, *, sort: str | None, descending: bool) -> CompareTable:
    """The areas of the type, ranked, sorted by ``sort`` (None: by rank, or in a comparator
    group's order when one is chosen)."""
    observations = selectors.compare_observations(selection) if selection.period else []
    rows, england, parent = area_rows(
        observations,
        area_type=selection.area_type,
        parent_area=selection.parent or getattr(selection.area, "parent", None),
    )
    rank_rows(rows, polarity=_polarity(selection.indicator))
    notes = add_note_markers(rows + [row for row in (england, parent) if row])
    # A comparator group's members come in the group's order until a column is sorted.
    sort = ("" if selection.group else "rank") if sort is None else sort
    if sort not in SORT_KEYS and not (sort == "" and selection.group):
        sort = "rank"
    if sort:
        shown = sort_rows(rows, key=sort, descending=descending)
    else:
        shown = in_group_order(rows, members=selection.group_members)
    table = CompareTable(
        rows=shown,
        england=england,
        parent=parent,
        comparator_rows=[
            replace(row, role=role)
            for row, role in ((england, "England"), (parent, "parent area"))
            if row is not None
        ],
        notes=notes,
        sort=sort,
        descending=descending,
        sort_columns=[
            (
                key,
                title,
                selection.query(sort=key, dir="desc" if key == sort and not descending else ""),
            )
            for key, title in SORT_TITLES.items()
        ],
    )
    _require_values(selection, rows=rows, table=table)
    return table


@dataclass
class MapTable:
    """``rows``: the areas by name, for the table; ``drawn``: those the boundary file draws,
    for the map; ``missing``: those it has no boundary for; ``boundary_file``: the file's
    name ("" when the area type has none)."""

    rows: list[AreaRow]
    drawn: list[AreaRow]
    missing: list[AreaRow]
    notes: list[tuple[str, str]]
    boundary_file: str


def map_table(selection) -> MapTable:
    """The areas of the type, labelled by comparison with England or by quintile."""
    observations = selectors.compare_observations(selection) if selection.period else []
    rows, england, _ = area_rows(observations, area_type=selection.area_type, parent_area=None)
    notes = add_note_markers(rows + ([england] if england else []))
    if selection.colour == "quintile" and selection.indicator is not None:
        labels = charts.quintile_classes(
            [row.value for row in rows], polarity=selection.indicator.polarity
        )
        for row, label in zip(rows, labels, strict=True):
            row.label = label
    area_type_code = selection.area_type.code if selection.area_type else ""
    drawable = maps.boundary_codes(area_type_code) if area_type_code else frozenset()
    undrawn = [row.code for row in rows if row.code not in drawable]
    aliases = selectors.area_aliases(undrawn) if drawable and undrawn else {}
    for row in rows:
        row.location = maps.boundary_location(row.code, aliases.get(row.code, ()), drawable)
    table = MapTable(
        rows=sorted(rows, key=lambda row: row.name),
        drawn=[row for row in rows if row.location in drawable],
        missing=[row for row in rows if row.location not in drawable],
        notes=notes,
        boundary_file=maps.BOUNDARY_FILES.get(area_type_code, ""),
    )
    _require_values(selection, rows=rows, table=table)
    return table


# --- Inequalities -------------------------------------------------------------------------------


@dataclass
class InequalityTable:
    """The area's own value (``headline``) and its breakdown's groups, in order."""

    rows: list[BreakdownRow]
    headline: ValueRow | None
    notes: list[tuple[str, str]]


def inequality_table(selection) -> InequalityTable:
    """One area's values by sex, age band or deprivation (Core20 marked), each compared with
    the area's own value."""
    observations = (
        list(selectors.inequality_observations(selection))
        if selection.area and selection.period
        else []
    )
    headline = next(
        (
            ValueRow.of(o)
            for o in observations
            if not o.category_type and o.sex == selection.sex and o.age == selection.age
        ),
        None,
    )
    rows = [
        BreakdownRow.of(
            observation, category=group, core20=observation.category in CORE20_CATEGORIES
        )
        for group, observation in _breakdown_groups(observations, selection)
    ]
    versus_area = charts.compare_with_area(
        rows,
        area_value=headline.value if headline else None,
        polarity=_polarity(selection.indicator),
    )
    for row, label in zip(rows, versus_area, strict=True):
        row.label = label
    table = InequalityTable(rows=rows, headline=headline, notes=add_note_markers(rows))
    _require_values(selection, rows=rows, table=table)
    return table


def _breakdown_groups(observations, selection) -> list[tuple[str, Observation]]:
    """(group name, observation) of each group of the breakdown, in order."""
    if selection.breakdown == "sex":
        groups = [(o.sex, o) for o in observations if not o.category_type]
        return sorted(groups, key=lambda group: SEX_ORDER.index(group[0]))
    if selection.breakdown == "age_band":
        groups = [
            (o.age, o) for o in observations if not o.category_type and o.sex == selection.sex
        ]
    else:
        groups = [(o.category, o) for o in observations if o.category_type]
    return sorted(groups, key=lambda group: natural_key(group[0]))


def inequality_gap_rows(selection) -> list[GapRow]:
    """The area's inequality summary in every period (none for a breakdown other than
    deprivation)."""
    summaries = selectors.inequality_summaries(selection) if selection.area else []
    return [
        GapRow(
            period=s.period.label, gap=s.gap, ratio=s.ratio, sii=s.sii, sii_lower=s.sii_lower,
            sii_upper=s.sii_upper, rii=s.rii, rii_lower=s.rii_lower, rii_upper=s.rii_upper,
            note=s.note,
        )
        for s in summaries
    ]  # fmt: skip


# --- Trends -------------------------------------------------------------------------------------


@dataclass
class TrendTable:
    """One line per area, in the order drawn (chosen areas first, England last), and the
    periods in order."""

    series: list[TrendLine]
    periods: list[str]
    notes: list[tuple[str, str]]


def trend_table(selection) -> TrendTable:
    observations = selectors.trend_observations(selection) if selection.indicator else []
    order = [area.code for area in selectors.trend_areas(selection)]
    series: dict[str, TrendLine] = {}
    periods: dict[str, str] = {}
    for observation in observations:
        area = observation.area
        line = series.setdefault(
            area.code, TrendLine(area.code, area.name, is_england=area.code == ENGLAND_CODE)
        )
        line.points.append(ValueRow.of(observation))
        periods[observation.period.label] = observation.period.sort_key
    ordered = sorted(
        series.values(),
        key=lambda line: (line.is_england, order.index(line.code) if line.code in order else 50),
    )
    points = [point for line in ordered for point in line.points]
    table = TrendTable(
        series=ordered,
        periods=sorted(periods, key=periods.get),
        notes=add_note_markers(points),
    )
    _require_values(selection, rows=points, table=table)
    return table


# --- Area summary -------------------------------------------------------------------------------


@dataclass
class SummaryTable:
    """Every indicator's latest value for the area (``rows``), and those it has a value for
    as ``spine_rows``, for the chart."""

    rows: list[SummaryRow]
    spine_rows: list[SpineRow]
    notes: list[tuple[str, str]]


def summary_table(selection) -> SummaryTable:
    rows = selectors.area_summary(selection) if selection.area else []
    shown = [row for row in rows if row.observation is not None]
    return SummaryTable(
        rows=rows,
        spine_rows=[
            SpineRow(
                name=f"{row.indicator.code} {row.indicator.name}",
                value=row.observation.value,
                england=row.england,
                minimum=row.minimum,
                q25=row.q25,
                q75=row.q75,
                maximum=row.maximum,
                polarity=row.indicator.polarity,
                label=row.observation.england_comparison or "Not compared",
            )
            for row in shown
        ],
        notes=add_note_markers(shown),
    )


# --- No data ------------------------------------------------------------------------------------


def _require_values(selection, *, rows, table) -> None:
    """Raise NoData, with the table, unless a row has a value."""
    if any(row.value is not None for row in rows):
        return
    no_data = _why_no_data(selection, rows=rows)
    no_data.table = table
    raise no_data


def _why_no_data(selection, *, rows) -> NoData:
    """Why there is nothing to show, checked from the broadest (nothing loaded) to the
    narrowest (every value suppressed)."""
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
    if rows:
        notes = sorted({row.value_note for row in rows if row.value_note})
        suppressed = any(row.suppressed for row in rows)
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
    _require_values(selection, rows=table.all_rows, table=table)
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
        polarity=_polarity(indicator),
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
    if not direction or polarity not in ("higher_better", "lower_better"):
        return ""
    return "better" if (direction == "higher") == (polarity == "higher_better") else "worse"


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
