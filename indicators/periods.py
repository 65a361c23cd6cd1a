"""Read period labels as Fingertips writes them (and ISO forms) into spans of dates.

Pure Python: no Django, so the ingest pipeline and tests can use it anywhere.

Forms understood (Fingertips "Time period" labels first):

- ``2023/24``            financial year, 1 Apr 2023 – 31 Mar 2024 (academic with ``kind_hint``)
- ``2023``               calendar year
- ``2021 - 23``          pooled calendar years 2021–2023 (also ``2021-23``, ``2021 - 2023``)
- ``2019/20 - 21/22``    pooled financial years
- ``2023/24 Q2``         quarter 2 of financial year 2023/24 (Jul–Sep 2023)
- ``Mar 2024``           month (also ``March 2024``)
- ``2024-03``            ISO month (no spaces; ``2021-23`` is pooled years as month 23 cannot be); ``2024-03-01`` a month's first day (monthly extracts)
- ``2024 Q1`` / ``2024-Q1``  calendar quarter, stored as its financial-year quarter
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_name) if name})

KINDS = (
    "month",
    "quarter",
    "financial_year",
    "calendar_year",
    "academic_year",
    "pooled_years",
    "pooled_financial_years",
)


class PeriodLabelError(ValueError):
    """A label we cannot read; the message quotes it and lists the forms we accept."""


@dataclass(frozen=True)
class ParsedPeriod:
    kind: str
    start: date
    end: date
    label: str

    @property
    def sort_key(self) -> str:
        # Start then end, so a month sorts before the quarter and year that begin with it.
        return f"{self.start:%Y%m%d}{self.end:%Y%m%d}"


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def financial_year(start_year: int) -> ParsedPeriod:
    return ParsedPeriod(
        "financial_year",
        date(start_year, 4, 1),
        date(start_year + 1, 3, 31),
        f"{start_year}/{(start_year + 1) % 100:02d}",
    )


def academic_year(start_year: int) -> ParsedPeriod:
    return ParsedPeriod(
        "academic_year",
        date(start_year, 9, 1),
        date(start_year + 1, 8, 31),
        f"{start_year}/{(start_year + 1) % 100:02d}",
    )


def calendar_year(year: int) -> ParsedPeriod:
    return ParsedPeriod("calendar_year", date(year, 1, 1), date(year, 12, 31), str(year))


def month(year: int, number: int) -> ParsedPeriod:
    return ParsedPeriod(
        "month",
        date(year, number, 1),
        month_end(year, number),
        f"{calendar.month_abbr[number]} {year}",
    )


def financial_quarter(start_year: int, quarter: int) -> ParsedPeriod:
    first_month = 4 + 3 * (quarter - 1)  # Q1 = Apr-Jun ... Q4 = Jan-Mar of the next year
    year = start_year + (first_month - 1) // 12
    first_month = (first_month - 1) % 12 + 1
    return ParsedPeriod(
        "quarter",
        date(year, first_month, 1),
        month_end(year, first_month + 2),
        f"{start_year}/{(start_year + 1) % 100:02d} Q{quarter}",
    )


def pooled_years(first: int, last: int) -> ParsedPeriod:
    return ParsedPeriod(
        "pooled_years", date(first, 1, 1), date(last, 12, 31), f"{first} - {last % 100:02d}"
    )


def pooled_financial_years(first: int, last: int) -> ParsedPeriod:
    return ParsedPeriod(
        "pooled_financial_years",
        date(first, 4, 1),
        date(last + 1, 3, 31),
        f"{first}/{(first + 1) % 100:02d} - {last % 100:02d}/{(last + 1) % 100:02d}",
    )


def _century(short: int, near: int) -> int:
    """Expand a two-digit year to the one nearest ``near`` (so '23' after 2021 is 2023)."""
    candidate = near - near % 100 + short
    return candidate + 100 if candidate < near else candidate


def _following(first: int, short: str) -> int:
    """The year written as two or four digits, which must follow ``first``."""
    return int(short) if len(short) == 4 else _century(int(short), first)


FY = r"(\d{4})\s*/\s*(\d{2}|\d{4})"
PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(rf"^{FY}\s*-\s*(\d{{2}}|\d{{4}})\s*/\s*(\d{{2}}|\d{{4}})$"), "pooled_fy"),
    (re.compile(rf"^{FY}\s+Q([1-4])$", re.I), "fy_quarter"),
    (re.compile(rf"^Q([1-4])\s+{FY}$", re.I), "quarter_fy"),
    (re.compile(rf"^{FY}$"), "fy"),
    (re.compile(r"^(\d{4})\s*-\s*(\d{2}|\d{4})$"), "pooled_or_iso_month"),
    (re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.I), "calendar_quarter"),
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{4})$"), "month_name"),
    (re.compile(r"^(\d{4})-(\d{2})-01$"), "iso_date"),
]


def parse_period_label(label: str, *, kind_hint: str | None = None) -> ParsedPeriod:
    """Read ``label`` into a period; ``kind_hint`` settles ``2023/24`` as an academic year.

    Raises PeriodLabelError naming the label when it is not a form we know, or names an
    impossible span (``2023/25``, ``Q5``, ``2023-13``)."""
    if kind_hint is not None and kind_hint not in KINDS:
        raise PeriodLabelError(f"Unknown period kind {kind_hint!r}")
    text = " ".join(str(label).split())
    for pattern, form in PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return _build(form, match.groups(), text, kind_hint)
            except ValueError as error:  # a date that cannot exist, such as year 0
                if isinstance(error, PeriodLabelError):
                    raise
                raise PeriodLabelError(f"Cannot read the period {label!r}: {error}") from None
    raise PeriodLabelError(
        f"Cannot read the period {label!r}: use a Fingertips label such as 2023/24, 2023, "
        "2021 - 23, 2023/24 Q2 or Mar 2024, or an ISO month such as 2024-03"
    )


def _check_next_year(first: int, second: int, text: str) -> None:
    if second != first + 1:
        raise PeriodLabelError(
            f"Cannot read the period {text!r}: a year such as 2023/24 spans two consecutive years"
        )


def _build(form: str, groups: tuple[str, ...], text: str, kind_hint: str | None) -> ParsedPeriod:
    if form == "fy":
        first = int(groups[0])
        _check_next_year(first, _following(first, groups[1]), text)
        return academic_year(first) if kind_hint == "academic_year" else financial_year(first)
    if form in {"fy_quarter", "quarter_fy"}:
        if form == "quarter_fy":
            groups = (groups[1], groups[2], groups[0])
        first = int(groups[0])
        _check_next_year(first, _following(first, groups[1]), text)
        return financial_quarter(first, int(groups[2]))
    if form == "pooled_fy":
        first = int(groups[0])
        _check_next_year(first, _following(first, groups[1]), text)
        last_start = _following(first, groups[2])
        _check_next_year(last_start, _following(last_start, groups[3]), text)
        _check_pooled_span(first, last_start, text)
        return pooled_financial_years(first, last_start)
    if form == "pooled_or_iso_month":
        first, second = int(groups[0]), groups[1]
        # ISO months are written without spaces ("2024-03"); Fingertips writes pooled years
        # with them ("2021 - 23"). "2021-23" can only be pooled years: there is no month 23.
        looks_like_month = len(second) == 2 and " " not in text and int(second) <= 12
        if looks_like_month and kind_hint != "pooled_years":
            return month(first, _month_number(int(second), text))
        last = _following(first, second)
        _check_pooled_span(first, last, text)
        return pooled_years(first, last)
    if form == "calendar_quarter":
        year, quarter = int(groups[0]), int(groups[1])
        # Calendar Q1 (Jan-Mar) is Q4 of the financial year that began the April before.
        return (
            financial_quarter(year - 1, 4) if quarter == 1 else financial_quarter(year, quarter - 1)
        )
    if form == "year":
        return calendar_year(int(groups[0]))
    if form == "month_name":
        number = MONTHS.get(groups[0].lower())
        if number is None:
            raise PeriodLabelError(f"Cannot read the period {text!r}: {groups[0]!r} is not a month")
        return month(int(groups[1]), number)
    if form == "iso_date":
        return month(int(groups[0]), _month_number(int(groups[1]), text))
    raise AssertionError(form)  # pragma: no cover - every pattern has a branch


MAX_POOLED_YEARS = 10  # Fingertips pools 2, 3 or 5 years; longer is a typo, not a period


def _check_pooled_span(first: int, last: int, text: str) -> None:
    if not first < last <= first + MAX_POOLED_YEARS - 1:
        raise PeriodLabelError(
            f"Cannot read the period {text!r}: pooled years must run forwards over at most "
            f"{MAX_POOLED_YEARS} years"
        )


def _month_number(number: int, text: str) -> int:
    if not 1 <= number <= 12:
        raise PeriodLabelError(f"Cannot read the period {text!r}: month {number} does not exist")
    return number
