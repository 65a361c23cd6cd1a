"""The statistics reference data (tests/indicators/statistics/reference/, each file described
in its README.md), read one way by every test that checks against it, with the tolerances
stated once.

A file is read when a test or fixture asks for it, never on import: a missing or broken file
fails the tests that need it and leaves the rest of the suite to run."""

import csv
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

FOLDER = Path(__file__).resolve().parent / "indicators" / "statistics" / "reference"

# --- Tolerances (the README gives each file's; the reason for each is here) ------------------

# Deterministic formulas (Wilson, exact and Byar's, t, Dobson, ISR, the funnels' limits): an
# independent implementation matched every value to 1e-11, so 1e-6 leaves room for another
# order of operations yet still catches 1.96 used for the exact z (about 2e-5 apart).
RELATIVE = 1e-6
# Where the expected value is exactly 0 (the lower limit at 0 events) a relative tolerance
# means nothing; floating point leaves about 1e-16 there.
ABSOLUTE_AT_ZERO = 1e-12
# Life expectancy: the package asserts 4 dp and computed some 95% limits with z = 1.96, which
# moves them by up to 8.6e-7 relative.
LIFE_EXPECTANCY_RELATIVE = 1e-5
# The funnel proportion limits are stored to 6 dp on the ×100 scale.
FUNNEL_PROPORTION_ABSOLUTE = 1e-6
# The package finds a funnel's Poisson limit by bisection, which stops up to 4.7e-5 short of
# the exact root: the tolerance when checking the bisection against the exact root.
BISECTION_RELATIVE = 1e-4
# SII, RII, their intercept and the closed-form SII limits are a weighted least-squares fit,
# deterministic (observed agreement 2e-14).
LEAST_SQUARES_RELATIVE = 1e-9
# Simulated SII and RII limits follow the random stream, not a formula: compare within 5% of
# the expected CI width (five seeds stayed within 1.2%; 5% of the limit itself did not).
SIMULATED_SHARE_OF_WIDTH = 0.05
# SPC means and limits: sums of a few values, R's and numpy's differing only in the last bits.
SPC_LIMITS = 1e-9
# What the SPC package's own tests print (means and limits to 2 dp or so).
PRINTED_PRECISION = 5e-3
# The trend README gives χ² at full precision (the upstream test asserts 2 dp).
CHI_SQUARE_RELATIVE = 1e-9
# The trend README gives the leave-one-out slopes to 6 dp: half a unit in the sixth place.
SIX_DECIMAL_PLACES = 5e-7


# --- Reading -----------------------------------------------------------------------------------


def rows(name: str) -> list[dict[str, str]]:
    """A CSV file's rows as text, as written: an empty cell is NA."""
    with open(FOLDER / name, newline="") as file:
        return list(csv.DictReader(file))


def rows_by_case(name: str, key: str = "case_id") -> dict[str, list[dict[str, str]]]:
    grouped = defaultdict(list)
    for row in rows(name):
        grouped[row[key]].append(row)
    return dict(grouped)


def frame(name: str) -> pd.DataFrame:
    return pd.read_csv(FOLDER / name)


def spc_cases() -> dict:
    """spc_cases.json: ``cases``, ``rule_unit_cases`` and ``assurance_unit_cases``."""
    return json.loads((FOLDER / "spc_cases.json").read_text())


# spc_cases.json speaks NHSRplotthedots: its improvement directions are our polarities, and its
# assurance types our assurance icons.
SPC_POLARITY = {"increase": "higher_better", "decrease": "lower_better", "neutral": "no_judgement"}
SPC_ASSURANCE_ICON = {
    "consistent_pass": "pass",
    "consistent_fail": "fail",
    "inconsistent": "inconsistent",
}


def case_id(row: dict[str, str]) -> str:
    return f"{row['case_id']}@{row['confidence']}"


def number(cell: str) -> float:
    """An input cell; empty means NA."""
    return float(cell) if cell else np.nan


# --- Comparing ---------------------------------------------------------------------------------


def assert_matches(actual, expected: str, what: str, *, relative: float = RELATIVE) -> None:
    """``actual`` against a reference cell: empty is NA, 0 is 0 within ABSOLUTE_AT_ZERO, anything
    else within ``relative``."""
    actual = float(actual)
    if expected == "":
        assert np.isnan(actual), f"{what}: expected NA, got {actual!r}"
    elif float(expected) == 0:
        assert abs(actual) <= ABSOLUTE_AT_ZERO, f"{what}: expected 0, got {actual!r}"
    else:
        assert actual == pytest.approx(float(expected), rel=relative, abs=0), what


def assert_interval_matches(result, row: dict[str, str], *, relative: float = RELATIVE) -> None:
    """An Interval (value, lower, upper) against a row's ``value``, ``lowercl`` and ``uppercl``."""
    for part in ("value", "lower", "upper"):
        column = part if part == "value" else f"{part}cl"
        assert_matches(getattr(result, part), row[column], column, relative=relative)
