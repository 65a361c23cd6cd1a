"""The indicators and areas an extract may name, and each row's look-up in them.

No Django: the caller builds the ``Registry`` from the database (``ingest.lookups``).
``resolve_indicators`` and ``resolve_areas`` look each distinct code up once and word the
errors for codes the registry lacks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ingest.parsing.table import CODE_TYPE
from ingest.validation.coded import Coded
from ingest.validation.errors import quoted, short_list
from ingest.validation.rows import NEW_AREA_COLUMNS, RowChecker


@dataclass(frozen=True)
class IndicatorInfo:
    """What validation needs to know about one registered indicator."""

    code: str
    value_type: str  # proportion, crude_rate, dsr, isr, count, mean, years, gap
    polarity: str  # higher_better, lower_better, no_judgement
    frequency: str  # annual, quarterly, monthly
    period_kind: str | None  # financial_year, calendar_year, academic_year, quarter, month, …
    multiplier: float = 1
    fingertips_id: int | None = None


@dataclass
class Registry:
    """The indicators and areas an extract may name, built by the caller from the database."""

    indicators_by_code: dict[str, IndicatorInfo]
    indicators_by_fingertips_id: dict[str, IndicatorInfo]  # keyed by the id as text: "93356"
    area_codes: frozenset[str]
    create_areas: bool = False  # kind A: unknown areas with a name become Validated.new_areas
    # Fingertips downloads often hold indicators we do not track: with this set, their rows
    # are set aside and counted in a note instead of failing the extract.
    skip_unknown_indicators: bool = False
    aliases: Mapping[str, str] = field(default_factory=dict)  # other code → the area's code
    vintage: SmallAreaVintage | None = None

    @classmethod
    def build(
        cls,
        indicators: Iterable[IndicatorInfo],
        area_codes: Iterable[str],
        *,
        create_areas: bool = False,
        skip_unknown_indicators: bool = False,
        aliases: Mapping[str, str] | None = None,
        vintage: SmallAreaVintage | None = None,
    ) -> Registry:
        indicators = list(indicators)
        return cls(
            indicators_by_code={info.code: info for info in indicators},
            indicators_by_fingertips_id={
                str(info.fingertips_id): info for info in indicators if info.fingertips_id
            },
            area_codes=frozenset(area_codes),
            create_areas=create_areas,
            skip_unknown_indicators=skip_unknown_indicators,
            aliases=dict(aliases or {}),
            vintage=vintage,
        )


@dataclass(frozen=True)
class SmallAreaVintage:
    """The small areas the system's deprivation edition ranks (docs/geography.md), and the
    LSOAs the registry holds from other vintages, which extracts may not use."""

    name: str  # "LSOA 2021"
    edition: str  # "IMD 2025"
    others: frozenset[str] = frozenset()

    def refusal(self, code: str) -> str:
        return (
            f"Area code {quoted(code)} is an LSOA of another vintage: this system's small "
            f"areas are {self.name}, which {self.edition} ranks. Map the extract's LSOA codes to "
            f"{self.name} first (ONS publishes the lookup), or choose the deprivation edition "
            "that matches them."
        )


@dataclass
class IndicatorLookup:
    """Each row's indicator: our code (the file's text when unknown) and its registry entry."""

    codes: Coded  # our code (str) per row
    index: np.ndarray  # int per row into ``infos``; -1 when unknown
    infos: list[IndicatorInfo]

    @property
    def known(self) -> np.ndarray:
        return self.index >= 0

    def attribute(self, name: str) -> np.ndarray:
        """An IndicatorInfo attribute per row ("" for unknown indicators)."""
        values = np.array([getattr(info, name) or "" for info in self.infos] + [""], dtype=object)
        return values[self.index]  # index -1 picks the trailing ""

    def named(self, name: str) -> Callable[[int], str]:
        """An IndicatorInfo attribute as a function of the row ("" for unknown indicators):
        for messages, which need it for a few rows only."""

        def at(row: int) -> str:
            index = self.index[row]
            return (getattr(self.infos[index], name) or "") if index >= 0 else ""

        return at

    def attribute_in(self, name: str, wanted: set[str]) -> np.ndarray:
        """Per row, whether the indicator's attribute is one of ``wanted`` (False if unknown):
        decided once per indicator, not once per row."""
        hits = [(getattr(info, name) or "") in wanted for info in self.infos] + [False]
        return np.array(hits, dtype=bool)[self.index]

    def found(self) -> list[IndicatorInfo]:
        return [self.infos[i] for i in np.unique(self.index[self.index >= 0])]


def resolve_indicators(
    rows: RowChecker, registry: Registry, *, by_fingertips_id: bool
) -> IndicatorLookup:
    """Each row's indicator, from our code or (Fingertips files) the Fingertips id."""
    label = "Indicator ID" if by_fingertips_id else "Indicator code"

    def look_up(text: str):
        if not text:
            return text, f"{label} is empty."
        info = (
            registry.indicators_by_code.get(text)
            or registry.indicators_by_code.get(text.upper())
            or (registry.indicators_by_fingertips_id.get(text) if by_fingertips_id else None)
        )
        if info is None:
            if registry.skip_unknown_indicators:
                skipped.add(text)
                return text, None
            other = " or its Fingertips indicator ID" if by_fingertips_id else ""
            return text, (
                f"Indicator {quoted(text)} is not in the registry: use one of our indicator "
                f"codes (e.g. LTC01){other}, and add the indicator to the registry first if it "
                "is new."
            )
        return info.code, None

    skipped: set[str] = set()
    codes = rows.per_distinct("indicator", look_up)
    if skipped:
        set_aside = codes.isin(skipped)
        rows.errors.leave_out(
            set_aside,
            note=f"{int(set_aside.sum()):,} rows for {len(skipped)} indicator(s) not in the "
            f"registry were left out, as asked: {short_list(sorted(skipped))}.",
        )
    group, distinct = rows.codes.coded(codes)
    infos = [registry.indicators_by_code.get(code) for code in distinct]
    known = [info for info in infos if info is not None]
    position = {info.code: i for i, info in enumerate(known)}
    index_of_group = np.array(
        [position[info.code] if info is not None else -1 for info in infos], dtype=CODE_TYPE
    )
    index = index_of_group[group] if len(distinct) else np.array([], dtype=CODE_TYPE)
    return IndicatorLookup(codes=codes, index=index, infos=known)


def resolve_areas(rows: RowChecker, registry: Registry, *, may_create: bool):
    """Each row's area code, and a frame of new areas (kind A with ``may_create``: an
    unknown code whose row gives its Area Name and Area Type). Other unknown codes are
    errors."""
    unknown_codes: set[str] = set()
    aliased: dict[str, str] = {}
    vintage = registry.vintage

    def look_up(text: str):
        if not text:
            return text, "Area code is empty."
        for code in (text, text.upper()):
            if code in registry.area_codes:
                return code, None
            if code in registry.aliases:
                aliased[text] = registry.aliases[code]
                return registry.aliases[code], None
            if vintage is not None and code in vintage.others:
                return text, vintage.refusal(code)
        unknown_codes.add(text)
        return text, None  # reported below, once we know whether it can be created

    codes = rows.per_distinct("area_code", look_up)
    if aliased:
        read_as = ", ".join(f"{alias} as {code}" for alias, code in sorted(aliased.items()))
        rows.errors.notes.append(f"Area codes read through their aliases: {read_as}.")
    unknown = codes.isin(unknown_codes)
    new_areas = pd.DataFrame(columns=NEW_AREA_COLUMNS)
    if may_create:
        name, area_type = rows.text("area_name"), rows.text("area_type")
        creatable = unknown & (name != "") & (area_type != "")
        rows.require(
            "area_code",
            unknown & ~creatable,
            lambda i: (
                f"Area code {quoted(codes[i])} is not a known area, and the row has no Area "
                "Name and Area Type to create it from."
            ),
        )
        found = pd.DataFrame(
            {
                "code": codes[creatable],
                "name": name[creatable],
                "area_type": area_type[creatable],
                "parent_code": rows.text("parent_code")[creatable],
            }
        )
        new_areas = found.drop_duplicates("code", keep="first").reset_index(drop=True)
    else:
        hint = ""
        if "area_name" in rows.columns and "area_type" in rows.columns:
            hint = (
                ", or upload again with 'create areas' to add it from this file's Area "
                "Name and Area Type"
            )
        rows.require(
            "area_code",
            unknown,
            lambda i: (
                f"Area code {quoted(codes[i])} is not a known area. Add it to the areas list "
                f"first (manage.py import_areas){hint}.{_vintage_hint(codes[i], vintage)}"
            ),
        )
    return codes, new_areas


def _vintage_hint(code: str, vintage: SmallAreaVintage | None) -> str:
    """For an unknown LSOA-like code: which vintage the system's small areas are."""
    if vintage is None or not code.upper().startswith(("E01", "W01")):
        return ""
    return f" This system's small areas are {vintage.name} ({vintage.edition})."
