"""The typed rows every table is made of: an observation as a table shows it (``ValueRow``)
and an area among others (``AreaRow``), with the footnote markers of their value notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from indicators.vocabulary import ENGLAND_CODE


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


def add_note_markers(rows) -> list[tuple[str, str]]:
    """Number each distinct value note ([1], [2]...) on the rows and return the footnotes."""
    notes: dict[str, str] = {}
    for row in rows:
        if row.value_note:
            notes.setdefault(row.value_note, f"[{len(notes) + 1}]")
            row.note_marker = notes[row.value_note]
    return [(marker, note) for note, marker in notes.items()]


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


def polarity_of(indicator) -> str:
    return indicator.polarity if indicator else "no_judgement"
