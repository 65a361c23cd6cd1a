"""When a page has nothing to show: ``NoData``, with the reason and the nearest combination
of filters that has data, checked from the broadest cause to the narrowest."""

from __future__ import annotations


class NoData(Exception):
    """Nothing to show for the chosen filters. ``message`` says why; ``link_text`` and
    ``query`` name the nearest combination that has data, where there is one; ``table`` is
    the page's table as far as it was built (areas whose every value is suppressed are still
    listed)."""

    def __init__(self, message: str, link_text: str = "", query: str = "", *, table=None):
        super().__init__(message)
        self.message, self.link_text, self.query, self.table = message, link_text, query, table


def require_values(selection, *, rows, table) -> None:
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
