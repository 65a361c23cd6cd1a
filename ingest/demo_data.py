"""Seeded synthetic extracts for the demo framework: BNSSG's story, told in realistic numbers.

``generate_demo_extracts`` writes the files an analyst would upload for the 44 demo
indicators, and a manifest saying in which order to ingest them:

- ``values_comparators.csv`` (kind ``values``, Fingertips format): England, the 7 NHS regions
  and the 42 ICBs at every period of every indicator, calibrated on the framework's England
  value. BNSSG's own ICB is left out for indicators built from counts, because the pipeline
  computes it from the LSOAs.
- ``values_bnssg.csv`` (kind ``values``): the ICB, its sub-ICB, the three councils and the six
  localities for the indicators a source publishes ready-made (life expectancy, survey
  estimates, SII, ISR, system-flow counts and means), with sex and IMD rows where published.
- ``counts_<CODE>.csv`` (kind ``counts``, docs/design.md §4.4): one file per indicator built from
  counts, with every BNSSG LSOA in every period; DSRs carry every ESP2013 band of their age
  range (all 19 for all-age indicators).
- ``baselines_targets.csv`` and ``narratives.csv``.

Nothing here imports Django: the result is a pure function of the fixtures, the seed and
the arguments. The patterns follow docs/domain.md §8; every figure is **illustrative**.

How the numbers are made. Each LSOA has a population by sex and five-year band, shaped by
its council (Bristol young, North Somerset old) and its IMD decile. An indicator's value in
a cell is the England level for the period (interpolated between dated anchors, with a
winter cycle for sub-annual series) shifted on a link scale (logit for proportions, log for
rates, none for years) by the deprivation gradient, the council, the sex and a persistent
LSOA effect; numerators are then drawn binomially (proportions) or as Poisson events
(rates). Comparator areas use the same link scale, shifted by their mean IMD decile.

Two conventions for DSRs:

- An age-restricted DSR (under 75, 65+, 10-24, under 19…) gives only the bands of its age
  range. The roll-up treats a band an extract never gives as outside the range and the
  pipeline standardises over the ESP2013 weights of the bands given, as PHE does; giving all
  19 bands would standardise an under-75 rate over the whole population and dilute it.
- Quarterly DSRs are annualised: their denominators are person-years (population ÷ 4), so
  a quarter's rate sits on the same scale as the annual England value.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit, logit

from indicators.periods import (
    ParsedPeriod,
    academic_year,
    calendar_year,
    financial_quarter,
    financial_year,
    month,
    parse_period_label,
    pooled_years,
)
from indicators.statistics.common import z_value
from indicators.statistics.intervals import (
    byar_exact_interval,
    byar_limits,
    switched_poisson_limits,
    wilson_interval,
)
from indicators.statistics.standardised import ESP2013, directly_standardised_rate
from ingest.schema import (
    ALL_AGES,
    DECILE_TYPE,
    ESP2013_AGE_BANDS,
    QUINTILE_TYPE,
    decile_label,
    quintile_label,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

COUNTS_HEADER = [
    "indicator_code", "period", "area_code", "sex", "age_band", "numerator", "denominator",
]  # fmt: skip
VALUES_HEADER = [
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name",
    "Area Type", "Sex", "Age", "Category Type", "Category", "Time period", "Value",
    "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit",
    "Count", "Denominator", "Value note", "Recent Trend",
    "Compared to England value or percentiles", "Compared to Region value or percentiles",
    "Time period Sortable", "New data", "Compared to goal",
]  # fmt: skip
BASELINES_HEADER = [
    "indicator_code", "area_code", "sex", "baseline_period", "baseline_value",
    "baseline_lower_95", "baseline_upper_95", "target_value", "target_lower", "target_upper",
    "target_period", "target_source", "target_source_detail",
]  # fmt: skip
NARRATIVES_HEADER = [
    "indicator_code", "area_code", "period", "what_data_shows", "contribution", "limitations",
    "status",
]  # fmt: skip

# `make demo` must stay quick: the whole granular demo stays under this many rows.
GRANULAR_ROW_BUDGET = 1_500_000
MONTHLY_YEARS = 3  # monthly series carry at most 3 years (36 points: enough for SPC)

ENGLAND = "E92000001"
BNSSG_ICB = "E54000039"
BNSSG_SUB_ICB = "E38000222"
BRISTOL, NORTH_SOMERSET, SOUTH_GLOUCESTERSHIRE = "E06000023", "E06000024", "E06000025"
COUNCILS = (BRISTOL, NORTH_SOMERSET, SOUTH_GLOUCESTERSHIRE)
SEXES = ("Male", "Female")
BANDS = 19
Z95, Z998 = z_value(0.95), z_value(0.998)

# LSOA (2011) count and mean national IMD 2019 decile of each ICB, derived from the shared
# lookups (LSOA11 → ICB22 and IMD 2019): the comparators' size and deprivation.
ICB_PROFILE = {
    "E54000027": (1153, 5.18), "E54000028": (795, 4.88), "E54000029": (1023, 4.17),
    "E54000030": (1007, 4.97), "E54000031": (857, 6.57), "E54000032": (1065, 5.65),
    "E54000034": (440, 7.52), "E54000042": (1093, 6.34), "E54000044": (1011, 7.77),
    "E54000052": (618, 7.99), "E54000053": (995, 6.26), "E54000036": (327, 4.55),
    "E54000037": (707, 5.52), "E54000038": (327, 5.72), "E54000039": (563, 6.03),
    "E54000040": (536, 6.93), "E54000041": (452, 6.28), "E54000043": (373, 6.80),
    "E54000022": (611, 5.26), "E54000023": (562, 5.81), "E54000024": (537, 6.09),
    "E54000025": (857, 7.09), "E54000026": (705, 6.35), "E54000056": (498, 6.44),
    "E54000008": (1562, 4.78), "E54000048": (1058, 4.88), "E54000057": (1673, 4.29),
    "E54000010": (687, 5.63), "E54000011": (301, 5.51), "E54000013": (420, 5.63),
    "E54000015": (611, 6.22), "E54000018": (534, 5.89), "E54000019": (480, 6.00),
    "E54000055": (773, 3.53), "E54000058": (642, 5.73), "E54000059": (422, 6.03),
    "E54000060": (679, 5.14), "E54000062": (712, 3.85), "E54000050": (1864, 4.54),
    "E54000051": (1044, 5.88), "E54000054": (1417, 4.48), "E54000061": (853, 4.33),
}  # fmt: skip
RESIDENTS_PER_LSOA = 1_720  # England 2021: about 56.5 million residents in 32,844 LSOAs

# --- population structure -------------------------------------------------------------------

# England, Census 2021 (approximate): share of residents in each ESP2013 band, and the male
# share within the band.
BAND_SHARE = np.array(
    [5.4, 5.9, 6.0, 5.6, 6.0, 6.6, 6.9, 6.7, 6.3, 6.3,
     6.9, 6.8, 5.9, 5.0, 5.0, 3.7, 2.5, 1.5, 0.8]
)  # fmt: skip
MALE_SHARE = np.array(
    [.512, .512, .512, .515, .505, .495, .49, .49, .49, .49,
     .49, .49, .49, .48, .475, .465, .44, .40, .32]
)  # fmt: skip
# How each council's age profile departs from England's (docs/domain.md §8: Bristol young with a
# median age of 32.4, North Somerset old, South Gloucestershire close to England).
COUNCIL_AGE_TILT = {
    BRISTOL: [1.05, .92, .85, 1.15, 2.0, 1.7, 1.4, 1.12, .97, .88,
              .82, .8, .75, .68, .62, .62, .65, .7, .72],
    NORTH_SOMERSET: [.92, .98, 1.03, .95, .7, .78, .84, .9, .95, 1.0,
                     1.08, 1.14, 1.2, 1.32, 1.38, 1.42, 1.45, 1.5, 1.55],
    SOUTH_GLOUCESTERSHIRE: [1.0, 1.03, 1.03, 1.0, .85, .95, 1.0, 1.02, 1.02, 1.0,
                            1.02, 1.02, 1.0, 1.02, 1.05, 1.05, 1.05, 1.03, 1.0],
}  # fmt: skip
POPULATION_GROWTH = 0.006  # a year, from mid-2021
# Winter pressure by calendar month (Dec-Mar high), centred so a year averages zero.
WINTER_PROFILE = np.array([1.0, 0.8, 0.5, -0.1, -0.4, -0.6, -0.6, -0.7, -0.4, 0.0, 0.3, 0.9])
WINTER_PROFILE = WINTER_PROFILE - WINTER_PROFILE.mean()


def _bands(**values: float) -> tuple[float, ...]:
    """A 19-band vector from keyword ranges such as ``b65_90=0.03`` (bands 65-69 … 90+)."""
    starts = [5 * i for i in range(BANDS)]
    vector = [0.0] * BANDS
    for name, value in values.items():
        low, high = (int(part) for part in name[1:].split("_"))
        for i, start in enumerate(starts):
            if low <= start <= high:
                vector[i] = value
    return tuple(vector)


# --- what each indicator's numbers look like ------------------------------------------------


@dataclass(frozen=True)
class Denominator:
    """Expected denominator per resident of each band; flows scale with the period length."""

    per_resident: tuple[float, ...]
    flow: bool = False  # a count of events in the period (births, deaths, discharges)
    deprivation_ratio: float = 1.0  # prevalence in quintile 1 relative to quintile 5


# fmt: off
DENOMINATORS = {
    "under16": Denominator(_bands(b0_10=1.0, b15_15=0.2)),
    "age16_17": Denominator(_bands(b15_15=0.37)),
    "births": Denominator(_bands(b0_0=0.2), flow=True),
    "maternities": Denominator(_bands(b0_0=0.195), flow=True),
    "reception": Denominator(_bands(b5_5=0.19)),
    "year6": Denominator(_bands(b10_10=0.19)),
    "age65_registered": Denominator(_bands(b65_90=1.03)),
    "hypertension_register": Denominator(
        (0, 0, 0, .002, .005, .01, .02, .035, .06, .09, .14, .19, .25, .31, .37, .43, .48, .5, .5),
        deprivation_ratio=1.15,
    ),
    "hypertension_expected": Denominator(
        (0, 0, 0, .003, .008, .016, .032, .055, .095, .14, .22, .3, .39, .48, .56, .63, .68, .7,
         .7),
        deprivation_ratio=1.15,
    ),
    "staged_cancers": Denominator(  # new cancers × 0.55 stageable with a known stage
        tuple(0.55 * rate for rate in (
            1e-4, 5e-5, 5e-5, 1e-4, 2e-4, 3e-4, 5e-4, 8e-4, 1.3e-3, 2e-3, 3.2e-3, 4.8e-3, 6.8e-3,
            9e-3, 1.1e-2, 1.3e-2, 1.45e-2, 1.5e-2, 1.4e-2)),
        flow=True,
    ),
    "age60_74": Denominator(_bands(b60_70=1.0)),
    "diabetes_register": Denominator(
        (0, 0, .001, .003, .005, .01, .015, .025, .04, .06, .08, .1, .12, .14, .16, .17, .17, .15,
         .12),
        deprivation_ratio=1.5,
    ),
    "smi_register": Denominator(
        (0, 0, 0, .003, .008, .011, .012, .013, .013, .013, .013, .012, .011, .01, .009, .008,
         .008, .008, .008),
        deprivation_ratio=2.2,
    ),
    "ld_register": Denominator(
        (0, 0, .001, .006, .006, .006, .006, .005, .005, .005, .005, .004, .004, .003, .003, .002,
         .002, .001, .001),
        deprivation_ratio=1.5,
    ),
    "dementia_expected": Denominator(  # CFAS II prevalence by age
        _bands(b65_65=.017, b70_70=.03, b75_75=.06, b80_80=.111, b85_85=.183, b90_90=.299)
    ),
    "reablement": Denominator(  # discharged into reablement in October-December
        _bands(b65_65=.003, b70_70=.004, b75_75=.008, b80_80=.012, b85_85=.02, b90_90=.025),
        flow=True,
    ),
    "deaths": Denominator(
        (.001, .0001, .0001, .0003, .0004, .0005, .0006, .0009, .0013, .0019, .003, .0045, .007,
         .011, .017, .028, .05, .09, .19),
        flow=True,
    ),
    "discharges": Denominator(
        (.08, .03, .03, .05, .07, .08, .09, .09, .09, .1, .12, .14, .17, .21, .26, .33, .42, .5,
         .55),
        flow=True,
    ),
}
# fmt: on


def ratio(value: float) -> tuple[str, float]:
    """An effect as a ratio: quintile 1 / quintile 5, male / female, or council / England."""
    return ("ratio", float(value))


def points(value: float) -> tuple[str, float]:
    """An effect as a difference in the indicator's units (percentage points, years)."""
    return ("points", float(value))


@dataclass(frozen=True)
class Pattern:
    """How one indicator behaves. Anchors are (period label, value) pairs, interpolated
    linearly by mid-date; effects are ``ratio(...)`` or ``points(...)``."""

    england: tuple[tuple[str, float], ...]  # England (male, for sex-split years/gaps)
    female: tuple[tuple[str, float], ...] = ()  # England female anchors (OVR01-03)
    gradient: tuple[str, float] = ("ratio", 1.0)  # quintile 1 vs quintile 5
    sex: tuple[str, float] = ("ratio", 1.0)  # male vs female
    councils: tuple[float, float, float] | None = (
        None  # Bristol, N Somerset, S Glos (kind of gradient)
    )
    winter: float = 0.0  # seasonal amplitude: relative for rates, points for proportions
    denominator: str = ""  # a DENOMINATORS key (proportions and crude rates)
    ages: tuple[float, ...] = ()  # relative age-specific rates by ESP2013 band (DSRs)
    age_range: tuple[str, str] | None = None  # first and last band of a DSR (None: all 19)
    academic: bool = False  # school-year periods
    # Engineered BNSSG ICB series (for SPC signals): anchors of the ICB's own level.
    bnssg: tuple[tuple[str, float], ...] = ()
    bnssg_noise: float = 0.0  # period-to-period noise of the engineered series (link scale)
    noise: float | None = None  # period-to-period system noise (link scale)
    spread: float | None = None  # between-ICB spread beyond deprivation (link scale)
    se_million: float = 0.0  # years/gaps: standard error for a population of one million
    sample_million: float = 0.0  # survey proportions: effective sample per million residents
    modelled: bool = False  # modelled estimates, published without a CI


# fmt: off
PATTERNS: dict[str, Pattern] = {
    # --- Longer, healthier, fairer lives
    "OVR01": Pattern(
        england=(("2016 - 18", 63.4), ("2018 - 20", 63.1), ("2020 - 22", 62.4),
                 ("2023 - 25", 62.0)),
        female=(("2016 - 18", 63.9), ("2018 - 20", 63.9), ("2020 - 22", 62.7),
                ("2023 - 25", 62.4)),
        gradient=points(-15.0), councils=(-0.8, 0.4, 1.5), se_million=0.45,
    ),
    "OVR02": Pattern(
        england=(("2017 - 19", 79.8), ("2018 - 20", 79.4), ("2020 - 22", 78.6), ("2021 - 23", 79.1),
                 ("2023 - 25", 79.6)),
        female=(("2017 - 19", 83.4), ("2020 - 22", 82.6), ("2021 - 23", 83.1), ("2023 - 25", 83.4)),
        gradient=points(-7.0), councils=(-0.6, 0.3, 1.0), se_million=0.15,
    ),
    "OVR03": Pattern(
        england=(("2018 - 20", 9.7), ("2023 - 25", 10.1)),
        female=(("2018 - 20", 7.9), ("2023 - 25", 8.2)),
        se_million=0.45, spread=1.2,
    ),
    "OVR04": Pattern(
        england=(("2019 - 21", 155.0), ("2021 - 23", 150.0), ("2023 - 25", 144.0)),
        gradient=ratio(2.6), sex=ratio(1.6), councils=(1.10, 1.0, 0.88),
        ages=(.05, .01, .01, .04, .07, .09, .12, .17, .25, .36, .52, .75, 1.05, 1.45, 2.0,
              0, 0, 0, 0),
        age_range=("0-4", "70-74"),
    ),
    # --- Wider determinants and inclusive economy
    "WDH01": Pattern(
        england=(("2020/21", 18.5), ("2022/23", 19.8), ("2024/25", 20.5)),
        gradient=ratio(4.5), councils=(1.1, 1.0, 0.9), denominator="under16",
    ),
    "WDH02": Pattern(
        england=(("2020/21", 10.9), ("2022/23", 10.4), ("2024/25", 10.0)),
        gradient=points(3.0), sex=points(1.0), councils=(1.0, 0.5, -1.0), se_million=1.5,
    ),
    "WDH03": Pattern(
        england=(("2020/21", 66.0), ("2024/25", 65.0)),
        sex=points(2.0), councils=(1.0, 0.0, -1.5), spread=3.0,
    ),
    "WDH04": Pattern(
        england=(("2021", 4.7), ("2023", 5.2), ("2025", 5.6)),
        gradient=ratio(2.5), sex=ratio(1.15), councils=(1.15, 1.05, 0.85), denominator="age16_17",
    ),
    "WDH05": Pattern(
        england=(("2021", 13.1), ("2022", 13.0), ("2023", 11.4), ("2025", 11.0)),
        gradient=ratio(2.0), councils=(1.05, 1.05, 0.85), modelled=True,
    ),
    # --- Best start in life
    "CYP01": Pattern(
        england=(("2018/19", 10.6), ("2020/21", 9.6), ("2021/22", 9.1), ("2022/23", 8.8),
                 ("2023/24", 7.4), ("2024/25", 6.9), ("2025/26", 6.5)),
        gradient=ratio(3.5), councils=(1.1, 1.1, 0.85), denominator="maternities",
        # Improving: BNSSG's rate falls faster than England's (SPC: runs below the mean).
        bnssg=(("2020/21", 9.0), ("2022/23", 7.6), ("2024/25", 5.6), ("2025/26", 4.9)),
        bnssg_noise=0.02,
    ),
    "CYP02": Pattern(
        england=(("2019 - 21", 3.9), ("2021 - 23", 4.1), ("2023 - 25", 4.1)),
        gradient=ratio(1.8), sex=ratio(1.2), councils=(1.05, 1.0, 0.9), denominator="births",
    ),
    "CYP03": Pattern(
        england=(("2020/21", 65.0), ("2021/22", 65.2), ("2022/23", 67.2), ("2023/24", 67.7),
                 ("2024/25", 68.3)),
        gradient=points(-12.0), sex=points(-13.0), councils=(-1.5, 0.0, 1.5),
        denominator="reception", academic=True,
    ),
    "CYP04": Pattern(  # the 2020/21 spike is verified (docs/domain.md §8)
        england=(("2019/20", 9.9), ("2020/21", 14.4), ("2021/22", 10.1), ("2022/23", 9.2),
                 ("2023/24", 9.6), ("2024/25", 9.6)),
        gradient=ratio(2.2), sex=ratio(1.05), councils=(1.0, 1.05, 0.9),
        denominator="reception", academic=True,
    ),
    "CYP05": Pattern(
        england=(("2019/20", 21.0), ("2020/21", 25.5), ("2021/22", 23.4), ("2022/23", 22.7),
                 ("2023/24", 22.1), ("2024/25", 22.2)),
        gradient=ratio(2.0), sex=ratio(1.2), councils=(1.0, 1.0, 0.9), denominator="year6",
        academic=True,
    ),
    "CYP06": Pattern(
        england=(("2020/21", 345.0), ("2021/22", 370.0), ("2022/23", 319.0), ("2024/25", 300.0)),
        gradient=ratio(2.0), sex=ratio(0.45), councils=(1.25, 1.1, 0.85),
        ages=_bands(b10_10=0.6, b15_15=1.6, b20_20=0.9),
        age_range=("10-14", "20-24"),
    ),
    "CYP07": Pattern(
        england=(("2020/21", 86.6), ("2021/22", 85.7), ("2022/23", 84.5), ("2023/24", 83.9),
                 ("2024/25", 83.6), ("2025/26", 83.4)),
        gradient=points(-12.0), councils=(-3.0, 1.0, 2.0), denominator="births",
    ),
    # --- Healthy behaviours and prevention
    "PRV01": Pattern(
        england=(("2021", 13.3), ("2022", 12.7), ("2023", 11.6), ("2025", 10.6)),
        gradient=ratio(2.6), sex=ratio(1.3), councils=(1.25, 1.0, 0.8), sample_million=2500,
    ),
    "PRV02": Pattern(
        england=(("2021", 21.5), ("2023", 19.5), ("2025", 18.0)),
        gradient=ratio(1.5), sex=ratio(1.25), councils=(1.15, 1.05, 0.9), sample_million=700,
    ),
    "PRV03": Pattern(
        england=(("2019/20", 67.2), ("2020/21", 65.9), ("2021/22", 67.3), ("2022/23", 67.1),
                 ("2024/25", 67.5)),
        gradient=points(-12.0), sex=points(3.0), councils=(3.0, 0.0, 1.0), sample_million=5000,
    ),
    "PRV04": Pattern(
        england=(("2020/21", 63.5), ("2022/23", 64.0), ("2024/25", 64.5)),
        gradient=points(6.0), sex=points(10.0), councils=(-4.0, 2.0, 1.0), sample_million=5000,
    ),
    "PRV05": Pattern(  # BNSSG above England (verified), driven by Bristol
        england=(("2019/20", 500.0), ("2020/21", 455.0), ("2021/22", 490.0), ("2022/23", 475.0),
                 ("2024/25", 490.0)),
        gradient=ratio(2.2), sex=ratio(1.9), councils=(1.35, 1.12, 0.98),
        ages=(.02, .02, .1, .4, .5, .5, .6, .8, 1.0, 1.3, 1.6, 1.9, 2.0, 2.0, 1.9, 1.7, 1.4, 1.1,
              .8),
    ),
    "PRV06": Pattern(  # drifting down from the 2020/21 peak (verified)
        england=(("2020/21", 80.9), ("2021/22", 82.3), ("2022/23", 79.9), ("2023/24", 77.8),
                 ("2024/25", 74.9)),
        gradient=points(-10.0), councils=(-3.0, 1.0, 1.5), denominator="age65_registered",
    ),
    # --- Early diagnosis and long-term conditions
    "LTC01": Pattern(  # rising since 2020 (verified)
        england=(("2019", 70.4), ("2020", 74.0), ("2021", 77.0), ("2022", 80.0), ("2023", 81.5),
                 ("2024", 83.0), ("2025", 84.5)),
        gradient=ratio(2.4), sex=ratio(2.3), councils=(1.12, 1.0, 0.88),
        ages=(.005, .002, .002, .005, .01, .015, .03, .06, .11, .2, .35, .55, .85, 1.25, 1.8,
              0, 0, 0, 0),
        age_range=("0-4", "70-74"),
    ),
    "LTC02": Pattern(
        england=(("2020/21 Q4", 45.0), ("2021/22 Q4", 51.0), ("2022/23 Q4", 61.8),
                 ("2023/24 Q4", 66.0), ("2024/25 Q4", 68.8), ("2025/26 Q3", 70.0)),
        gradient=points(-4.0), sex=points(-1.5), councils=(-2.0, 0.0, 1.5),
        denominator="hypertension_register",
        # Improving: a steady rise every quarter (SPC: a 7-point trend, then above the limit).
        bnssg=(("2020/21 Q4", 46.0), ("2021/22 Q4", 53.0), ("2022/23 Q4", 62.5),
               ("2023/24 Q4", 67.5), ("2024/25 Q4", 71.5), ("2025/26 Q3", 74.0)),
        bnssg_noise=0.004,
    ),
    "LTC03": Pattern(
        england=(("2019/20", 57.0), ("2021/22", 59.0), ("2023/24", 63.0), ("2024/25", 65.0)),
        gradient=points(-2.0), councils=(-3.0, 1.0, 1.0), denominator="hypertension_expected",
    ),
    "LTC04": Pattern(
        england=(("2019", 55.0), ("2021", 54.4), ("2023", 55.2), ("2025", 56.0)),
        gradient=points(-4.0), sex=points(-2.0), councils=(-1.0, 0.0, 1.0),
        denominator="staged_cancers",
    ),
    "LTC05": Pattern(
        england=(("2020/21 Q4", 65.5), ("2021/22", 68.5), ("2023", 72.0), ("2024/25", 72.5),
                 ("2025/26", 73.0)),
        gradient=points(-12.0), sex=points(-2.5), councils=(-4.0, 1.5, 2.5),
        denominator="age60_74",
    ),
    "LTC06": Pattern(
        england=(("2020/21 Q4", 33.0), ("2021/22 Q4", 42.0), ("2022/23 Q4", 47.0),
                 ("2023/24", 50.0), ("2024/25", 52.0), ("2025/26", 53.0)),
        gradient=points(-5.0), sex=points(-1.0), councils=(-2.0, 1.0, 1.0),
        denominator="diabetes_register",
    ),
    "LTC07": Pattern(
        england=(("2019/20", 420.0), ("2020/21", 290.0), ("2021/22", 330.0), ("2022/23", 380.0),
                 ("2024/25", 390.0)),
        gradient=ratio(2.6), sex=ratio(1.05), councils=(1.1, 1.05, 0.85),
        ages=_bands(b35_35=.1, b40_40=.2, b45_45=.35, b50_50=.6, b55_55=1.0, b60_60=1.5,
                    b65_65=2.2, b70_70=3.0, b75_75=3.8, b80_80=4.3, b85_85=4.5, b90_90=4.0),
        age_range=("35-39", "90+"),
    ),
    # --- Mental health, learning disability and autism
    "MHL01": Pattern(
        england=(("2020/21 Q4", 32.0), ("2021/22 Q4", 44.0), ("2022/23 Q4", 55.0),
                 ("2023/24", 60.0), ("2024/25", 61.5), ("2025/26", 62.0)),
        gradient=points(-6.0), sex=points(-3.0), councils=(-2.0, 1.0, 1.0),
        denominator="smi_register",
    ),
    "MHL02": Pattern(
        england=(("2016 - 18", 370.0), ("2018 - 20", 390.0), ("2023 - 25", 400.0)),
        sex=ratio(1.05), councils=(1.05, 1.0, 0.95),
    ),
    "MHL03": Pattern(
        england=(("2019 - 21", 10.4), ("2021 - 23", 10.7), ("2023 - 25", 11.0)),
        gradient=ratio(1.8), sex=ratio(3.0), councils=(1.1, 1.05, 0.9),
        ages=(0, 0, .1, .5, .9, 1.0, 1.05, 1.1, 1.2, 1.35, 1.35, 1.2, .95, .8, .75, .8, .85, .9,
              .85),
        age_range=("10-14", "90+"),
    ),
    "MHL04": Pattern(
        england=(("2020/21 Q4", 71.8), ("2021/22", 76.0), ("2023/24", 80.0), ("2025/26", 82.0)),
        gradient=points(-3.0), sex=points(-1.0), councils=(-2.0, 1.0, 1.0),
        denominator="ld_register",
    ),
    "MHL05": Pattern(
        england=(("2020/21", 160.0), ("2022/23", 127.0), ("2024/25", 118.0)),
        gradient=ratio(2.2), sex=ratio(0.6), councils=(1.3, 1.15, 0.85),
        ages=(0, .02, 1.2, 3.0, 2.0, 1.5, 1.3, 1.2, 1.1, 1.0, .8, .6, .4, .3, .25, .3, .35, .4,
              .4),
    ),
    # --- Ageing well and independence
    "AGE01": Pattern(  # more falls in older North Somerset (docs/domain.md §8)
        england=(("2019/20", 2220.0), ("2020/21", 2020.0), ("2021/22", 2050.0),
                 ("2022/23", 1930.0), ("2023/24", 1984.0), ("2024/25", 2010.0)),
        gradient=ratio(1.3), sex=ratio(0.72), councils=(1.0, 1.12, 0.95),
        ages=_bands(b65_65=.7, b70_70=1.1, b75_75=2.0, b80_80=3.8, b85_85=6.9, b90_90=11.5),
        age_range=("65-69", "90+"),
    ),
    "AGE02": Pattern(
        england=(("2020/21", 560.0), ("2022/23", 550.0), ("2024/25", 540.0)),
        gradient=ratio(1.2), sex=ratio(0.55), councils=(1.0, 1.08, 0.95),
        ages=_bands(b65_65=.15, b70_70=.3, b75_75=.65, b80_80=1.4, b85_85=2.6, b90_90=4.2),
        age_range=("65-69", "90+"),
    ),
    "AGE03": Pattern(
        england=(("Mar 2023", 62.9), ("Dec 2023", 64.0), ("Dec 2024", 64.8), ("Feb 2026", 65.6)),
        gradient=points(-1.5), councils=(-1.0, 1.5, 0.0), denominator="dementia_expected",
        # Hit and miss: BNSSG hovers on the national ambition of 66.7%.
        bnssg=(("Mar 2023", 66.7), ("Feb 2026", 66.7)), bnssg_noise=0.012,
    ),
    "AGE04": Pattern(
        england=(("2020/21", 79.1), ("2022/23", 82.0), ("2024/25", 83.0)),
        gradient=points(-3.0), sex=points(-1.0), councils=(-2.0, -1.0, 2.0),
        denominator="reablement",
    ),
    "AGE05": Pattern(
        england=(("2020", 50.8), ("2021", 50.0), ("2022", 47.6), ("2023", 48.0), ("2025", 48.8)),
        gradient=points(-4.0), sex=points(1.0), councils=(-2.0, 2.0, 1.0), denominator="deaths",
    ),
    # --- Joined-up care and system flow
    "INT01": Pattern(
        england=(("2019/20", 750.0), ("2020/21", 600.0), ("2021/22", 690.0), ("2023/24", 760.0),
                 ("2025/26", 775.0)),
        gradient=ratio(2.3), sex=ratio(1.05), councils=(1.05, 1.0, 0.9), winter=0.08,
        ages=(.6, .25, .25, .3, .3, .3, .35, .4, .5, .65, .85, 1.1, 1.5, 2.0, 2.8, 3.8, 5.2, 6.8,
              8.0),
    ),
    "INT02": Pattern(
        england=(("2020/21", 15.4), ("2022/23", 14.2), ("2023/24", 14.8), ("2025/26", 14.6)),
        gradient=ratio(1.25), sex=ratio(1.05), councils=(1.03, 1.02, 0.95), winter=0.4,
        denominator="discharges",
    ),
    "INT03": Pattern(
        england=(("Mar 2023", 12600.0), ("Mar 2024", 12400.0), ("Mar 2025", 12200.0),
                 ("Feb 2026", 12300.0)),
        winter=0.07, spread=0.25,
        # Concern: a step up in August 2025 (SPC: points above the upper limit).
        bnssg=(("Mar 2023", 228.0), ("Jul 2025", 226.0), ("Aug 2025", 288.0), ("Feb 2026", 292.0)),
        bnssg_noise=0.03,
    ),
    "INT04": Pattern(
        england=(("Mar 2023", 1.35), ("Feb 2026", 1.2)),
        winter=0.08, spread=0.2, councils=(0.97, 1.10, 1.0),
        # Improving: a step down after the discharge-to-assess redesign in April 2024.
        bnssg=(("Mar 2023", 1.9), ("Mar 2024", 1.9), ("Apr 2024", 1.3), ("Feb 2026", 1.3)),
        bnssg_noise=0.04,
    ),
    "INT05": Pattern(
        england=(("2019/20", 280.0), ("2020/21", 190.0), ("2021/22", 250.0), ("2023/24", 265.0),
                 ("2025/26", 255.0)),
        gradient=ratio(1.8), sex=ratio(1.1), councils=(1.1, 1.0, 0.9), winter=0.10,
        ages=_bands(b0_0=1.3, b5_5=1.1, b10_10=1.0, b15_15=0.72),  # under 19: 4/5 of 15-19
        age_range=("0-4", "15-19"),
    ),
}
# fmt: on


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


# fmt: off
GOALS = {
    "OVR01": Goal("2028 - 30", "local_plan", change=+1.0, detail=
        "ICP strategy: one more year of healthy life by 2030 (illustrative)"),
    "OVR02": Goal("2028 - 30", "local_plan", change=+0.6, detail=
        "ICP strategy: life expectancy back above its pre-pandemic level (illustrative)"),
    "OVR03": Goal("2028 - 30", "local_plan", lower=-1.0, upper=-0.5, detail=
        "ICP strategy: narrow the gap by 0.5 to 1 year (illustrative)"),
    "OVR04": Goal("2028 - 30", "local_plan", change=-0.10, detail=
        "Joint Forward Plan: 10% fewer preventable deaths (illustrative)"),
    "WDH01": Goal("2029/30", "local_plan", change=-2.0, detail=
        "Councils' anti-poverty strategies: 2 points lower (illustrative)"),
    "WDH02": Goal("2029/30", "local_plan", value=8.0, detail=
        "Work and Health programme: gap below 8 points (illustrative)"),
    "WDH03": Goal("2029/30", "local_plan", change=-5.0, detail=
        "AWP employment support: gap 5 points narrower (illustrative)"),
    "WDH04": Goal("2028", "local_plan", "Councils' post-16 plans (illustrative)", value=4.5),
    "WDH05": Goal("2030", "local_plan", "Councils' warm homes plans (illustrative)", value=10.0),
    "CYP01": Goal("2025/26", "national", "NHS Long Term Plan ambition: 6% or less", value=6.0),
    "CYP02": Goal("2028 - 30", "local_plan", value=3.5, detail=
        "LMNS equity and equality plan (illustrative)"),
    "CYP03": Goal("2027/28", "national", value=75.0, detail=
        "Government ambition: 75% of children at a good level of development by 2028 (unverified)"),
    "CYP04": Goal("2029/30", "local_plan", "Healthy weight strategy (illustrative)", change=-1.0),
    "CYP05": Goal("2029/30", "local_plan", lower=19.0, upper=20.0, detail=
        "Healthy weight strategy: back to 19-20% (illustrative)"),
    "CYP06": Goal("2029/30", "local_plan", change=-0.10, detail=
        "CYP mental health plan: 10% fewer admissions (illustrative)"),
    "CYP07": Goal("2025/26", "national", "UKHSA/WHO coverage target of 95%", value=95.0),
    "PRV01": Goal("2030", "national", "Smokefree 2030 ambition: 5% or less", value=5.0),
    "PRV02": Goal("2030", "local_plan", "Tobacco control plan (illustrative)", value=15.0),
    "PRV03": Goal("2029/30", "local_plan", "Physical activity strategy (illustrative)", value=72.0),
    "PRV04": Goal("2029/30", "local_plan", lower=60.0, upper=62.0, detail=
        "Healthy weight strategy (illustrative)"),
    "PRV05": Goal("2029/30", "local_plan", change=-0.12, detail=
        "Drug and alcohol strategy: close the gap with England (illustrative)"),
    "PRV06": Goal("2025/26", "national", value=85.0, detail=
        "Annual flu letter ambition for people aged 65 and over (unverified)"),
    "LTC01": Goal("2029", "local_plan", "CVD prevention programme (illustrative)", value=70.0),
    "LTC02": Goal("2028/29", "national", value=80.0, detail=
        "NHS ambition: 80% treated to target by March 2029"),
    "LTC03": Goal("2028/29", "national", value=80.0, detail=
        "NHS ambition: 80% of expected hypertension detected by 2029"),
    "LTC04": Goal("2028", "national", value=75.0, detail=
        "NHS Long Term Plan: 75% of cancers diagnosed at stage 1 or 2 by 2028"),
    "LTC05": Goal("2025/26", "local_plan", value=75.0, detail=
        "SWAG Cancer Alliance screening plan (illustrative)"),
    "LTC06": Goal("2025/26", "local_plan", lower=52.0, upper=55.0, detail=
        "Diabetes programme: above the England average by 2 to 5 points (illustrative)"),
    "LTC07": Goal("2029/30", "local_plan", change=-0.10, detail=
        "Respiratory programme: 10% fewer admissions (illustrative)"),
    "MHL01": Goal("2025/26", "national", value=60.0, detail=
        "Core20PLUS5: 60% of people with SMI receive a full health check"),
    "MHL02": Goal("2028 - 30", "local_plan", "Mental health strategy (illustrative)", value=350.0),
    "MHL03": Goal("2028 - 30", "local_plan", change=-0.10, detail=
        "Suicide prevention strategy: 10% reduction (illustrative)"),
    "MHL04": Goal("2025/26", "local_plan", "LD and autism programme (illustrative)", value=85.0),
    "MHL05": Goal("2029/30", "local_plan", "Self-harm pathway (illustrative)", change=-0.10),
    "AGE01": Goal("2029/30", "local_plan", change=-0.08, detail=
        "Falls prevention strategy (illustrative)"),
    "AGE02": Goal("2029/30", "local_plan", change=-0.05, detail=
        "Fracture liaison service plan (illustrative)"),
    "AGE03": Goal("2025/26", "national", value=66.7, detail=
        "National ambition: two-thirds of people with dementia diagnosed"),
    "AGE04": Goal("2025/26", "local_plan", lower=85.0, upper=88.0, detail=
        "Better Care Fund plan (illustrative)"),
    "AGE05": Goal("2028", "local_plan", "End of life care strategy (illustrative)", change=+2.0),
    "INT01": Goal("2026/27", "local_plan", change=-0.05, detail=
        "Integrated care plan: 5% fewer avoidable admissions (illustrative)"),
    "INT02": Goal("2025/26", "local_plan", change=-1.0, detail=
        "Trusts' quality accounts: one point lower (illustrative)"),
    "INT03": Goal("2025/26", "local_plan", value=180.0, detail=
        "Better Care Fund plan: no more than 180 a day (illustrative)"),
    "INT04": Goal("2025/26", "local_plan", value=1.0, detail=
        "UEC plan: no more than one day on average (illustrative)"),
    "INT05": Goal("2026/27", "local_plan", change=-0.10, detail=
        "CYP programme: 10% fewer admissions (illustrative)"),
}
# fmt: on


# --- the framework, periods and geography ---------------------------------------------------


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    value_type: str
    multiplier: float
    polarity: str
    frequency: str
    ci_method: str
    breakdowns: frozenset[str]
    england_value: float
    england_period: str
    pattern: Pattern

    @property
    def from_counts(self) -> bool:
        """Computed by the pipeline from granular counts (the rest arrive as values)."""
        counted = {"proportion", "crude_rate", "dsr", "count"}
        return self.value_type in counted and self.ci_method != "none"

    @property
    def sexes(self) -> tuple[str, ...]:
        """Sexes of the granular cells: DSRs and indicators published by sex are split."""
        split = self.value_type == "dsr" or "sex" in self.breakdowns
        return SEXES if split else ("Persons",)

    @property
    def scale(self) -> str:
        """The link scale effects act on."""
        if self.value_type == "proportion":
            return "logit"
        if self.value_type in {"years", "gap"}:
            return "identity"
        return "log"

    @property
    def pooled(self) -> bool:
        """Published for rolling 3-year periods, as the England period ("2021-23") says."""
        if self.frequency != "annual":
            return False
        return parse_period_label(self.england_period).kind == "pooled_years"


def load_framework(fixtures_dir: Path = FIXTURES) -> list[IndicatorSpec]:
    frame = pd.read_csv(fixtures_dir / "demo_framework.csv", dtype=str, keep_default_na=False)
    specs = []
    for row in frame.to_dict("records"):
        specs.append(
            IndicatorSpec(
                code=row["code"],
                name=row["name"],
                value_type=row["value_type"],
                multiplier=float(row["multiplier"]),
                polarity=row["polarity"],
                frequency=row["frequency"],
                ci_method=row["ci_method"],
                breakdowns=frozenset(part for part in row["breakdowns"].split(";") if part),
                england_value=float(row["england_value"]),
                england_period=row["england_period"],
                pattern=PATTERNS[row["code"]],
            )
        )
    return specs


@dataclass(frozen=True)
class Period:
    parsed: ParsedPeriod
    mid: float  # decimal year of the mid-point
    years: float  # length in person-years per resident
    season: float  # mean of the winter profile over the months covered

    @property
    def label(self) -> str:
        return self.parsed.label

    @property
    def sortable(self) -> int:
        parsed = self.parsed
        if parsed.kind == "month":
            return parsed.start.year * 10000 + parsed.start.month * 100
        if parsed.kind == "quarter":
            start_year = parsed.start.year - (1 if parsed.start.month < 4 else 0)
            quarter = ((parsed.start.month - 4) % 12) // 3 + 1
            return start_year * 10000 + quarter * 100
        return parsed.start.year * 10000


def _decimal_year(day: date) -> float:
    length = 366 if calendar.isleap(day.year) else 365
    return day.year + (day.timetuple().tm_yday - 0.5) / length


def _period(parsed: ParsedPeriod) -> Period:
    months = []
    year, number = parsed.start.year, parsed.start.month
    while (year, number) <= (parsed.end.year, parsed.end.month):
        months.append(number)
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    mid = (_decimal_year(parsed.start) + _decimal_year(parsed.end)) / 2
    season = float(WINTER_PROFILE[np.array(months) - 1].mean()) if len(months) < 12 else 0.0
    return Period(parsed, mid, len(months) / 12, season)


def _mid_year(label: str) -> float:
    return _period(parse_period_label(label)).mid


def indicator_periods(spec: IndicatorSpec, *, years: int, today: date) -> list[Period]:
    """The indicator's periods, oldest first: ``years`` years at its frequency ending with the
    latest period complete before ``today`` (at most 3 years for monthly series, and
    ``years - 2`` rolling 3-year periods for pooled indicators, so they span ``years``)."""
    if spec.frequency == "monthly":
        year, number = today.year, today.month
        parsed = []
        while len(parsed) < 12 * min(years, MONTHLY_YEARS):
            year, number = (year - 1, 12) if number == 1 else (year, number - 1)
            candidate = month(year, number)
            if candidate.end < today:
                parsed.append(candidate)
        return [_period(item) for item in reversed(parsed)]
    if spec.frequency == "quarterly":
        count = 4 * years
        start_year = today.year if today.month >= 4 else today.year - 1
        quarters = [
            financial_quarter(start_year - back, q)
            for back in range(0, years + 2)
            for q in (4, 3, 2, 1)
        ]
        complete = [item for item in quarters if item.end < today][:count]
        return [_period(item) for item in reversed(complete)]
    if spec.pooled:
        last = today.year - 1  # the latest calendar year complete before today
        ends = range(last - max(years - 2, 1) + 1, last + 1)
        return [_period(pooled_years(end - 2, end)) for end in ends]
    if len(spec.england_period) == 4:
        make = calendar_year
    elif spec.pattern.academic:
        make = academic_year
    else:
        make = financial_year
    candidates = [make(year) for year in range(today.year - years - 2, today.year + 1)]
    complete = [item for item in candidates if item.end < today][-years:]
    return [_period(item) for item in complete]


@dataclass(frozen=True)
class Geography:
    """BNSSG's LSOAs, their populations by sex and band, and the demo area tree."""

    lsoa: np.ndarray  # codes
    decile: np.ndarray  # national IMD 2019 decile, 1 = most deprived
    rank: np.ndarray  # national IMD 2019 rank
    council: np.ndarray  # council code per LSOA
    locality: np.ndarray  # locality code per LSOA
    population: np.ndarray  # (LSOA, sex, band) residents in mid-2021
    areas: pd.DataFrame  # areas.csv indexed by code

    def population_at(self, year: float) -> np.ndarray:
        return self.population * (1 + POPULATION_GROWTH) ** (year - 2021.5)

    @property
    def quintile(self) -> np.ndarray:
        return (self.decile + 1) // 2

    def name(self, code: str) -> str:
        return str(self.areas.at[code, "name"])

    def parent(self, code: str) -> str:
        return str(self.areas.at[code, "parent_code"] or "")


def _rng(seed: int, *keys: str) -> np.random.Generator:
    """An independent stream per purpose, so a subset of indicators draws the same numbers."""
    return np.random.default_rng([seed, *(int.from_bytes(key.encode(), "big") for key in keys)])


def build_geography(seed: int, fixtures_dir: Path = FIXTURES) -> Geography:
    areas = pd.read_csv(fixtures_dir / "areas.csv", dtype=str, keep_default_na=False)
    areas = areas.set_index(areas["code"].rename("area"))
    # The demo system's LSOAs are those in its localities (further parents: docs/geography.md).
    localities = set(areas.loc[areas["area_type"] == "locality", "code"])
    lsoas = areas[areas["area_type"] == "lsoa"].sort_values("code")
    in_locality = (
        lsoas["also_in"]
        .str.split("|")
        .map(lambda parents: next((code for code in parents if code in localities), ""))
    )
    lsoas, locality = lsoas[in_locality != ""], in_locality[in_locality != ""].to_numpy()
    ranks = pd.read_csv(fixtures_dir / "sources" / "bnssg_lsoa11_imd2019_derived.csv", dtype=str)
    rank = ranks.set_index("lsoa11_code")["imd2019_rank"].astype(int)
    council = areas.loc[locality, "parent_code"].to_numpy()
    decile = lsoas["imd2019_decile"].astype(int).to_numpy()
    rng = _rng(seed, "geography")

    size = len(lsoas)
    deprivation = (5.5 - decile) / 4.5  # +1 most deprived … -1 least
    shares = np.tile(BAND_SHARE, (size, 1))
    for code, tilt in COUNCIL_AGE_TILT.items():
        shares[council == code] *= tilt
    shares[:, :3] *= (1 + 0.05 * deprivation)[:, None]  # deprived areas: more children,
    shares[:, 3:8] *= (1 + 0.06 * deprivation)[:, None]  # more young adults,
    shares[:, 13:] *= (1 - 0.08 * deprivation)[:, None]  # fewer older people
    # Student neighbourhoods (Clifton, Cotham, Redland…) in a handful of Bristol LSOAs.
    students = rng.choice(np.flatnonzero(council == BRISTOL), size=12, replace=False)
    shares[students, 3] *= 2.0
    shares[students, 4] *= 4.0
    shares *= rng.lognormal(0.0, 0.12, size=shares.shape)
    shares /= shares.sum(axis=1, keepdims=True)

    residents_per_lsoa = {
        code: float(areas.at[code, "population"]) / int((council == code).sum())
        for code in COUNCILS
    }
    totals = np.array([residents_per_lsoa[code] for code in council])
    totals *= rng.lognormal(0.0, 0.09, size=size)
    population = np.stack(
        [totals[:, None] * shares * MALE_SHARE, totals[:, None] * shares * (1 - MALE_SHARE)],
        axis=1,
    )
    return Geography(
        lsoa=lsoas["code"].to_numpy(),
        decile=decile,
        rank=rank.reindex(lsoas["code"]).to_numpy(),
        council=council,
        locality=locality,
        population=population,
        areas=areas,
    )


# --- the link-scale model -------------------------------------------------------------------


def _to_link(scale: str, value, unit: float):
    value = np.asarray(value, dtype=float)
    if scale == "logit":
        return logit(np.clip(value / unit, 1e-6, 1 - 1e-6))
    if scale == "log":
        return np.log(value)
    return value


def _from_link(scale: str, link, unit: float):
    link = np.asarray(link, dtype=float)
    if scale == "logit":
        return expit(link) * unit
    if scale == "log":
        return np.exp(link)
    return link


def _unit(spec: IndicatorSpec) -> float:
    """What 1 means on the value scale of a proportion (100 for a percentage)."""
    return spec.multiplier if spec.scale == "logit" else 1.0


def _contrast(spec: IndicatorSpec, effect: tuple[str, float], reference: float) -> float:
    """Link-scale distance between two groups symmetric about ``reference`` whose values
    differ by ``effect`` (a ratio, or a difference in points)."""
    kind, size = effect
    scale, unit = spec.scale, _unit(spec)
    if (kind == "ratio" and size == 1.0) or (kind == "points" and size == 0.0):
        return 0.0  # no effect, whatever the scale
    if (scale, kind) in {("identity", "ratio"), ("log", "points")}:
        raise ValueError(f"{spec.code}: a {scale}-scale indicator takes no {kind} effects")
    if scale == "identity":
        return size
    if scale == "log":
        return float(np.log(size))
    centre = float(_to_link(scale, reference, unit))

    def gap(distance: float) -> float:
        high = expit(centre + distance / 2) * unit
        low = expit(centre - distance / 2) * unit
        return high / low - size if kind == "ratio" else high - low - size

    return float(brentq(gap, -30.0, 30.0))


def _council_offsets(spec: IndicatorSpec, reference: float) -> dict[str, float]:
    """Link-scale offset of each council, given as ratios (rates) or points (years), or in
    the gradient's kind for proportions."""
    pattern = spec.pattern
    if pattern.councils is None:
        return dict.fromkeys(COUNCILS, 0.0)
    kind = {"log": "ratio", "identity": "points"}.get(spec.scale, pattern.gradient[0])
    offsets = {}
    centre = float(_to_link(spec.scale, reference, _unit(spec)))
    for code, effect in zip(COUNCILS, pattern.councils, strict=True):
        shifted = reference * effect if kind == "ratio" else reference + effect
        offsets[code] = float(_to_link(spec.scale, shifted, _unit(spec))) - centre
    return offsets


def _gradient_slope(spec: IndicatorSpec, reference: float) -> float:
    """Link-scale change per IMD decile towards the most deprived (quintile centres 8 apart)."""
    return _contrast(spec, spec.pattern.gradient, reference) / 8


def _gradient_centring(spec: IndicatorSpec, reference: float, slope: float) -> float:
    """Constant that keeps England's average (equal shares of every decile) at ``reference``."""
    shifts = slope * (5.5 - np.arange(1, 11))
    scale, unit = spec.scale, _unit(spec)
    if scale == "identity" or slope == 0:
        return 0.0
    if scale == "log":
        return float(np.log(np.exp(shifts).mean()))
    centre = float(_to_link(scale, reference, unit))
    return float(
        brentq(lambda c: expit(centre + shifts - c).mean() * unit - reference, -10.0, 10.0)
    )


@dataclass(frozen=True)
class LsoaEffects:
    """Persistent link-scale offsets of each LSOA (deprivation, council, local noise) and of
    each sex, relative to the England level."""

    lsoa: np.ndarray  # (LSOA,)
    sex: np.ndarray  # (sex,) in spec.sexes order


LSOA_SD = {"logit": 0.12, "log": 0.10, "identity": 0.8}
SYSTEM_NOISE = {"logit": 0.02, "log": 0.02, "identity": 0.1}
ICB_SPREAD = {"logit": 0.10, "log": 0.08, "identity": 0.6}


def lsoa_effects(spec: IndicatorSpec, geo: Geography, seed: int) -> LsoaEffects:
    reference = spec.england_value
    slope = _gradient_slope(spec, reference)
    # North Somerset: affluent Woodspring beside central Weston, so the widest gap.
    slopes = np.where(geo.council == NORTH_SOMERSET, 1.3 * slope, slope)
    offsets = slopes * (5.5 - geo.decile) - _gradient_centring(spec, reference, slope)
    councils = _council_offsets(spec, reference)
    offsets = offsets + np.array([councils[code] for code in geo.council])
    noise = _rng(seed, spec.code, "lsoa").normal(0.0, LSOA_SD[spec.scale], size=len(geo.lsoa))
    offsets = offsets + noise
    if spec.sexes == SEXES and not spec.pattern.female:
        half = _contrast(spec, spec.pattern.sex, reference) / 2
        sex = np.array([half, -half])
    else:
        sex = np.zeros(len(spec.sexes))
    return LsoaEffects(offsets, sex)


def _anchored(anchors: Sequence[tuple[str, float]], periods: Sequence[Period]) -> np.ndarray:
    points_ = sorted((_mid_year(label), value) for label, value in anchors)
    xs, ys = zip(*points_, strict=True)
    return np.interp([period.mid for period in periods], xs, ys)


def _with_season(spec: IndicatorSpec, level: np.ndarray, periods: Sequence[Period]):
    season = np.array([period.season for period in periods]) * spec.pattern.winter
    if spec.scale == "log":
        return level * (1 + season)
    return level + season


def england_levels(spec: IndicatorSpec, periods: Sequence[Period], sex: str = "Persons"):
    """England's value in each period (male/female anchors for sex-split years and gaps)."""
    pattern = spec.pattern
    if pattern.female:
        male = _anchored(pattern.england, periods)
        female = _anchored(pattern.female, periods)
        level = {"Male": male, "Female": female, "Persons": (male + female) / 2}[sex]
    else:
        level = _anchored(pattern.england, periods)
    return _with_season(spec, level, periods)


# --- granular counts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """Generated cells: arrays shaped (period, LSOA, sex, band); band has size 1 unless DSR."""

    spec: IndicatorSpec
    periods: list[Period]
    numerator: np.ndarray
    denominator: np.ndarray
    bands: tuple[str, ...] = (ALL_AGES,)  # the age_band labels along the last axis


def _expected_denominators(spec: IndicatorSpec, geo: Geography, periods: Sequence[Period]):
    recipe = DENOMINATORS[spec.pattern.denominator]
    per_resident = np.array(recipe.per_resident)
    prevalence = recipe.deprivation_ratio ** ((5.5 - geo.decile) / 8)
    prevalence /= (recipe.deprivation_ratio ** ((5.5 - np.arange(1, 11)) / 8)).mean()
    expected = []
    for period in periods:
        population = geo.population_at(period.mid)
        if spec.sexes == ("Persons",):
            population = population.sum(axis=1, keepdims=True)
        cell = (population * per_resident).sum(axis=2) * prevalence[:, None]
        expected.append(cell * (period.years if recipe.flow else 1.0))
    return np.array(expected)[..., None]  # (period, LSOA, sex, 1)


def _bnssg_shift(spec, level, link, denominators):
    """Logit shift that moves BNSSG's expected proportion to ``level`` (engineered series)."""
    unit = _unit(spec)

    def gap(shift):
        return (expit(link + shift) * denominators).sum() / denominators.sum() * unit - level

    return float(brentq(gap, -10.0, 10.0))


def generate_counts(spec: IndicatorSpec, geo: Geography, seed: int, periods) -> Counts:
    pattern = spec.pattern
    if pattern.bnssg and spec.scale != "logit":
        raise ValueError(f"{spec.code}: engineered BNSSG series are for proportions only")
    effects = lsoa_effects(spec, geo, seed)
    rng = _rng(seed, spec.code, "counts")
    level = england_levels(spec, periods)
    bnssg_level = None
    noise = pattern.noise if pattern.noise is not None else SYSTEM_NOISE[spec.scale]
    if pattern.bnssg:
        bnssg_level = _with_season(spec, _anchored(pattern.bnssg, periods), periods)
        noise = pattern.bnssg_noise
    shocks = rng.normal(0.0, noise, size=len(periods))
    base = effects.lsoa[:, None, None] + effects.sex[None, :, None]  # (LSOA, sex, 1)

    if spec.value_type == "dsr":
        in_range = dsr_bands(spec)
        # Age-specific rates scaled so that the DSR over the range's ESP2013 weights is the
        # England level.
        shape = np.array(pattern.ages)[in_range]
        weights = ESP2013[in_range]
        shape = shape / ((shape * weights).sum() / weights.sum())
        numerators, denominators = [], []
        for k, period in enumerate(periods):
            person_years = geo.population_at(period.mid)[:, :, in_range] * period.years
            population = np.maximum(np.rint(person_years), 1).astype(np.int64)
            rate = level[k] / spec.multiplier * shape[None, None, :] * np.exp(base + shocks[k])
            numerators.append(rng.poisson(rate * population))
            denominators.append(population)
        labels = tuple(np.array(ESP2013_AGE_BANDS)[in_range])
        return Counts(spec, list(periods), np.array(numerators), np.array(denominators), labels)

    expected = _expected_denominators(spec, geo, periods)
    # A cell may have nobody in it (no births in an LSOA that quarter): 0/0 is a valid row.
    denominators = rng.poisson(expected)
    numerators = np.empty_like(denominators)
    for k in range(len(periods)):
        if spec.scale == "logit":
            link = _to_link("logit", level[k], _unit(spec)) + base
            if bnssg_level is not None:
                link = link + _bnssg_shift(spec, bnssg_level[k], link, denominators[k])
            numerators[k] = rng.binomial(denominators[k], expit(link + shocks[k]))
        else:  # crude rate per `multiplier`
            rate = level[k] / spec.multiplier * np.exp(base + shocks[k])
            numerators[k] = rng.poisson(rate * denominators[k])
    return Counts(spec, list(periods), numerators, denominators)


def dsr_bands(spec: IndicatorSpec) -> np.ndarray:
    """Boolean mask of the ESP2013 bands in a DSR indicator's age range."""
    if spec.pattern.age_range is None:
        return np.ones(BANDS, dtype=bool)
    first, last = (ESP2013_AGE_BANDS.index(band) for band in spec.pattern.age_range)
    return (np.arange(BANDS) >= first) & (np.arange(BANDS) <= last)


def counts_frame(counts: Counts, geo: Geography) -> pd.DataFrame:
    """The counts as docs/design.md §4.4 rows: period, LSOA, sex, band order."""
    spec = counts.spec
    periods, lsoas, sexes, bands = counts.numerator.shape
    assert sexes == len(spec.sexes)
    band_labels = np.array(counts.bands, dtype=object)
    size = periods * lsoas * sexes * bands
    return pd.DataFrame(
        {
            "indicator_code": np.full(size, spec.code, dtype=object),
            "period": np.repeat(
                np.array([period.label for period in counts.periods], dtype=object),
                lsoas * sexes * bands,
            ),
            "area_code": np.tile(np.repeat(geo.lsoa.astype(object), sexes * bands), periods),
            "sex": np.tile(np.repeat(np.array(spec.sexes, dtype=object), bands), periods * lsoas),
            "age_band": np.tile(band_labels, periods * lsoas * sexes),
            "numerator": counts.numerator.ravel(),
            "denominator": counts.denominator.ravel(),
        },
        columns=COUNTS_HEADER,
    )


@dataclass(frozen=True)
class Headline:
    """An area's Persons value per period, as the pipeline would compute or a source gives it."""

    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower_998: np.ndarray
    upper_998: np.ndarray
    count: np.ndarray  # events or numerator (NaN where not applicable)
    denominator: np.ndarray  # denominator or population (NaN where not applicable)


def counts_headline(counts: Counts, mask: np.ndarray | None = None) -> Headline:
    """The value the pipeline computes for the LSOAs in ``mask`` (all of BNSSG by default).
    Like ``ingest.compute`` the method follows the value type: Wilson for proportions,
    exact/Byar's for crude rates, Dobson for DSRs."""
    spec = counts.spec
    numerator = counts.numerator if mask is None else counts.numerator[:, mask]
    denominator = counts.denominator if mask is None else counts.denominator[:, mask]
    if spec.value_type == "dsr":
        events = numerator.sum(axis=(1, 2)).astype(float)
        population = denominator.sum(axis=(1, 2)).astype(float)
        weights = ESP2013[dsr_bands(spec)]
        at95 = directly_standardised_rate(
            events, population, standard_population=weights, multiplier=spec.multiplier
        )
        at998 = directly_standardised_rate(
            events,
            population,
            standard_population=weights,
            multiplier=spec.multiplier,
            confidence=0.998,
        )
        return Headline(
            *at95.interval,
            at998.interval.lower,
            at998.interval.upper,
            events.sum(axis=1),
            population.sum(axis=1),
        )
    x = numerator.sum(axis=(1, 2, 3)).astype(float)
    n = denominator.sum(axis=(1, 2, 3)).astype(float)
    method = wilson_interval if spec.value_type == "proportion" else byar_exact_interval
    at95 = method(x, n, multiplier=spec.multiplier)
    at998 = method(x, n, multiplier=spec.multiplier, confidence=0.998)
    return Headline(*at95, at998.lower, at998.upper, x, n)


# --- values: shared helpers -----------------------------------------------------------------


def _blank(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | np.integer):
        return str(int(value))
    if not np.isfinite(value):
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(float(value), ".10g")


@dataclass
class ValueRow:
    spec: IndicatorSpec
    area: str
    period: Period
    value: float | None
    lower: float | None = None
    upper: float | None = None
    lower_998: float | None = None
    upper_998: float | None = None
    count: float | None = None
    denominator: float | None = None
    sex: str = "Persons"
    category_type: str = ""
    category: str = ""
    note: str = ""

    def record(self, geo: Geography) -> list[str]:
        parent = geo.parent(self.area)
        return [
            self.spec.code,
            self.spec.name,
            parent,
            geo.name(parent) if parent else "",
            self.area,
            geo.name(self.area),
            str(geo.areas.at[self.area, "area_type"]),
            self.sex,
            ALL_AGES,
            self.category_type,
            self.category,
            self.period.label,
            _blank(self.value),
            _blank(self.lower),
            _blank(self.upper),
            _blank(self.lower_998),
            _blank(self.upper_998),
            _blank(self.count),
            _blank(self.denominator),
            self.note,
            "",
            "",
            "",
            str(self.period.sortable),
            "",
            "",
        ]


def _dsr_limits(value: float, events: float) -> tuple[float, float, float, float]:
    """Dobson-style limits for a DSR whose variance is close to value²/events."""
    observed = np.array([max(events, 1.0)])
    low95, high95 = byar_limits(observed, Z95)
    low998, high998 = byar_limits(observed, Z998)
    scale = value / observed[0]
    return (low95[0] * scale, high95[0] * scale, low998[0] * scale, high998[0] * scale)


def _ratio_limits(observed: float, expected: float, unit: float):
    """Exact/Byar's limits on an observed count, divided by the expected count (ISR)."""
    counts = np.array([float(observed)])
    low95, high95 = switched_poisson_limits(counts, Z95, 0.05)
    low998, high998 = switched_poisson_limits(counts, Z998, 0.002)
    return tuple(float(part[0]) / expected * unit for part in (low95, high95, low998, high998))


def _survey_limits(value: float, sample: float, unit: float):
    share = np.clip(value / unit, 1e-6, 1 - 1e-6)
    at95 = wilson_interval(share * sample, sample, multiplier=unit)
    at998 = wilson_interval(share * sample, sample, multiplier=unit, confidence=0.998)
    return float(at95.lower), float(at95.upper), float(at998.lower), float(at998.upper)


def _normal_limits(value: float, se: float):
    return value - Z95 * se, value + Z95 * se, value - Z998 * se, value + Z998 * se


def _icb_populations(geo: Geography) -> dict[str, float]:
    populations = {code: lsoas * RESIDENTS_PER_LSOA for code, (lsoas, _) in ICB_PROFILE.items()}
    populations[BNSSG_ICB] = float(geo.population.sum())
    return populations


def _regions(geo: Geography) -> dict[str, list[str]]:
    icbs = geo.areas[geo.areas["area_type"] == "icb"]
    regions: dict[str, list[str]] = {}
    for code, parent in zip(icbs["code"], icbs["parent_code"], strict=True):
        regions.setdefault(parent, []).append(code)
    return regions


# --- values: comparators (England, regions, ICBs) -------------------------------------------


def comparator_rows(
    spec: IndicatorSpec,
    geo: Geography,
    seed: int,
    periods: Sequence[Period],
    bnssg: dict[str, Headline],
) -> list[ValueRow]:
    """England, the NHS regions and the ICBs for every period (Persons, plus sex for OVR01-03).

    ``bnssg`` holds BNSSG's own headline per sex. It joins the South West and England sums
    but is never written here: the pipeline computes it from the counts, or
    ``values_bnssg.csv`` carries it.
    """
    rng = _rng(seed, spec.code, "comparators")
    populations = _icb_populations(geo)
    codes = [code for code in ICB_PROFILE if code != BNSSG_ICB]
    size = np.array([populations[code] for code in codes])
    mean_decile = np.array([ICB_PROFILE[code][1] for code in codes])
    pattern = spec.pattern
    slope = _gradient_slope(spec, spec.england_value)
    spread = pattern.spread if pattern.spread is not None else ICB_SPREAD[spec.scale]
    persistent = slope * (5.5 - mean_decile) + rng.normal(0.0, spread, size=len(codes))
    sexes = ("Persons", *SEXES) if pattern.female else ("Persons",)
    england_population = sum(populations.values())
    rows: list[ValueRow] = []
    for sex in sexes:
        level = england_levels(spec, periods, sex)
        for k, period in enumerate(periods):
            growth = (1 + POPULATION_GROWTH) ** (period.mid - 2021.5)
            context = Context(
                bnssg=_headline_at(bnssg.get(sex), k),
                bnssg_population=populations[BNSSG_ICB] * growth,
                england_population=england_population * growth,
            )
            truth = _centred_truth(spec, level[k], persistent, size)
            rows += _comparators_for_period(
                spec, geo, rng, period, sex, codes, size * growth, truth, level[k], context
            )
    return rows


@dataclass(frozen=True)
class Context:
    """What a comparator draw needs beyond its own truth: BNSSG's figures and the totals."""

    bnssg: dict[str, float] | None = None
    bnssg_population: float = 0.0
    england_population: float = 0.0


def _headline_at(headline: Headline | None, k: int) -> dict[str, float] | None:
    if headline is None:
        return None
    return {name: float(getattr(headline, name)[k]) for name in Headline.__dataclass_fields__}


def _centred_truth(spec, level, offsets, size) -> np.ndarray:
    """ICB values with the given link-scale offsets, centred so their population-weighted
    mean is England's ``level``."""
    scale, unit = spec.scale, _unit(spec)
    centre = float(_to_link(scale, level, unit))
    weights = size / size.sum()
    if scale == "identity":
        return centre + offsets - float((weights * offsets).sum())

    def gap(shift):
        return (weights * _from_link(scale, centre + offsets + shift, unit)).sum() - level

    return _from_link(scale, centre + offsets + brentq(gap, -10.0, 10.0), unit)


def _comparators_for_period(
    spec, geo, rng, period, sex, codes, populations, truth, england, context: Context
) -> list[ValueRow]:
    kind = _values_kind(spec)
    icb = {}  # code -> dict of value, limits, count, denominator, population
    for code, population, true_value in zip(codes, populations, truth, strict=True):
        icb[code] = _sample_area(spec, kind, rng, true_value, population, context)
    if context.bnssg is not None:
        icb[BNSSG_ICB] = {**context.bnssg, "population": context.bnssg_population}
    rows = []
    for code in codes:
        rows.append(_row(spec, code, period, sex, icb[code]))
    for region, members in _regions(geo).items():
        parts = [icb[code] for code in members if code in icb]
        rows.append(_row(spec, region, period, sex, _combine(spec, kind, parts, None)))
    rows.append(_row(spec, ENGLAND, period, sex, _combine(spec, kind, list(icb.values()), england)))
    return rows


def _values_kind(spec: IndicatorSpec) -> str:
    if spec.value_type == "proportion":
        if spec.ci_method == "none":
            return "modelled" if spec.pattern.modelled else "survey"
        return "proportion"
    if spec.value_type == "gap" and spec.ci_method == "wilson":
        return "gap_wilson"
    if spec.value_type in {"years", "gap"}:
        return "normal"
    return spec.value_type  # crude_rate, dsr, isr, count, mean


# Per-resident scale of the denominators a comparator area reports, for kinds whose
# denominator does not come from BNSSG's counts.
SMI_CPA_PER_RESIDENT = 0.0022  # adults on the Care Programme Approach
OVERALL_EMPLOYMENT = 75.0  # % of people aged 16-64 (APS)
SMI_EXPECTED_DEATHS_PER_RESIDENT = 9e-5  # 3 years of under-75 deaths expected at general rates


def _sample_area(spec, kind, rng, true_value, population, context: Context) -> dict:
    """One area's published figures, drawn around its true value. Count-based kinds scale
    their denominators and events per resident from BNSSG's own counts."""
    unit = _unit(spec)
    bnssg, bnssg_population = context.bnssg, context.bnssg_population
    if kind in {"proportion", "crude_rate", "dsr"}:
        per_resident = bnssg["denominator"] / bnssg_population
        denominator = max(round(per_resident * population), 1)
        if kind == "proportion":
            count = rng.binomial(denominator, min(true_value / unit, 1.0))
        elif kind == "crude_rate":
            count = rng.poisson(true_value / spec.multiplier * denominator)
        else:
            expected = bnssg["count"] / bnssg_population * population * true_value / bnssg["value"]
            count = rng.poisson(expected)
            value = true_value * count / expected
            return {
                "value": value,
                "count": count,
                "denominator": denominator,
                "population": population,
                **_limits_dict(_dsr_limits(value, count)),
            }
        return _counted(spec, count, denominator, population)
    if kind == "isr":
        expected = SMI_EXPECTED_DEATHS_PER_RESIDENT * population
        observed = rng.poisson(expected * true_value / spec.multiplier)
        value = observed / expected * spec.multiplier
        limits = _ratio_limits(observed, expected, spec.multiplier)
        return {
            "value": value,
            "count": observed,
            "denominator": round(expected, 1),
            "population": population,
            **_limits_dict(limits),
        }
    if kind == "survey":
        sample = spec.pattern.sample_million * population / 1e6
        share = np.clip(true_value / unit, 0.001, 0.999)
        value = (
            float(np.clip(rng.normal(share, np.sqrt(share * (1 - share) / sample)), 0.001, 0.999))
            * unit
        )
        return {
            "value": value,
            "population": population,
            **_limits_dict(_survey_limits(value, sample, unit)),
        }
    if kind == "modelled":
        value = true_value * np.exp(rng.normal(0.0, 0.02))
        return {"value": value, "population": population}
    if kind == "gap_wilson":
        cpa = max(round(SMI_CPA_PER_RESIDENT * population), 1)
        employed = rng.binomial(cpa, np.clip((OVERALL_EMPLOYMENT - true_value) / 100, 0.01, 0.99))
        return _gap_from_employed(employed, cpa, population)
    if kind == "normal":
        se = spec.pattern.se_million * np.sqrt(1e6 / population)
        value = rng.normal(true_value, se)
        return {
            "value": value,
            "population": population,
            "se": se,
            **_limits_dict(_normal_limits(value, se)),
        }
    if kind == "count":  # a national total: the area's share of it
        share = population / context.england_population
        return {
            "value": true_value * share * np.exp(rng.normal(0.0, 0.04)),
            "population": population,
        }
    return {"value": true_value * np.exp(rng.normal(0.0, 0.03)), "population": population}  # mean


def _gap_from_employed(employed, cpa, population) -> dict:
    at95 = wilson_interval(employed, cpa, multiplier=100)
    at998 = wilson_interval(employed, cpa, multiplier=100, confidence=0.998)
    value = OVERALL_EMPLOYMENT - float(at95.value)
    return {
        "value": value,
        "lower": OVERALL_EMPLOYMENT - float(at95.upper),
        "upper": OVERALL_EMPLOYMENT - float(at95.lower),
        "lower_998": OVERALL_EMPLOYMENT - float(at998.upper),
        "upper_998": OVERALL_EMPLOYMENT - float(at998.lower),
        "count": employed,
        "denominator": cpa,
        "population": population,
    }


def _limits_dict(limits) -> dict:
    return dict(zip(("lower", "upper", "lower_998", "upper_998"), limits, strict=True))


def _counted(spec, count, denominator, population) -> dict:
    method = wilson_interval if spec.value_type == "proportion" else byar_exact_interval
    at95 = method(count, denominator, multiplier=spec.multiplier)
    at998 = method(count, denominator, multiplier=spec.multiplier, confidence=0.998)
    return {
        "value": float(at95.value),
        "lower": float(at95.lower),
        "upper": float(at95.upper),
        "lower_998": float(at998.lower),
        "upper_998": float(at998.upper),
        "count": count,
        "denominator": denominator,
        "population": population,
    }


def _combine(spec, kind, parts: list[dict], england: float | None) -> dict:
    """A region or England from its ICBs: sums where counts add up, else weighted means."""
    population = sum(part["population"] for part in parts)
    if kind in {"proportion", "crude_rate"}:
        count = sum(part["count"] for part in parts)
        denominator = sum(part["denominator"] for part in parts)
        return _counted(spec, count, denominator, population)
    if kind == "gap_wilson":
        employed = sum(part["count"] for part in parts)
        cpa = sum(part["denominator"] for part in parts)
        return _gap_from_employed(employed, cpa, population)
    if kind == "dsr":
        events = sum(part["count"] for part in parts)
        value = sum(part["value"] * part["population"] for part in parts) / population
        denominator = sum(part["denominator"] for part in parts)
        return {
            "value": value,
            "count": events,
            "denominator": denominator,
            "population": population,
            **_limits_dict(_dsr_limits(value, events)),
        }
    if kind == "isr":
        observed = sum(part["count"] for part in parts)
        expected = sum(part["denominator"] for part in parts)
        value = observed / expected * spec.multiplier
        return {
            "value": value,
            "count": observed,
            "denominator": round(expected, 1),
            "population": population,
            **_limits_dict(_ratio_limits(observed, expected, spec.multiplier)),
        }
    if kind == "count":  # England too is the sum of its ICBs
        return {"value": sum(part["value"] for part in parts), "population": population}
    weighted = sum(part["value"] * part["population"] for part in parts) / population
    value = weighted if england is None else england
    if kind == "survey":
        sample = spec.pattern.sample_million * population / 1e6
        return {
            "value": value,
            "population": population,
            **_limits_dict(_survey_limits(value, sample, _unit(spec))),
        }
    if kind == "normal":
        se = spec.pattern.se_million * np.sqrt(1e6 / population)
        return {"value": value, "population": population, **_limits_dict(_normal_limits(value, se))}
    return {"value": value, "population": population}


def _row(spec, area, period, sex, figures: dict, **labels) -> ValueRow:
    return ValueRow(
        spec=spec,
        area=area,
        period=period,
        sex=sex,
        value=figures.get("value"),
        lower=figures.get("lower"),
        upper=figures.get("upper"),
        lower_998=figures.get("lower_998"),
        upper_998=figures.get("upper_998"),
        count=figures.get("count"),
        denominator=figures.get("denominator"),
        note=figures.get("note", ""),
        **labels,
    )


# --- values: BNSSG's own areas for indicators that arrive ready-made ------------------------


def _bnssg_groups(spec: IndicatorSpec, geo: Geography):
    """(area code, category type, category, LSOA mask) for every published BNSSG figure."""
    everything = np.ones(len(geo.lsoa), dtype=bool)
    headline = [(BNSSG_ICB, everything), (BNSSG_SUB_ICB, everything)]
    headline += [(code, geo.council == code) for code in COUNCILS]
    localities = geo.areas[geo.areas["area_type"] == "locality"]["code"]
    headline += [(code, geo.locality == code) for code in localities]
    groups = [(code, "", "", mask) for code, mask in headline]
    deprivation_areas = headline[:5]  # ICB, sub-ICB and councils
    if "imd_quintile" in spec.breakdowns:
        for code, mask in deprivation_areas:
            for quintile in range(1, 6):
                groups.append(
                    (
                        code,
                        QUINTILE_TYPE,
                        quintile_label(quintile),
                        mask & (geo.quintile == quintile),
                    )
                )
    if "imd_decile" in spec.breakdowns:
        for code, mask in deprivation_areas:
            for decile in range(1, 11):
                groups.append(
                    (code, DECILE_TYPE, decile_label(decile), mask & (geo.decile == decile))
                )
    return groups


LIFE_EXPECTANCY_MINIMUM_POPULATION = 5000  # ONS/OHID: no life table below 5,000 residents
LIFE_EXPECTANCY_SMALL_NOTE = "Value not calculated: population below 5,000"


def local_value_rows(
    spec: IndicatorSpec, geo: Geography, seed: int, periods, life: IndicatorSpec | None = None
) -> list[ValueRow]:
    """BNSSG's ICB, sub-ICB, councils and localities (and IMD groups) for a values indicator.
    ``life`` is the life expectancy indicator (OVR02), whose LSOA model shapes OVR03."""
    if spec.code == "OVR03":
        return _slope_index_rows(spec, geo, seed, periods, life)
    if spec.value_type in {"count", "mean"}:
        return _system_flow_rows(spec, geo, seed, periods)
    rng = _rng(seed, spec.code, "local")
    kind = _values_kind(spec)
    effects = lsoa_effects(spec, geo, seed)
    unit = _unit(spec)
    sexes = ("Persons", *SEXES) if "sex" in spec.breakdowns else ("Persons",)
    groups = _bnssg_groups(spec, geo)
    rows = []
    for sex in sexes:
        level = england_levels(spec, periods, sex)
        sex_shift = 0.0 if sex == "Persons" else float(effects.sex[SEXES.index(sex)])
        for k, period in enumerate(periods):
            population = geo.population_at(period.mid)
            population = (
                population.sum(axis=(1, 2))
                if sex == "Persons"
                else population[:, SEXES.index(sex)].sum(axis=1)
            )
            centre = _to_link(spec.scale, level[k], unit)
            lsoa_values = _from_link(spec.scale, centre + effects.lsoa + sex_shift, unit)
            published: dict[tuple[str, str], dict] = {}  # the ICB's figures, for the sub-ICB
            for code, category_type, category, mask in groups:
                if not mask.any() or (sex != "Persons" and category_type):
                    continue  # no LSOAs in the group; sex × deprivation cells unpublished
                if code == BNSSG_SUB_ICB:
                    figures = published[(category_type, category)]  # the same population
                else:
                    size = float(population[mask].sum())
                    true_value = float((lsoa_values[mask] * population[mask]).sum() / size)
                    figures = _sample_area(spec, kind, rng, true_value, size, Context())
                    too_small = size < LIFE_EXPECTANCY_MINIMUM_POPULATION
                    if spec.value_type == "years" and too_small:
                        figures = {"value": None, "note": LIFE_EXPECTANCY_SMALL_NOTE}
                if code == BNSSG_ICB:
                    published[(category_type, category)] = figures
                rows.append(
                    _row(
                        spec,
                        code,
                        period,
                        sex,
                        figures,
                        category_type=category_type,
                        category=category,
                    )
                )
    return rows


def _slope_index_rows(spec, geo, seed, periods, life: IndicatorSpec) -> list[ValueRow]:
    """OVR03: each area's SII scales England's with the slope of its LSOAs' life expectancy
    (from the OVR02 model) across its own deprivation distribution."""
    rng = _rng(seed, spec.code, "local")
    effects = lsoa_effects(life, geo, seed)
    national_slope = abs(_gradient_slope(life, life.england_value)) * 10
    population = geo.population.sum(axis=(1, 2))
    areas = [(BNSSG_ICB, np.ones(len(geo.lsoa), dtype=bool))]
    areas += [(code, geo.council == code) for code in COUNCILS]
    localities = geo.areas[geo.areas["area_type"] == "locality"]["code"]
    areas += [(code, geo.locality == code) for code in localities]
    ratios = {}
    for code, mask in areas:
        order = np.argsort(geo.rank[mask], kind="stable")
        weights = population[mask][order]
        position = (np.cumsum(weights) - weights / 2) / weights.sum()
        values = effects.lsoa[mask][order]
        slope = np.polyfit(position, values, 1, w=np.sqrt(weights))[0]
        ratios[code] = abs(slope) / national_slope
    rows = []
    for sex in ("Persons", *SEXES):
        level = england_levels(spec, periods, sex)
        for k, period in enumerate(periods):
            for code, mask in areas:
                size = float(population[mask].sum())
                se = spec.pattern.se_million * np.sqrt(1e6 / size)
                value = rng.normal(level[k] * ratios[code], se)
                figures = {"value": value, **_limits_dict(_normal_limits(value, se))}
                rows.append(_row(spec, code, period, sex, figures))
                if code == BNSSG_ICB:
                    rows.append(_row(spec, BNSSG_SUB_ICB, period, sex, figures))
    return rows


def _system_flow_rows(spec, geo, seed, periods) -> list[ValueRow]:
    """INT03 (patients not meeting the criteria to reside, a daily mean count) and INT04 (mean
    days from discharge-ready to discharge): engineered ICB series split by council and
    locality; SPC limits replace CIs."""
    rng = _rng(seed, spec.code, "local")
    pattern = spec.pattern
    level = _with_season(spec, _anchored(pattern.bnssg, periods), periods)
    level = level * np.exp(rng.normal(0.0, pattern.bnssg_noise, size=len(periods)))
    older = geo.population[:, :, 13:].sum(axis=(1, 2))  # delayed discharges are mostly 65+
    localities = geo.areas[geo.areas["area_type"] == "locality"]["code"].tolist()
    rows = []
    for k, period in enumerate(periods):
        if spec.value_type == "count":
            shares = np.array([older[geo.council == code].sum() for code in COUNCILS])
            shares = shares * np.exp(rng.normal(0.0, 0.05, size=3))
            council_values = level[k] * shares / shares.sum()
            values = {BNSSG_ICB: level[k], BNSSG_SUB_ICB: level[k]}
            values.update(zip(COUNCILS, council_values, strict=True))
            for code in localities:
                council = geo.parent(code)
                siblings = [item for item in localities if geo.parent(item) == council]
                weights = np.array([older[geo.locality == item].sum() for item in siblings])
                weights = weights * np.exp(rng.normal(0.0, 0.06, size=len(weights)))
                values[code] = values[council] * weights[siblings.index(code)] / weights.sum()
        else:
            values = {BNSSG_ICB: level[k], BNSSG_SUB_ICB: level[k]}
            for code, effect in zip(COUNCILS, pattern.councils or (1, 1, 1), strict=True):
                values[code] = level[k] * effect * np.exp(rng.normal(0.0, 0.04))
            for code in localities:
                values[code] = values[geo.parent(code)] * np.exp(rng.normal(0.0, 0.06))
        for code, value in values.items():
            rows.append(_row(spec, code, period, "Persons", {"value": round(float(value), 2)}))
    return rows


def values_headline(
    rows: Sequence[ValueRow], periods: Sequence[Period], area=BNSSG_ICB, sex="Persons"
) -> Headline:
    """An area's headline series read back from generated value rows (NaN where blank)."""
    by_period = {
        row.period.label: row
        for row in rows
        if row.area == area and row.sex == sex and not row.category_type
    }

    def column(name):
        return np.array(
            [
                np.nan
                if getattr(by_period[p.label], name) is None
                else float(getattr(by_period[p.label], name))
                for p in periods
            ]
        )

    return Headline(
        column("value"),
        column("lower"),
        column("upper"),
        column("lower_998"),
        column("upper_998"),
        column("count"),
        column("denominator"),
    )


# --- baselines, targets and narratives ------------------------------------------------------


def _rounded_target(value: float) -> float:
    return round(value, 0 if abs(value) >= 100 else 1)


def baseline_record(spec: IndicatorSpec, periods, headline: Headline) -> list[str]:
    """The ICB's baseline (its first period, as computed or published) and its target: an
    absolute value, a change from the baseline (relative for rates), or a range."""
    goal = GOALS[spec.code]
    baseline = float(headline.value[0])
    value = lower = upper = None
    if goal.value is not None:
        value = goal.value
    elif goal.change is not None:
        relative = spec.scale == "log"
        value = _rounded_target(
            baseline * (1 + goal.change) if relative else baseline + goal.change
        )
    elif spec.code == "OVR03":  # a range relative to the baseline gap
        lower, upper = (
            _rounded_target(baseline + goal.lower),
            _rounded_target(baseline + goal.upper),
        )
    else:
        lower, upper = goal.lower, goal.upper
    return [
        spec.code,
        BNSSG_ICB,
        "Persons",
        periods[0].label,
        _blank(baseline),
        _blank(float(headline.lower[0])),
        _blank(float(headline.upper[0])),
        _blank(value),
        _blank(lower),
        _blank(upper),
        goal.period,
        goal.source,
        goal.detail,
    ]


NARRATIVE_CODES = ("OVR02", "CYP01", "PRV05", "LTC01", "LTC02", "MHL01", "AGE03", "INT03")
DRAFT_NARRATIVES = {"MHL01", "INT03"}


def _fmt(spec: IndicatorSpec, value: float) -> str:
    if spec.value_type == "proportion":
        return f"{value:.1f}%"
    if spec.value_type in {"years", "gap"}:
        return f"{value:.1f} years"
    if spec.value_type == "count":
        return f"{value:.0f}"
    return f"{value:,.1f} per {spec.multiplier:,.0f}"


def _against_england(spec: IndicatorSpec, headline: Headline, england: float) -> str:
    """How the latest value compares with England's: by its 95% CI, as Fingertips judges."""
    latest = float(headline.value[-1])
    if spec.value_type == "count":  # a national total: say what share of it we are
        return f"England's total was {england:,.0f}, of which we are {latest / england:.1%}"
    lower, upper = float(headline.lower[-1]), float(headline.upper[-1])
    if np.isfinite(lower) and np.isfinite(upper) and lower <= england <= upper:
        verdict = "similar to"
    elif (latest < england) == (spec.polarity == "lower_better"):
        verdict = "better than"
    else:
        verdict = "worse than"
    return f"England was {_fmt(spec, england)}, so we are {verdict} England"


def narrative_record(spec, periods, headline: Headline, england: Headline, **facts) -> list[str]:
    """An owner's narrative for the latest period, written from the generated numbers;
    ``facts`` fill the indicator's own sentences (e.g. a deprivation gap)."""
    first, latest = float(headline.value[0]), float(headline.value[-1])
    better = (latest < first) if spec.polarity == "lower_better" else (latest > first)
    moved = "fell" if latest < first else "rose"
    latest_label = periods[-1].label
    what = (
        f"BNSSG's value {moved} from {_fmt(spec, first)} in {periods[0].label} to "
        f"{_fmt(spec, latest)} in {latest_label}"
    )
    if len(periods) > 2:
        what += f" ({_fmt(spec, float(headline.value[-2]))} in {periods[-2].label})"
    what += f"; {_against_england(spec, headline, float(england.value[-1]))}. "
    text = NARRATIVE_TEXT[spec.code]
    what += text["what"].format(direction="improving" if better else "getting worse", **facts)
    status = "draft" if spec.code in DRAFT_NARRATIVES else "published"
    return [
        spec.code,
        BNSSG_ICB,
        latest_label,
        what,
        text["contribution"],
        text["limitations"],
        status,
    ]


def _narrative_facts(spec, periods, local: Sequence[ValueRow]) -> dict[str, float]:
    """Figures a narrative quotes beyond the headline: OVR02's decile 1 to 10 gap."""
    if spec.code != "OVR02":
        return {}
    latest = {
        row.category: row.value
        for row in local
        if row.spec.code == "OVR02" and row.area == BNSSG_ICB and row.sex == "Persons"
        and row.category_type == DECILE_TYPE and row.period.label == periods[-1].label
    }  # fmt: skip
    return {"gap": latest[decile_label(10)] - latest[decile_label(1)]}


NARRATIVE_TEXT = {
    "OVR02": {
        "what": "Life expectancy is recovering from the pandemic dip, but people in our most "
        "deprived neighbourhoods (national decile 1) live {gap:.1f} years less than people in "
        "the least deprived (decile 10).",
        "contribution": "Partners have focused prevention on Core20 neighbourhoods through the "
        "locality partnerships, with the CVD and smoking programmes leading.",
        "limitations": "Three-year pooled figures move slowly, and deaths from 2020-21 still "
        "weigh on the earliest periods.",
    },
    "CYP01": {
        "what": "Smoking at the time of delivery has fallen steadily since 2021, faster than "
        "in England, and the trend is {direction}; quarter-to-quarter figures are noisy.",
        "contribution": "The LMNS tobacco dependence service now sees every pregnant smoker at "
        "booking, with carbon monoxide screening and incentives run by UHBW and NBT maternity.",
        "limitations": "Smoking status is self-reported and about 2% of maternities have no "
        "recorded status; quarterly figures for small areas are volatile.",
    },
    "PRV05": {
        "what": "Alcohol-related admissions remain above the England rate, driven by Bristol; "
        "the most deprived fifth of our population has more than twice the rate of the least.",
        "contribution": "The alcohol care teams at NBT and UHBW and the councils' treatment "
        "services have widened identification and brief advice in primary care.",
        "limitations": "Admissions reflect coding practice as well as harm, and the 2020/21 "
        "figure is depressed by the pandemic.",
    },
    "LTC01": {
        "what": "Premature deaths from cardiovascular disease have risen since 2021, as they "
        "have nationally, so this outcome is {direction}; single years bounce around the trend.",
        "contribution": "The CVD prevention programme is targeting blood-pressure and lipid "
        "management in Core20 practices; its effect on mortality will take years to show.",
        "limitations": "Single-year rates for councils and localities have wide intervals; "
        "the pandemic disrupted diagnosis and treatment, which still affects these deaths.",
    },
    "LTC02": {
        "what": "The share of people with hypertension treated to target has risen every "
        "quarter since 2021 and is now above England; the SPC chart shows special-cause "
        "improvement, though we are not yet on course for 80% by March 2029.",
        "contribution": "PCNs ran blood-pressure case-finding in community pharmacies and "
        "a remote monitoring offer, prioritised for the most deprived neighbourhoods.",
        "limitations": "CVDPREVENT extracts depend on practice coding; a reading taken outside "
        "the practice is not always recorded.",
    },
    "MHL01": {
        "what": "Full physical health checks for people with severe mental illness are now "
        "close to the 60% national target, up from a low point after the pandemic.",
        "contribution": "AWP and primary care share check results, and PCN health-check "
        "workers contact people who have not attended.",
        "limitations": "Draft: quarter-end data are provisional and may change at the next "
        "refresh.",
    },
    "AGE03": {
        "what": "The dementia diagnosis rate hovers around the national ambition of 66.7%: "
        "some months meet it and some do not, and the SPC chart shows only common-cause variation.",
        "contribution": "AWP memory services have reduced waits, and care-home reviews are "
        "picking up undiagnosed dementia.",
        "limitations": "The denominator is a modelled estimate of prevalence (CFAS II), so small "
        "changes may not be real.",
    },
    "INT03": {
        "what": "The number of patients who no longer meet the criteria to reside stepped up "
        "in August 2025 and has stayed high through the winter; the SPC chart shows "
        "special-cause concern.",
        "contribution": "Partners opened additional discharge-to-assess beds in December and "
        "Sirona has extended weekend discharge cover.",
        "limitations": "Draft: the SitRep counts a daily snapshot, and changes in trust "
        "recording in August 2025 are still being checked.",
    },
}


# --- writing and the manifest ---------------------------------------------------------------


@dataclass(frozen=True)
class DemoManifest:
    """What was written, in the order to ingest it."""

    extracts: list[tuple[Path, str]]  # (path, "values" | "counts"), comparators first
    baselines_targets: Path
    narratives: Path
    row_counts: dict[str, int] = field(default_factory=dict)  # file name -> data rows

    @property
    def granular_rows(self) -> int:
        return sum(self.row_counts[path.name] for path, kind in self.extracts if kind == "counts")

    def describe(self) -> str:
        lines = ["Ingest in this order:"]
        for path, kind in self.extracts:
            size = path.stat().st_size if path.exists() else 0
            lines.append(
                f"  {kind:<6} {path.name:<24} {self.row_counts[path.name]:>9,} rows "
                f"{size / 1e6:7.1f} MB"
            )
        for path in (self.baselines_targets, self.narratives):
            lines.append(f"  {'':<6} {path.name:<24} {self.row_counts[path.name]:>9,} rows")
        lines.append(f"Granular rows: {self.granular_rows:,} (budget {GRANULAR_ROW_BUDGET:,})")
        return "\n".join(lines)


def _write_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def generate_demo_extracts(
    *,
    out_dir: Path,
    seed: int = 2024,
    years: int = 5,
    today: date = date(2026, 3, 31),
    indicators: Iterable[str] | None = None,
    fixtures_dir: Path = FIXTURES,
) -> DemoManifest:
    """Write the demo extracts to ``out_dir`` and return the manifest.

    ``indicators`` restricts the run to some codes (for quick tests); each indicator draws
    from its own seeded stream, so a subset produces the same numbers as the full run.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    geo = build_geography(seed, fixtures_dir)
    specs = load_framework(fixtures_dir)
    life = next(spec for spec in specs if spec.code == "OVR02")
    if indicators is not None:
        wanted = set(indicators)
        unknown = wanted - {spec.code for spec in specs}
        if unknown:
            raise ValueError(f"Unknown indicator codes: {', '.join(sorted(unknown))}")
        specs = [spec for spec in specs if spec.code in wanted]

    row_counts: dict[str, int] = {}
    counts_files: list[tuple[Path, str]] = []
    comparators: list[ValueRow] = []
    local: list[ValueRow] = []
    baselines: list[list[str]] = []
    narratives: list[list[str]] = []
    for spec in specs:
        periods = indicator_periods(spec, years=years, today=today)
        if spec.from_counts:
            counts = generate_counts(spec, geo, seed, periods)
            path = out_dir / f"counts_{spec.code}.csv"
            frame = counts_frame(counts, geo)
            frame.to_csv(path, index=False, lineterminator="\n")
            row_counts[path.name] = len(frame)
            counts_files.append((path, "counts"))
            headline = {"Persons": counts_headline(counts)}
            spec_comparators = comparator_rows(spec, geo, seed, periods, headline)
        else:
            spec_local = local_value_rows(spec, geo, seed, periods, life)
            local += spec_local
            sexes = ("Persons", *SEXES) if spec.pattern.female else ("Persons",)
            headline = {sex: values_headline(spec_local, periods, sex=sex) for sex in sexes}
            spec_comparators = comparator_rows(spec, geo, seed, periods, headline)
        comparators += spec_comparators
        baselines.append(baseline_record(spec, periods, headline["Persons"]))
        if spec.code in NARRATIVE_CODES:
            england = values_headline(spec_comparators, periods, area=ENGLAND)
            facts = _narrative_facts(spec, periods, local)
            narratives.append(
                narrative_record(spec, periods, headline["Persons"], england, **facts)
            )

    values_files = []
    for name, rows in (("values_comparators.csv", comparators), ("values_bnssg.csv", local)):
        if not rows:
            continue  # a subset of count-based indicators has no BNSSG values
        path = out_dir / name
        row_counts[name] = _write_rows(path, VALUES_HEADER, (row.record(geo) for row in rows))
        values_files.append((path, "values"))
    baselines_path = out_dir / "baselines_targets.csv"
    row_counts[baselines_path.name] = _write_rows(baselines_path, BASELINES_HEADER, baselines)
    narratives_path = out_dir / "narratives.csv"
    row_counts[narratives_path.name] = _write_rows(narratives_path, NARRATIVES_HEADER, narratives)
    return DemoManifest(
        extracts=values_files + counts_files,
        baselines_targets=baselines_path,
        narratives=narratives_path,
        row_counts=row_counts,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingest.demo_data", description="Write the synthetic demo extracts."
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--years", type=int, default=5)
    arguments = parser.parse_args(argv)
    started = time.perf_counter()
    manifest = generate_demo_extracts(
        out_dir=arguments.out_dir, seed=arguments.seed, years=arguments.years
    )
    print(manifest.describe())
    print(f"Generated in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
