"""Compare areas and the map: the areas of a type, ranked and sorted with England and the parent
area beside them, or placed on the map's boundary file."""

from __future__ import annotations

from dataclasses import dataclass, replace

from explorer import charts, maps, selectors
from explorer.tables.no_data import require_values
from explorer.tables.rows import AreaRow, add_note_markers, area_rows, polarity_of
from indicators.vocabulary import LOWER_BETTER

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
    rank_rows(rows, polarity=polarity_of(selection.indicator))
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
    require_values(selection, rows=rows, table=table)
    return table


def rank_rows(rows: list[AreaRow], *, polarity: str) -> None:
    """Rank 1 is the best value (the highest where there is no judgement); ties share a rank."""
    valued = [row for row in rows if row.value is not None]
    ordered = sorted(valued, key=lambda row: row.value, reverse=polarity != LOWER_BETTER)
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
    require_values(selection, rows=rows, table=table)
    return table
