"""The demo's calibration, read from ``fixtures/demo/`` (its README says what every file and
column means and where the numbers came from).

Two kinds of calibration:

- **National** (:class:`Calibration`): how each indicator behaves in England, the
  denominators it is drawn from, England's population structure, the comparator ICBs' size
  and deprivation, targets and narratives. Every system's demo uses it.
- **Local** (:class:`LocalStory`): one system's own departures from England — how its
  councils differ, engineered ICB series with SPC signals, and words naming its partners —
  from ``fixtures/demo/local/<ICB code>.toml``. An ICB without a file gets an empty story.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.schema import ESP2013_AGE_BANDS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FOLDER = "demo"  # the calibration's folder under the fixtures

Effect = tuple[str, float]  # ("ratio", 2.6) or ("points", -12.0)
Anchors = tuple[tuple[str, float], ...]  # (period label, value), interpolated by mid-date
NO_EFFECT: Effect = ("ratio", 1.0)


@dataclass(frozen=True)
class Denominator:
    """Expected denominator per resident of each band; flows scale with the period length."""

    per_resident: tuple[float, ...]
    flow: bool = False  # a count of events in the period (births, deaths, discharges)
    deprivation_ratio: float = 1.0  # prevalence in quintile 1 relative to quintile 5


@dataclass(frozen=True)
class Pattern:
    """How one indicator behaves in England (fixtures/demo/patterns.toml, which says what
    each field means)."""

    england: Anchors
    female: Anchors = ()
    gradient: Effect = NO_EFFECT
    sex: Effect = NO_EFFECT
    winter: float = 0.0
    winter_profile: tuple[float, ...] = ()  # centred, January to December
    denominator: str = ""
    ages: tuple[float, ...] = ()
    age_range: tuple[str, str] | None = None
    academic: bool = False
    noise: float | None = None
    spread: float | None = None
    se_million: float = 0.0
    sample_million: float = 0.0
    modelled: bool = False


@dataclass(frozen=True)
class Goal:
    """A target: an absolute ``value``, a ``change`` relative to the baseline, or a range."""

    period: str
    source: str  # national | local_plan
    detail: str
    value: float | None = None
    change: float | None = None
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class Narrative:
    what: str
    contribution: str
    limitations: str
    status: str  # published | draft


@dataclass(frozen=True)
class Engineered:
    """An ICB series of the system's own level, engineered to show an SPC signal."""

    anchors: Anchors
    noise: float


@dataclass(frozen=True)
class Council:
    age_tilt: tuple[float, ...] = (1.0,) * len(ESP2013_AGE_BANDS)
    gradient_scale: float = 1.0
    student_lsoas: int = 0


@dataclass(frozen=True)
class LocalStory:
    """One system's departures from England; empty for an ICB without a local file."""

    councils: dict[str, Council] = field(default_factory=dict)
    council_effects: dict[str, dict[str, float]] = field(default_factory=dict)  # by indicator
    engineered: dict[str, Engineered] = field(default_factory=dict)  # by indicator
    target_details: dict[str, str] = field(default_factory=dict)  # by indicator
    narratives: dict[str, dict[str, str]] = field(default_factory=dict)  # by indicator
    imd_ranks: Path | None = None  # lsoa11_code, imd2019_rank


@dataclass(frozen=True)
class Calibration:
    patterns: dict[str, Pattern]
    denominators: dict[str, Denominator]
    band_share: np.ndarray  # England's share of residents in each ESP2013 band (%)
    male_share: np.ndarray  # the male share within each band
    icb_profiles: dict[str, tuple[int, float]]  # LSOA count, mean IMD decile; draw order
    goals: dict[str, Goal]
    narratives: dict[str, Narrative]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _optional(text: str) -> float | None:
    return float(text) if text != "" else None


def _anchors(pairs) -> Anchors:
    return tuple((str(label), float(value)) for label, value in pairs)


def _effect(table: dict | None) -> Effect:
    if table is None:
        return NO_EFFECT
    ((kind, size),) = table.items()
    if kind not in {"ratio", "points"}:
        raise ValueError(f"An effect is {{ ratio = r }} or {{ points = p }}, not {kind!r}")
    return (kind, float(size))


def _pattern(table: dict, winter_profile: tuple[float, ...]) -> Pattern:
    floats = ("winter", "se_million", "sample_million")
    return Pattern(
        england=_anchors(table["england"]),
        female=_anchors(table.get("female", ())),
        gradient=_effect(table.get("gradient")),
        sex=_effect(table.get("sex")),
        winter_profile=winter_profile,
        denominator=table.get("denominator", ""),
        ages=tuple(float(value) for value in table.get("ages", ())),
        age_range=tuple(table["age_range"]) if "age_range" in table else None,
        academic=table.get("academic", False),
        noise=float(table["noise"]) if "noise" in table else None,
        spread=float(table["spread"]) if "spread" in table else None,
        modelled=table.get("modelled", False),
        **{name: float(table[name]) for name in floats if name in table},
    )


def _patterns(path: Path) -> dict[str, Pattern]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    profile = np.array([float(value) for value in data.pop("winter_profile")])
    centred = tuple(float(value) for value in profile - profile.mean())
    return {code: _pattern(table, centred) for code, table in data.items()}


def _denominators(path: Path) -> dict[str, Denominator]:
    recipes = {}
    for row in _rows(path):
        scale = float(row["scale"])
        recipes[row["denominator"]] = Denominator(
            per_resident=tuple(scale * float(row[band]) for band in ESP2013_AGE_BANDS),
            flow=row["flow"] == "yes",
            deprivation_ratio=float(row["deprivation_ratio"]),
        )
    return recipes


def _goals(path: Path) -> dict[str, Goal]:
    return {
        row["indicator_code"]: Goal(
            row["period"],
            row["source"],
            row["detail"],
            *(_optional(row[name]) for name in ("value", "change", "lower", "upper")),
        )
        for row in _rows(path)
    }


def _narratives(path: Path) -> dict[str, Narrative]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {code: Narrative(**table) for code, table in data.items()}


def calibration_read(fixtures_dir: Path = FIXTURES) -> Calibration:
    folder = fixtures_dir / FOLDER
    population = _rows(folder / "population.csv")
    assert [row["age_band"] for row in population] == ESP2013_AGE_BANDS
    return Calibration(
        patterns=_patterns(folder / "patterns.toml"),
        denominators=_denominators(folder / "denominators.csv"),
        band_share=np.array([float(row["england_share"]) for row in population]),
        male_share=np.array([float(row["male_share"]) for row in population]),
        icb_profiles={
            row["icb_code"]: (int(row["lsoa_count"]), float(row["mean_imd_decile"]))
            for row in _rows(folder / "icb_profiles.csv")
        },
        goals=_goals(folder / "targets.csv"),
        narratives=_narratives(folder / "narratives.toml"),
    )


def local_story_read(icb: str, fixtures_dir: Path = FIXTURES) -> LocalStory:
    path = fixtures_dir / FOLDER / "local" / f"{icb}.toml"
    if not path.exists():
        return LocalStory()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    councils = {
        code: Council(
            age_tilt=tuple(float(value) for value in table.get("age_tilt", Council().age_tilt)),
            gradient_scale=float(table.get("gradient_scale", 1.0)),
            student_lsoas=int(table.get("student_lsoas", 0)),
        )
        for code, table in data.get("councils", {}).items()
    }
    effects = {
        indicator: {council: float(value) for council, value in table.items()}
        for indicator, table in data.get("council_effects", {}).items()
    }
    engineered = {
        indicator: Engineered(_anchors(table["anchors"]), float(table["noise"]))
        for indicator, table in data.get("engineered", {}).items()
    }
    ranks = data.get("imd_ranks")
    return LocalStory(
        councils=councils,
        council_effects=effects,
        engineered=engineered,
        target_details=dict(data.get("targets", {})),
        narratives=dict(data.get("narratives", {})),
        imd_ranks=fixtures_dir / ranks if ranks else None,
    )
