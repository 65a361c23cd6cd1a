"""Roll a granular counts extract up from its small areas to the larger areas it covers.

docs/design.md §4.4: each indicator × period is summed to every ancestor of its small areas whose
small areas are *all* in the extract; an ancestor that is only partly covered is skipped and
reported. For each computed area the cells are the headline (Persons), Male and Female, the
national deprivation quintiles and deciles of the system's edition (from each small
area's decile) and the extract's
ethnic groups. docs/methods.md §0: numerators and denominators are summed within each group before
any statistic is computed, so this step only adds up; ``ingest.compute`` does the statistics.

Rules this module decides (each tested in ``tests/ingest/test_rollup.py``):

- **Totals win over their parts, never both.** Within one small area's cell, a ``Persons``
  row is the headline and its ``Male``/``Female`` rows only feed the sex breakdown; with no
  ``Persons`` row the headline is Male + Female. Likewise, for indicators that are not DSRs an
  ``All ages`` row replaces that cell's age-band rows. So a file may give totals, parts or
  both without anything being counted twice.
- **DSR cells keep their 19 ESP2013 age bands** (``numerator_<band>``, ``denominator_<band>``);
  a band the extract never gives for an indicator × period is NaN (outside the indicator's
  age range), a band it gives but a cell lacks is 0.
- **IMD quintile cells are always computed** where small areas have deciles, because the
  inequality summary (SII/RII across national quintiles) is derived for every rolled-up area;
  ``published`` says whether the indicator publishes them. Decile, sex and ethnic-group cells
  are computed only when published. Small areas without a decile (some practices) count in
  the headline but not in the IMD cells, and are listed in ``RollUp.without_decile``.
- **An ancestor whose registry tree is incomplete is not computed**: if any area below it has
  no children and is not a small area (say an ICB with no LSOAs loaded), "all of its small
  areas" cannot be checked, and rolling up would pass a part off as the whole (England
  computed from one ICB's LSOAs). It is reported in ``skipped`` with that reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from indicators.area_types import SMALL_AREA_TYPES
from indicators.vocabulary import (
    DEFAULT_DEPRIVATION,
    decile_label,
    decile_type,
    quintile_label,
    quintile_type,
)
from ingest.schema import ALL_AGES, ESP2013_AGE_BANDS, ETHNIC_TYPE

PERSONS, MALE, FEMALE = "Persons", "Male", "Female"

BAND_NUMERATOR_COLUMNS = [f"numerator_{band}" for band in ESP2013_AGE_BANDS]
BAND_DENOMINATOR_COLUMNS = [f"denominator_{band}" for band in ESP2013_AGE_BANDS]
CELL_COLUMNS = [
    "indicator_code",
    "period_label",
    "area_code",
    "sex",
    "age",
    "category_type",
    "category",
    "numerator",
    "denominator",
    "published",  # False: an inequality-summary input the indicator does not publish
    *BAND_NUMERATOR_COLUMNS,  # DSR cells only; NaN otherwise
    *BAND_DENOMINATOR_COLUMNS,
]
SKIPPED_COLUMNS = [
    "indicator_code",
    "period_label",
    "area_code",
    "area_type",
    "small_areas_present",
    "small_areas_total",
    "reason",
]
PARTLY_COVERED = "partly covered"
REGISTRY_INCOMPLETE = "not all of its small areas are in the area registry"

# Integer codes used while summing. Bands 0–18 are ESP2013's; TOTAL_BAND is an "All ages" row
# or, for indicators that are not DSRs, every row once its age bands are added together.
N_BANDS = len(ESP2013_AGE_BANDS)
TOTAL_BAND = N_BANDS
SEX_CODES = {PERSONS: 0, MALE: 1, FEMALE: 2}
# A row's part in the sums: Persons (headline only), Male/Female also in the headline (no
# Persons row in its cell), or Male/Female in the sex breakdown only.
ROLE_PERSONS, ROLE_MALE_HEADLINE, ROLE_FEMALE_HEADLINE, ROLE_MALE, ROLE_FEMALE = range(5)
N_ROLES = 5
HEADLINE, SEX, QUINTILE, DECILE, ETHNIC = range(5)
N_FAMILIES = 5


@dataclass(frozen=True)
class IndicatorSpec:
    """What the roll-up and the statistics need to know about one indicator."""

    code: str
    value_type: str  # proportion, crude_rate, dsr, count, isr, mean, years, gap
    multiplier: float = 1
    breakdowns: tuple[str, ...] = ()  # from sex, age_band, imd_quintile, imd_decile, ethnic_group
    default_age: str = ALL_AGES  # the age label of every cell, e.g. "65+ yrs"

    def __post_init__(self):
        object.__setattr__(self, "breakdowns", tuple(self.breakdowns))


@dataclass(frozen=True, eq=False)
class AreaTree:
    """The area registry as the roll-up needs it; the caller builds it from the database.

    ``area_type`` names every area (its keys are the tree's areas); ``parent`` maps an area to
    its parent's code (absent or None at the root); ``imd_decile`` holds the national decile
    (1 = most deprived) in the deprivation edition ``deprivation`` of the small areas that
    have one, and the breakdowns are labelled with that edition's category types.
    """

    area_type: Mapping[str, str]
    parent: Mapping[str, str | None]
    imd_decile: Mapping[str, int] = field(default_factory=dict)
    deprivation: str = DEFAULT_DEPRIVATION
    # Further parents in other hierarchies (area code → parent codes): an LSOA's district.
    links: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_records(
        cls,
        records: Iterable[tuple[str, str | None, str, int | None]],
        links: Iterable[tuple[str, str]] = (),
        deprivation: str = DEFAULT_DEPRIVATION,
    ) -> AreaTree:
        """From (code, parent code, area type, IMD decile) tuples, e.g. a ``values_list``,
        and (code, further parent code) pairs."""
        area_type, parent, deciles = {}, {}, {}
        for code, parent_code, type_code, decile in records:
            area_type[code] = type_code
            parent[code] = parent_code or None
            if decile is not None and not pd.isna(decile):
                deciles[code] = int(decile)
        linked: dict[str, tuple[str, ...]] = {}
        for code, parent_code in links:
            linked[code] = (*linked.get(code, ()), parent_code)
        return cls(area_type=area_type, parent=parent, imd_decile=deciles, links=linked,
                   deprivation=deprivation)  # fmt: skip

    @cached_property
    def arrays(self) -> TreeArrays:
        return TreeArrays.from_tree(self)


@dataclass(frozen=True, eq=False)
class RollUp:
    """The summed cells of every computed area, and the ancestors left out and why."""

    cells: pd.DataFrame  # CELL_COLUMNS
    skipped: pd.DataFrame  # SKIPPED_COLUMNS
    without_decile: tuple[str, ...] = ()  # the extract's small areas with no IMD decile


# --- the tree as arrays ---------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TreeArrays:
    """The tree indexed by position: parents, types, deciles and every area's ancestors."""

    codes: pd.Index
    parent: np.ndarray  # position of the parent, -1 at a root
    type_names: np.ndarray
    type_code: np.ndarray
    decile: np.ndarray  # 0 when unknown
    ancestors: np.ndarray  # (areas × depth): every hierarchy's, nearest first, padded with -1
    has_children: np.ndarray
    # Areas with the same ancestors share a signature; small areas are summed per signature
    # first, then each sum goes once to each of the signature's ancestors.
    signature: np.ndarray  # per area
    signature_ancestors: np.ndarray  # (signatures × depth), padded with -1
    deprivation: str = DEFAULT_DEPRIVATION  # the edition of ``decile``

    @classmethod
    def from_tree(cls, tree: AreaTree) -> TreeArrays:
        codes = pd.Index(list(tree.area_type), dtype=object)
        parent_codes = [tree.parent.get(code) for code in codes]
        parent = codes.get_indexer(parent_codes)
        unknown = [p for p, i in zip(parent_codes, parent, strict=True) if p and i < 0]
        link_child = codes.get_indexer(
            [code for code, linked in tree.links.items() for _ in linked]
        )
        link_codes = [parent_code for linked in tree.links.values() for parent_code in linked]
        link_parent = codes.get_indexer(link_codes)
        unknown += [p for p, i in zip(link_codes, link_parent, strict=True) if i < 0]
        if unknown or (link_child < 0).any():
            missing = unknown[0] if unknown else "a linked area"
            raise ValueError(f"AreaTree: parent area {missing!r} is not in the tree")
        type_code, type_names = pd.factorize(pd.Index(list(tree.area_type.values()), dtype=object))
        decile = np.array([tree.imd_decile.get(code) or 0 for code in codes], dtype=np.int64)
        if ((decile < 0) | (decile > 10)).any():
            raise ValueError("AreaTree: an IMD decile is outside 1–10")
        parent = parent.astype(np.int64)
        child = np.concatenate([np.flatnonzero(parent >= 0), link_child]).astype(np.int64)
        up = np.concatenate([parent[parent >= 0], link_parent]).astype(np.int64)
        signature, signatures = _ancestor_sets(child, up, len(codes))
        ancestors = signatures[signature]
        return cls(
            codes=codes,
            parent=parent,
            type_names=np.asarray(type_names, dtype=object),
            type_code=type_code.astype(np.int64),
            decile=decile,
            ancestors=ancestors,
            has_children=np.bincount(up, minlength=len(codes)) > 0,
            signature=signature,
            signature_ancestors=signatures,
            deprivation=tree.deprivation,
        )

    def descendant_counts(self, type_code: int) -> np.ndarray:
        """For every area, how many areas of this type the tree has below it."""
        below = self.ancestors[self.type_code == type_code].ravel()
        return np.bincount(below[below >= 0], minlength=len(self.codes))

    def incomplete(self, unit_types: np.ndarray) -> np.ndarray:
        """Areas with a childless area below them that is not a small area (no small areas
        loaded for it), so their small areas cannot all be counted."""
        small = np.isin(self.type_names, list(SMALL_AREA_TYPES))
        small[unit_types] = True
        bare = ~self.has_children & ~small[self.type_code]
        flagged = self.ancestors[bare].ravel()
        result = np.zeros(len(self.codes), dtype=bool)
        result[flagged[flagged >= 0]] = True
        return result


def _ancestor_sets(
    child: np.ndarray, parent: np.ndarray, n_areas: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each area's ancestors along every (child, parent) edge, nearest first and each once.

    Areas with the same parents have the same ancestors, and there are few distinct sets of
    parents (all of England's 33,000 LSOAs have about 600), so each set is worked out once,
    from its parents' own ancestors. Returns each area's signature (its set of parents'
    number) and the signatures' ancestors (signatures × depth, padded with -1)."""
    order = np.lexsort((parent, child))
    child, parent = child[order], parent[order]
    keep = np.r_[True, (child[1:] != child[:-1]) | (parent[1:] != parent[:-1])][: len(child)]
    child, parent = child[keep], parent[keep]
    parents_of: list[tuple[int, ...]] = [()] * n_areas
    starts = np.flatnonzero(np.r_[True, child[1:] != child[:-1]])[: len(child)]
    for start, end in zip(starts, np.r_[starts[1:], len(child)][: len(starts)], strict=True):
        parents_of[int(child[start])] = tuple(parent[start:end].tolist())
    found: dict[int, dict[int, int]] = {}  # area → {ancestor: distance}

    def ancestors_of(area: int) -> dict[int, int]:
        pending, path = [area], set()
        while pending:  # depth first, without recursion: a deep tree cannot overflow
            current = pending[-1]
            if current in found:
                pending.pop()
                continue
            waiting = [item for item in parents_of[current] if item not in found]
            if waiting:
                if current in path or any(item in path for item in waiting):
                    raise ValueError("AreaTree: the parent links form a cycle")
                path.add(current)
                pending += waiting
                continue
            distances: dict[int, int] = {}
            for item in parents_of[current]:
                for ancestor, distance in [(item, 0), *found[item].items()]:
                    if distance + 1 < distances.get(ancestor, n_areas + 1):
                        distances[ancestor] = distance + 1
            if current in distances:
                raise ValueError("AreaTree: the parent links form a cycle")
            found[current] = distances
            path.discard(current)
            pending.pop()
        return found[area]

    numbers: dict[tuple[int, ...], int] = {}
    signature = np.array([numbers.setdefault(item, len(numbers)) for item in parents_of])
    rows = []
    for item in numbers:  # in number order: one set of parents at a time
        distances: dict[int, int] = {}
        for parent_area in item:
            for ancestor, distance in [(parent_area, 0), *ancestors_of(parent_area).items()]:
                if distance + 1 < distances.get(ancestor, n_areas + 1):
                    distances[ancestor] = distance + 1
        rows.append(sorted(distances, key=lambda ancestor: (distances[ancestor], ancestor)))
    width = max((len(row) for row in rows), default=0)
    table = np.full((len(rows), width), -1, dtype=np.int64)
    for number, row in enumerate(rows):
        table[number, : len(row)] = row
    return signature.astype(np.int64), table


# --- integer group keys ---------------------------------------------------------------------


def _group(keys: list[np.ndarray], sizes: list[int]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Dense group ids for rows keyed by small non-negative integer codes, and each group's
    codes (groups in order of first appearance)."""
    if np.prod([float(size) for size in sizes]) >= 2**62:
        raise ValueError("Too many distinct keys to roll up in one pass")
    composite = np.zeros(len(keys[0]), dtype=np.int64)
    for key, size in zip(keys, sizes, strict=True):
        composite *= size
        composite += key
    ids, uniques = pd.factorize(composite)
    decoded, rest = [], np.asarray(uniques, dtype=np.int64)
    for size in reversed(sizes):
        decoded.append(rest % size)
        rest = rest // size
    return ids, decoded[::-1]


def _sum(ids: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sum per group, skipping NaN; NaN where a group has no number at all."""
    finite = np.isfinite(values)
    if finite.all():  # as usual: no copy with the NaNs zeroed
        return np.bincount(ids, weights=values, minlength=size).astype(float)
    total = np.bincount(ids, weights=np.where(finite, values, 0.0), minlength=size)
    total[np.bincount(ids[finite], minlength=size) == 0] = np.nan
    return total


def _any(ids: np.ndarray, flags: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(ids[flags], minlength=size) > 0


# --- the extract as integer codes -----------------------------------------------------------


@dataclass(eq=False)
class CodedRows:
    """The extract's rows as integer codes; ``ip`` numbers each indicator × period."""

    ip: np.ndarray
    unit: np.ndarray  # position of the small area in the tree
    sex: np.ndarray
    band: np.ndarray  # 0–18 for ESP2013 bands, TOTAL_BAND for All ages
    ethnic: np.ndarray  # -1 when the row has no ethnic group
    numerator: np.ndarray
    denominator: np.ndarray
    ip_indicator: list[str]
    ip_period: list[str]
    ethnic_names: list[str]

    def take(self, keep: np.ndarray) -> None:
        for name in ("ip", "unit", "sex", "band", "ethnic", "numerator", "denominator"):
            setattr(self, name, getattr(self, name)[keep])


def _coded_rows(counts: pd.DataFrame, tree: TreeArrays, indicators) -> CodedRows:
    # Every text column is factorised once (pyarrow does it for "str" columns) and only its
    # distinct values are looked up: no per-row Python strings.
    indicator, indicator_names = _factorize(counts["indicator_code"])
    unknown = [code for code in indicator_names if code not in indicators]
    if unknown:
        raise ValueError(f"No indicator specification for {unknown[0]!r}")
    period, period_names = _factorize(counts["period_label"])
    ip, (ip_indicator, ip_period) = _group(
        [indicator, period], [len(indicator_names), len(period_names)]
    )
    area, area_names = _factorize(counts["area_code"])
    area_units = tree.codes.get_indexer(area_names)
    if (area_units < 0).any():
        raise ValueError(f"Area {area_names[area_units < 0][0]!r} is not in the area tree")
    # Per-row codes as narrow as they can be: a million rows of int64 is 8 MB a column,
    # and every copy of it costs time to allocate.
    unit = area_units.astype(np.int32)[area]
    sex = _codes(counts["sex"], list(SEX_CODES), "sex")
    band = _codes(counts["age_band"], [*ESP2013_AGE_BANDS, ALL_AGES], "age_band")
    ethnic, ethnic_names = _ethnic_codes(counts)
    return CodedRows(
        ip=ip.astype(np.int32),
        unit=unit,
        sex=sex,
        band=band,
        ethnic=ethnic,
        numerator=counts["numerator"].to_numpy(dtype=float),
        denominator=counts["denominator"].to_numpy(dtype=float),
        ip_indicator=[indicator_names[i] for i in ip_indicator],
        ip_period=[period_names[i] for i in ip_period],
        ethnic_names=ethnic_names,
    )


def _factorize(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) of a text column; a missing value reads as ""."""
    if isinstance(column.dtype, pd.CategoricalDtype) and not column.hasnans:
        # Validation hands over codes already: keep them, dropping categories no row uses.
        codes = column.cat.codes.to_numpy()
        categories = np.asarray(column.cat.categories, dtype=object)
        used = np.bincount(codes, minlength=len(categories)) > 0
        if used.all():
            return codes, categories
        return (np.cumsum(used) - 1)[codes], categories[used]
    codes, uniques = pd.factorize(column.fillna(""))
    return np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object)


def _codes(column: pd.Series, labels: list[str], name: str) -> np.ndarray:
    codes, uniques = _factorize(column)
    positions = pd.Index(labels, dtype=object).get_indexer(uniques)
    if (positions < 0).any():
        raise ValueError(f"Unexpected {name} {uniques[positions < 0][0]!r}")
    return positions.astype(np.int8)[codes]  # a handful of labels


def _ethnic_codes(counts: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    if "ethnic_group" not in counts:
        return np.full(len(counts), -1, dtype=np.int32), []
    codes, uniques = _factorize(counts["ethnic_group"])
    # A blank group is no group (-1); the others are numbered in order of first appearance.
    named = uniques != ""
    renumber = np.where(named, np.cumsum(named) - 1, -1).astype(np.int32)
    return renumber[codes] if len(codes) else codes, list(uniques[named])


# --- per indicator × period facts -----------------------------------------------------------


@dataclass(frozen=True, eq=False)
class IndicatorPeriods:
    """Per indicator × period (``ip``): the indicator's method and published breakdowns."""

    dsr: np.ndarray
    sex: np.ndarray
    quintile: np.ndarray
    decile: np.ndarray
    ethnic: np.ndarray
    default_age: np.ndarray

    @classmethod
    def from_specs(cls, codes: list[str], indicators: Mapping[str, IndicatorSpec]):
        specs = [indicators[code] for code in codes]

        def publishes(breakdown):
            return np.array([breakdown in spec.breakdowns for spec in specs], dtype=bool)

        return cls(
            dsr=np.array([spec.value_type == "dsr" for spec in specs], dtype=bool),
            sex=publishes("sex"),
            quintile=publishes("imd_quintile"),
            decile=publishes("imd_decile"),
            ethnic=publishes("ethnic_group"),
            default_age=np.array([spec.default_age for spec in specs], dtype=object),
        )


def _check_ages_and_ethnic_groups(rows: CodedRows, periods: IndicatorPeriods) -> None:
    n_ip = len(rows.ip_indicator)
    all_ages_dsr = periods.dsr[rows.ip] & (rows.band == TOTAL_BAND)
    if all_ages_dsr.any():
        code = rows.ip_indicator[rows.ip[all_ages_dsr][0]]
        raise ValueError(
            f"Indicator {code} is a DSR: its counts need five-year age bands, not 'All ages'"
        )
    with_group = _any(rows.ip, rows.ethnic >= 0, n_ip)
    without_group = _any(rows.ip, rows.ethnic < 0, n_ip)
    mixed = with_group & without_group
    if mixed.any():
        # A blank group could be a total or "not known": summing either way could be wrong.
        code = rows.ip_indicator[np.flatnonzero(mixed)[0]]
        raise ValueError(f"Indicator {code}: some rows have an ethnic group and some do not")


def _resolve_totals(rows: CodedRows, periods: IndicatorPeriods) -> np.ndarray:
    """Drop age-band rows under an All ages row, and return each row's role (ROLE_*)."""
    n_areas = int(rows.unit.max()) + 1
    sizes = [len(rows.ip_indicator), n_areas, 3, len(rows.ethnic_names) + 1]
    all_ages = rows.band == TOTAL_BAND
    if all_ages.any() and not all_ages.all():
        ids, groups = _group([rows.ip, rows.unit, rows.sex, rows.ethnic + 1], sizes)
        rows.take(all_ages | ~_any(ids, all_ages, len(groups[0]))[ids])
    # Indicators that are not DSRs add their age bands together.
    rows.band = np.where(periods.dsr[rows.ip], rows.band, TOTAL_BAND)

    persons = rows.sex == SEX_CODES[PERSONS]
    has_persons = np.zeros(len(rows.ip), dtype=bool)
    if persons.any() and not persons.all():
        ids, groups = _group(
            [rows.ip, rows.unit, rows.band, rows.ethnic + 1],
            [sizes[0], n_areas, N_BANDS + 1, sizes[3]],
        )
        has_persons = _any(ids, persons, len(groups[0]))[ids]
    # Persons → 0; Male/Female → 1/2 when they make the headline, 3/4 when a Persons row does.
    return np.where(persons, ROLE_PERSONS, rows.sex + 2 * has_persons.astype(np.int8))


# --- coverage -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Coverage:
    complete_keys: np.ndarray  # sorted ip × n_areas + area of every ancestor to compute
    n_areas: int
    skipped: pd.DataFrame
    # Each row's ip × small area pair, and each pair's ip and small area: per-row questions
    # about a row's area are answered once per pair (a million rows hold about 50,000).
    pair: np.ndarray
    pair_ip: np.ndarray
    pair_unit: np.ndarray

    def complete(self, ip: np.ndarray, area: np.ndarray) -> np.ndarray:
        if len(self.complete_keys) == 0:
            return np.zeros(len(area), dtype=bool)
        keys = ip.astype(np.int64) * self.n_areas + area
        found = np.minimum(np.searchsorted(self.complete_keys, keys), len(self.complete_keys) - 1)
        return (area >= 0) & (self.complete_keys[found] == keys)


def _coverage(rows: CodedRows, tree: TreeArrays) -> Coverage:
    """Which ancestors have every one of their small areas in the extract, per ip."""
    n_ip, n_areas = len(rows.ip_indicator), len(tree.codes)
    pair, (pair_ip, pair_unit) = _group([rows.ip, rows.unit], [n_ip, n_areas])
    unit_type = tree.type_code[pair_unit]
    _refuse_mixed_area_types(pair_ip, unit_type, rows, tree)

    depth = tree.ancestors.shape[1]
    ancestor = tree.ancestors[pair_unit].ravel()
    on_tree = ancestor >= 0
    ip = np.repeat(pair_ip, depth)[on_tree]
    ancestor = ancestor[on_tree]
    ids, (ip, ancestor) = _group([ip, ancestor], [n_ip, n_areas])
    present = np.bincount(ids)

    ip_unit_type = np.zeros(n_ip, dtype=np.int64)
    ip_unit_type[pair_ip] = unit_type
    total = np.zeros(len(ip), dtype=np.int64)
    for type_code in np.unique(unit_type):
        of_type = ip_unit_type[ip] == type_code
        total[of_type] = tree.descendant_counts(type_code)[ancestor[of_type]]
    incomplete = tree.incomplete(np.unique(unit_type))[ancestor]
    complete = (present == total) & ~incomplete

    skipped = pd.DataFrame(
        {
            "indicator_code": np.array(rows.ip_indicator, dtype=object)[ip[~complete]],
            "period_label": np.array(rows.ip_period, dtype=object)[ip[~complete]],
            "area_code": tree.codes.to_numpy()[ancestor[~complete]],
            "area_type": tree.type_names[tree.type_code[ancestor[~complete]]],
            "small_areas_present": present[~complete],
            "small_areas_total": total[~complete],
            "reason": np.where(
                present[~complete] < total[~complete], PARTLY_COVERED, REGISTRY_INCOMPLETE
            ),
        },
        columns=SKIPPED_COLUMNS,
    )
    skipped = skipped.sort_values(["indicator_code", "period_label", "area_code"])
    return Coverage(
        complete_keys=np.sort(ip[complete] * n_areas + ancestor[complete]),
        n_areas=n_areas,
        skipped=skipped.reset_index(drop=True),
        pair=pair,
        pair_ip=pair_ip,
        pair_unit=pair_unit,
    )


def _refuse_mixed_area_types(pair_ip, unit_type, rows: CodedRows, tree: TreeArrays) -> None:
    # LSOAs and practices cover the same people: summing both would count them twice.
    one_type = np.full(len(rows.ip_indicator), -1, dtype=np.int64)
    one_type[pair_ip] = unit_type  # any one of each ip's area types
    mixed = one_type[pair_ip] != unit_type
    if mixed.any():
        ip = pair_ip[mixed][0]
        names = sorted(set(tree.type_names[unit_type[pair_ip == ip]]))
        raise ValueError(
            f"Indicator {rows.ip_indicator[ip]}, {rows.ip_period[ip]}: counts are given for "
            f"more than one kind of area ({', '.join(names)}); use one kind per indicator"
        )


# --- summing up the tree --------------------------------------------------------------------


@dataclass(eq=False)
class AreaSums:
    """Sums per ip × area × role × ethnic group × band × decile."""

    ip: np.ndarray
    area: np.ndarray
    role: np.ndarray
    ethnic: np.ndarray
    band: np.ndarray
    decile: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray


def _sum_to_parents(rows: CodedRows, role: np.ndarray, tree: TreeArrays, coverage: Coverage):
    """Sum the small areas into groups that share every ancestor (their signature), keeping
    the decile, where any of those ancestors is computed. ``AreaSums.area`` holds the
    signature until ``_spread_to_ancestors``."""
    signature = tree.signature[coverage.pair_unit]
    ancestors = tree.signature_ancestors[signature]
    pair_keep = (
        coverage.complete(np.repeat(coverage.pair_ip, ancestors.shape[1]), ancestors.ravel())
        .reshape(ancestors.shape)
        .any(axis=1)
    )
    parent = signature.astype(np.int32)[coverage.pair]
    decile = tree.decile[coverage.pair_unit].astype(np.int8)[coverage.pair]
    keep = pair_keep[coverage.pair]
    if keep.all():  # as usual: no copy of every column
        keep = slice(None)
    keys = [rows.ip[keep], parent[keep], role[keep], rows.ethnic[keep] + 1, rows.band[keep],
            decile[keep]]  # fmt: skip
    sizes = [
        len(rows.ip_indicator),
        len(tree.signature_ancestors),
        N_ROLES,
        len(rows.ethnic_names) + 1,
        N_BANDS + 1,
        11,
    ]
    ids, (ip, area, role, ethnic, band, decile) = _group(keys, sizes)
    n = len(ip)
    return AreaSums(
        ip, area, role, ethnic - 1, band, decile,
        _sum(ids, rows.numerator[keep], n), _sum(ids, rows.denominator[keep], n),
    )  # fmt: skip


def _spread_to_ancestors(sums: AreaSums, tree: TreeArrays, coverage: Coverage) -> AreaSums:
    """Repeat each signature's sum for every computed ancestor of its small areas."""
    targets = tree.signature_ancestors[sums.area]
    width = targets.shape[1]
    area = targets.ravel()
    row = np.repeat(np.arange(len(sums.area)), width)
    keep = coverage.complete(sums.ip[row], area)
    row, area = row[keep], area[keep]
    return AreaSums(
        sums.ip[row], area, sums.role[row], sums.ethnic[row], sums.band[row],
        sums.decile[row], sums.numerator[row], sums.denominator[row],
    )  # fmt: skip


# --- cells ----------------------------------------------------------------------------------


def _family_rows(sums: AreaSums, periods: IndicatorPeriods):
    """For each kind of cell, the summed rows that feed it and their category code."""
    headline = sums.role <= ROLE_FEMALE_HEADLINE
    male = (sums.role == ROLE_MALE_HEADLINE) | (sums.role == ROLE_MALE)
    with_decile = headline & (sums.decile > 0)
    # docs/domain.md: national quintile = ceil(decile / 2), 1 = most deprived.
    quintile = (sums.decile + 1) // 2
    yield HEADLINE, headline, np.zeros_like(sums.role)
    yield SEX, (sums.role != ROLE_PERSONS) & periods.sex[sums.ip], np.where(male, 1, 2)
    yield QUINTILE, with_decile, quintile
    yield DECILE, with_decile & periods.decile[sums.ip], sums.decile
    yield ETHNIC, headline & (sums.ethnic >= 0) & periods.ethnic[sums.ip], sums.ethnic


def _cells(sums: AreaSums, rows: CodedRows, periods: IndicatorPeriods, tree: TreeArrays):
    parts = [
        (np.flatnonzero(mask), family, category[mask])
        for family, mask, category in _family_rows(sums, periods)
    ]
    index = np.concatenate([part[0] for part in parts])
    family = np.concatenate([np.full(len(part[0]), part[1]) for part in parts])
    category = np.concatenate([part[2] for part in parts])
    n_categories = max(11, len(rows.ethnic_names))
    ids, (ip, area, family, category) = _group(
        [sums.ip[index], sums.area[index], family, category],
        [len(rows.ip_indicator), len(tree.codes), N_FAMILIES, n_categories],
    )
    n = len(ip)
    band = sums.band[index]
    cells = pd.DataFrame(
        {
            "indicator_code": np.array(rows.ip_indicator, dtype=object)[ip],
            "period_label": np.array(rows.ip_period, dtype=object)[ip],
            "area_code": tree.codes.to_numpy()[area],
            "sex": np.where(family == SEX, np.where(category == 1, MALE, FEMALE), PERSONS),
            "age": periods.default_age[ip],
            "category_type": np.array(
                [
                    "",
                    "",
                    quintile_type(tree.deprivation),
                    decile_type(tree.deprivation),
                    ETHNIC_TYPE,
                ]
            )[family],  # fmt: skip
            "category": _category_labels(family, category, rows.ethnic_names),
            "numerator": _sum(ids, sums.numerator[index], n),
            "denominator": _sum(ids, sums.denominator[index], n),
            "published": (family != QUINTILE) | periods.quintile[ip],
        }
    )
    numerators = _band_matrix(ids, band, sums.numerator[index], n)
    denominators = _band_matrix(ids, band, sums.denominator[index], n)
    outside = ~periods.dsr[ip][:, None] | ~_bands_given(rows)[ip]
    numerators[outside] = np.nan
    denominators[outside] = np.nan
    bands = pd.DataFrame(
        np.hstack([numerators, denominators]),
        columns=BAND_NUMERATOR_COLUMNS + BAND_DENOMINATOR_COLUMNS,
    )
    cells = pd.concat([cells, bands], axis=1)
    cells["family"], cells["category_code"] = family, category
    order = ["indicator_code", "period_label", "area_code", "family", "category_code"]
    cells = cells.sort_values(order, kind="stable", ignore_index=True)
    return cells.drop(columns=["family", "category_code"])


def _category_labels(family, category, ethnic_names: list[str]) -> np.ndarray:
    labels = np.full(len(family), "", dtype=object)
    for kind, label in ((QUINTILE, quintile_label), (DECILE, decile_label)):
        mask = family == kind
        table = np.array([""] + [label(code) for code in range(1, 11)], dtype=object)
        labels[mask] = table[category[mask]]
    ethnic = family == ETHNIC
    if ethnic.any():
        labels[ethnic] = np.array(ethnic_names, dtype=object)[category[ethnic]]
    return labels


def _band_matrix(ids, band, values, n) -> np.ndarray:
    """Sums per cell and ESP2013 band (cells × 19); rows of All ages sums go nowhere."""
    banded = band < N_BANDS
    flat = ids[banded] * N_BANDS + band[banded]
    sums = np.bincount(flat, weights=values[banded].astype(float), minlength=n * N_BANDS)
    return sums.astype(float).reshape(n, N_BANDS)


def _bands_given(rows: CodedRows) -> np.ndarray:
    """(ip × 19): whether the extract gives the band at all for the indicator × period."""
    given = np.zeros((len(rows.ip_indicator), N_BANDS + 1), dtype=bool)
    given[rows.ip, rows.band] = True
    return given[:, :N_BANDS]


# --- the step -------------------------------------------------------------------------------


def roll_up(
    counts: pd.DataFrame, *, areas: AreaTree | TreeArrays, indicators: Mapping[str, IndicatorSpec]
) -> RollUp:
    """Sum a validated counts frame (COUNTS_COLUMNS) to every area it fully covers.

    Raises ValueError for counts the roll-up cannot sum safely: an indicator with no
    specification, an area not in the tree, a DSR without age bands, one indicator × period
    mixing kinds of small area, or rows with and without an ethnic group.
    """
    if counts.empty:
        return RollUp(_empty(CELL_COLUMNS), _empty(SKIPPED_COLUMNS))
    tree = areas.arrays if isinstance(areas, AreaTree) else areas
    rows = _coded_rows(counts, tree, indicators)
    periods = IndicatorPeriods.from_specs(rows.ip_indicator, indicators)
    _check_ages_and_ethnic_groups(rows, periods)
    without_decile = tuple(sorted(tree.codes[np.unique(rows.unit[tree.decile[rows.unit] == 0])]))
    role = _resolve_totals(rows, periods)
    coverage = _coverage(rows, tree)
    sums = _spread_to_ancestors(_sum_to_parents(rows, role, tree, coverage), tree, coverage)
    if len(sums.ip) == 0:
        return RollUp(_empty(CELL_COLUMNS), coverage.skipped, without_decile)
    return RollUp(_cells(sums, rows, periods, tree), coverage.skipped, without_decile)


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in columns})
