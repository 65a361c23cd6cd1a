"""Pure functions that turn the observations a page shows into table rows and explanations.

The same rows feed the chart and the table, so the two always agree."""

from __future__ import annotations

from dataclasses import dataclass

from explorer.selectors import ENGLAND_CODE, natural_key

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
