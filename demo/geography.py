"""The demo system's geography: its LSOAs with their deprivation and a synthetic population by
sex and age band, and the areas it publishes figures for (docs/geography.md).

The system's areas, all read from ``fixtures/areas.csv``:

- its ICB and the ICB's sub-ICB locations, whose LSOAs (each LSOA's parent) are the system's;
- its councils: each LSOA's county or unitary authority (a district's parent). Figures are
  published for those lying wholly within the ICB; a council that crosses into another ICB
  shapes its LSOAs but is not the system's to report on;
- its localities: the locality areas its LSOAs belong to (further parents), or, where the
  system has no locality file, its sub-ICB locations standing in for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from demo.calibration import Calibration, Council, LocalStory

POPULATION_GROWTH = 0.006  # a year, from mid-2021
RESIDENTS_PER_LSOA = 1_720  # England 2021: about 56.5 million residents in 32,844 LSOAs


@dataclass(frozen=True)
class Geography:
    """The system's LSOAs (arrays in LSOA code order), their populations and its areas."""

    icb: str
    lsoa: np.ndarray  # codes
    decile: np.ndarray  # national IMD decile, 1 = most deprived
    rank: np.ndarray  # national IMD rank (or the decile, where no ranks ship)
    sub_icb: np.ndarray  # sub-ICB location code per LSOA
    council: np.ndarray  # county or unitary authority code per LSOA
    locality: np.ndarray  # locality code per LSOA
    gradient_scale: np.ndarray  # multiplies the deprivation gradient per LSOA
    population: np.ndarray  # (LSOA, sex, band) residents in mid-2021
    sub_icbs: tuple[str, ...]
    councils: tuple[str, ...]  # every council with LSOAs in the system, in code order
    own_councils: tuple[str, ...]  # those lying wholly within the ICB
    localities: tuple[str, ...]
    names: dict[str, str]  # of every area in areas.csv
    parents: dict[str, str]
    types: dict[str, str]
    regions: dict[str, list[str]]  # each NHS region's ICBs, in areas.csv order

    def population_at(self, year: float) -> np.ndarray:
        return self.population * (1 + POPULATION_GROWTH) ** (year - 2021.5)

    @property
    def quintile(self) -> np.ndarray:
        return (self.decile + 1) // 2

    def name(self, code: str) -> str:
        return self.names[code]

    def parent(self, code: str) -> str:
        return self.parents[code]

    def area_type(self, code: str) -> str:
        return self.types[code]

    def mask(self, code: str) -> np.ndarray:
        """The LSOAs of one of the system's areas."""
        if code == self.icb:
            return np.ones(len(self.lsoa), dtype=bool)
        for codes, per_lsoa in (
            (self.sub_icbs, self.sub_icb),
            (self.councils, self.council),
            (self.localities, self.locality),
        ):
            if code in codes:
                return per_lsoa == code
        raise KeyError(code)

    def published(self) -> list[str]:
        """The areas figures are published for: the ICB, its sub-ICB locations, its own
        councils, then the localities that are not sub-ICB locations."""
        localities = [code for code in self.localities if code not in self.sub_icbs]
        return [self.icb, *self.sub_icbs, *self.own_councils, *localities]

    def same_as_icb(self, code: str) -> bool:
        """An area other than the ICB with all its LSOAs: its figures are the ICB's."""
        return code != self.icb and bool(self.mask(code).all())


def rng_for(seed: int, *keys: str) -> np.random.Generator:
    """An independent stream per purpose, so a subset of indicators draws the same numbers."""
    return np.random.default_rng([seed, *(int.from_bytes(key.encode(), "big") for key in keys)])


def areas_read(fixtures_dir: Path) -> pd.DataFrame:
    areas = pd.read_csv(fixtures_dir / "areas.csv", dtype=str, keep_default_na=False)
    return areas.set_index(areas["code"].rename("area"))


def _parents_of_type(kinds: dict[str, str], lsoas: pd.DataFrame, area_type: str) -> pd.Series:
    """Each LSOA's further parent of ``area_type`` ("" where it has none)."""
    return lsoas["also_in"].map(
        lambda also_in: next(
            (code for code in also_in.split("|") if kinds.get(code) == area_type), ""
        )
    )


def _council_of(areas: pd.DataFrame, lsoas: pd.DataFrame) -> pd.Series:
    """Each LSOA's county or unitary authority: its local authority, or its district's."""
    kinds = areas["area_type"].to_dict()
    unitary = _parents_of_type(kinds, lsoas, "local_authority")
    district = _parents_of_type(kinds, lsoas, "district")
    county = district.map(areas["parent_code"].to_dict()).fillna("")
    return unitary.where(unitary != "", county)


def _own_councils(areas: pd.DataFrame, icb: str, councils: list[str]) -> tuple[str, ...]:
    """The councils all of whose LSOAs (in all of England) are in the ICB."""
    lsoas = areas[areas["area_type"] == "lsoa"]
    icb_of = lsoas["parent_code"].map(areas["parent_code"].to_dict())
    outside = set(_council_of(areas, lsoas[icb_of != icb]))
    return tuple(code for code in councils if code not in outside)


def _ranks(story: LocalStory, codes: pd.Series, decile: np.ndarray) -> np.ndarray:
    if story.imd_ranks is None:
        return decile.copy()
    ranks = pd.read_csv(story.imd_ranks, dtype=str)
    rank = ranks.set_index("lsoa11_code")["imd2019_rank"].astype(int)
    return rank.reindex(codes).to_numpy()


def build_geography(
    icb: str, seed: int, calibration: Calibration, story: LocalStory, fixtures_dir: Path
) -> Geography:
    areas = areas_read(fixtures_dir)
    sub_icbs = areas.index[(areas["area_type"] == "sub_icb") & (areas["parent_code"] == icb)]
    lsoas = areas[(areas["area_type"] == "lsoa") & areas["parent_code"].isin(sub_icbs)]
    lsoas = lsoas.sort_values("code")
    council = _council_of(areas, lsoas).to_numpy()
    locality = _parents_of_type(areas["area_type"].to_dict(), lsoas, "locality").to_numpy()
    sub_icb = lsoas["parent_code"].to_numpy()
    if (locality == "").all():
        locality = sub_icb  # no locality file: the sub-ICB locations stand in
    localities = tuple(areas.index[areas.index.isin(set(locality))])  # in areas.csv order
    councils = sorted(set(council))
    own_councils = _own_councils(areas, icb, councils)
    decile = lsoas["imd_decile"].astype(int).to_numpy()
    described = {code: story.councils.get(code, Council()) for code in councils}
    gradient_scale = np.array([described[code].gradient_scale for code in council])
    return Geography(
        icb=icb,
        lsoa=lsoas["code"].to_numpy(),
        decile=decile,
        rank=_ranks(story, lsoas["code"], decile),
        sub_icb=sub_icb,
        council=council,
        locality=locality,
        gradient_scale=gradient_scale,
        population=_population(areas, council, decile, described, own_councils, calibration, seed),
        sub_icbs=tuple(sub_icbs),
        councils=tuple(councils),
        own_councils=own_councils,
        localities=localities,
        names=areas["name"].to_dict(),
        parents=areas["parent_code"].to_dict(),
        types=areas["area_type"].to_dict(),
        regions=_regions(areas),
    )


def _regions(areas: pd.DataFrame) -> dict[str, list[str]]:
    icbs = areas[areas["area_type"] == "icb"]
    regions: dict[str, list[str]] = {}
    for code, parent in zip(icbs["code"], icbs["parent_code"], strict=True):
        regions.setdefault(parent, []).append(code)
    return regions


def _population(areas, council, decile, described, own_councils, calibration, seed):
    """Residents by LSOA, sex and band: England's age structure shaped by each council's
    (its ``age_tilt`` and student neighbourhoods) and by deprivation (more children and young
    adults, fewer older people), with a council's Census total where areas.csv has one."""
    rng = rng_for(seed, "geography")
    size = len(council)
    deprivation = (5.5 - decile) / 4.5  # +1 most deprived … -1 least
    shares = np.tile(calibration.band_share, (size, 1))
    for code, details in described.items():
        shares[council == code] *= details.age_tilt
    shares[:, :3] *= (1 + 0.05 * deprivation)[:, None]  # deprived areas: more children,
    shares[:, 3:8] *= (1 + 0.06 * deprivation)[:, None]  # more young adults,
    shares[:, 13:] *= (1 - 0.08 * deprivation)[:, None]  # fewer older people
    for code, details in described.items():
        if details.student_lsoas:
            students = rng.choice(
                np.flatnonzero(council == code), size=details.student_lsoas, replace=False
            )
            shares[students, 3] *= 2.0
            shares[students, 4] *= 4.0
    shares *= rng.lognormal(0.0, 0.12, size=shares.shape)
    shares /= shares.sum(axis=1, keepdims=True)

    residents_per_lsoa = {}
    for code in described:
        census = areas.at[code, "population"] if code in own_councils else ""
        count = int((council == code).sum())
        residents_per_lsoa[code] = float(census) / count if census else RESIDENTS_PER_LSOA
    totals = np.array([residents_per_lsoa[code] for code in council], dtype=float)
    totals *= rng.lognormal(0.0, 0.09, size=size)
    male = calibration.male_share
    return np.stack(
        [totals[:, None] * shares * male, totals[:, None] * shares * (1 - male)], axis=1
    )
