"""Disclosure control under attack: a careful viewer downloads every CSV they may and solves
for the small counts (tests/indicators/disclosure_attack.py). No small count may be pinned.

The attack knows only the downloads and the published rules; the test knows the truth (the
stored observations), and uses it to say which suppressed cells hold small counts and which
groups of cells truly add up, as a careful attacker who knows the data's structure would.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command

from indicators.models import Area, AreaType, Indicator, Observation
from indicators.statistics.intervals import wilson_interval
from ingest.services import extract_create, extract_process
from tests.geography import rank
from tests.indicators import disclosure_attack as attack
from tests.indicators.disclosure_attack import COUNT, REST, Group, IndicatorInfo

API = "/api"
SMALL = range(1, 8)

# --- the attack on hand-made tables ---------------------------------------------------------


def table(*rows: dict) -> pd.DataFrame:
    """Rows of one indicator, period, sex and age, with the fields each row gives."""
    base = {
        "indicator": "X01", "parent": "", "area_type": "Local authority", "sex": "Persons",
        "age": "All ages", "category_type": "", "category": "", "period": "2023/24",
        "value": np.nan, "lower_95": np.nan, "upper_95": np.nan, "lower_998": np.nan,
        "upper_998": np.nan, "count": np.nan, "denominator": np.nan, "value_note": "",
    }  # fmt: skip
    return pd.DataFrame([base | row for row in rows], columns=list(attack.COLUMNS.values()))


def wilson_row(count: int, denominator: int, **fields) -> dict:
    """A proportion as the current policy shows it: full-precision value and limits beside a
    count and denominator rounded to the nearest 5."""
    at_95, at_998 = (
        wilson_interval(count, denominator, confidence=level, multiplier=100)
        for level in (0.95, 0.998)
    )
    return {
        "value": float(at_95.value), "lower_95": float(at_95.lower),
        "upper_95": float(at_95.upper), "lower_998": float(at_998.lower),
        "upper_998": float(at_998.upper),
        "count": 5 * math.floor(count / 5 + 0.5), "denominator": 5 * math.floor(denominator / 5 + 0.5),
    } | fields  # fmt: skip


PROPORTION = {"X01": IndicatorInfo("proportion", 100, controlled=True)}
SUPPRESSED = {"value_note": "Suppressed"}


def test_an_exact_parent_less_its_exact_children_pins_the_suppressed_child():
    rows = table(
        {"area": "E92000001", "area_type": "England", "count": 20},
        {"area": "A", "parent": "E92000001", "count": 16},  # not a multiple of 5: exact
        {"area": "B", "parent": "E92000001", **SUPPRESSED},
    )
    result = attack.attack(
        rows, indicators=PROPORTION, groups=[Group(0, (1, 2), "area")], targets={2: COUNT}
    )
    assert [(finding.key[1], finding.low) for finding in result.pinned] == [("B", 4)]


def test_full_precision_beside_rounded_counts_gives_the_exact_counts_away():
    rows = table(
        {"area": "P", **wilson_row(13, 41)},
        {"area": "A", "parent": "P", **SUPPRESSED},  # truly 5 of 20
        {"area": "B", "parent": "P", **wilson_row(8, 21)},
    )
    group = Group(0, (1, 2), "area", denominators=True)
    result = attack.attack(rows, indicators=PROPORTION, groups=[group], targets={1: COUNT})
    assert [(finding.key[1], finding.low) for finding in result.pinned] == [("A", 5)]
    # Without the full precision, the rounding windows leave it open.
    blurred = rows.assign(value=np.nan, lower_95=np.nan, upper_95=np.nan)
    blurred[["lower_998", "upper_998"]] = np.nan
    result = attack.attack(blurred, indicators=PROPORTION, groups=[group], targets={1: COUNT})
    assert not result.pinned


def test_a_parent_shown_exactly_gives_away_its_only_child():
    rows = table(
        {"area": "E92000001", "area_type": "England", "count": 6, "denominator": 90},
        {"area": "R", "parent": "E92000001", **SUPPRESSED},
    )
    group = Group(0, (1,), "area", denominators=True)
    result = attack.attack(rows, indicators=PROPORTION, groups=[group], targets={1: COUNT})
    assert [(finding.key[1], finding.low) for finding in result.pinned] == [("R", 6)]


def test_rounded_parent_and_sibling_leave_the_small_child_open():
    rows = table(
        {"area": "P", "count": 20},  # truly 19
        {"area": "A", "parent": "P", "count": 15},  # truly 14
        {"area": "B", "parent": "P", **SUPPRESSED},  # truly 5
    )
    result = attack.attack(
        rows, indicators=PROPORTION, groups=[Group(0, (1, 2), "area")], targets={2: COUNT}
    )
    assert not result.pinned and not result.narrowed
    assert (result.small, result.small_suppressed) == (1, 1)


def test_pooled_years_link_overlapping_periods():
    # Counts not a multiple of 5 are exact: 2021 - 23 less 2021 and 2023 leaves 2022.
    rows = table(
        {"area": "A", "period": "2021 - 23", "count": 23},
        {"area": "A", "period": "2021", "count": 11},
        {"area": "A", "period": "2022", **SUPPRESSED},
        {"area": "A", "period": "2023", "count": 9},
    )
    series = attack.pooled_series(rows)
    assert [item.rows for item in series] == [(0, 1, 2, 3)]
    result = attack.attack(
        rows, indicators=PROPORTION, groups=[], pooled=series, targets={2: COUNT}
    )
    assert [(finding.key[2], finding.low) for finding in result.pinned] == [("2022", 3)]


def test_a_window_of_five_values_is_neither_pinned_nor_narrowed():
    rows = table(
        {"area": "P", "area_type": "England", "count": 30},
        {"area": "A", "parent": "P", "count": 25},  # 23 to 27, so B is 3 to 7
        {"area": "B", "parent": "P", **SUPPRESSED},
        {"area": "C", "parent": "P", "count": 0},
    )
    result = attack.attack(
        rows, indicators=PROPORTION, groups=[Group(0, (1, 2, 3), "area")], targets={2: COUNT}
    )
    assert not result.pinned
    assert not result.narrowed  # five values are left: 3 to 7


# --- the viewer's downloads and the truth ---------------------------------------------------


def viewer_downloads(client) -> tuple[pd.DataFrame, dict[str, IndicatorInfo]]:
    """Every indicator the signed-in user can see, each as its full CSV download."""
    listing = client.get(f"{API}/indicators/", {"page_size": 1000})
    assert listing.status_code == 200
    described = listing.json()["results"]
    rules = dict(Indicator.objects.values_list("code", "disclosure_rule"))
    indicators = {
        item["code"]: IndicatorInfo(
            item["value_type"], float(item["multiplier"]), rules[item["code"]] == "standard"
        )
        for item in described
    }
    parts = []
    for code in indicators:
        response = client.get(f"{API}/data/", {"indicator": code, "format": "csv"})
        assert response.status_code == 200, response.status_code
        text = b"".join(response.streaming_content).decode()  # the CSV is streamed
        parts.append(attack.read_export(text))
    return pd.concat(parts, ignore_index=True), indicators


def true_counts(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The stored count and denominator of each row (a count indicator's count is its value
    when it has no count), NaN where there is none."""
    stored = {
        key[:7]: key[7:]
        for key in Observation.objects.filter(
            indicator__code__in=pd.unique(table["indicator"])
        ).values_list(
            "indicator__code", "area__code", "period__label", "sex", "age", "category_type",
            "category", "count", "denominator", "value", "indicator__value_type",
        )
    }  # fmt: skip
    counts, denominators = [], []
    for key in attack.cell_keys(table):
        count, denominator, value, value_type = stored.get(key, (None, None, None, None))
        if count is None and value_type == "count":
            count = value
        counts.append(np.nan if count is None else count)
        denominators.append(np.nan if denominator is None else denominator)
    return np.array(counts, float), np.array(denominators, float)


def additive(values: np.ndarray, group: Group) -> bool:
    members = values[list(group.members)]
    return bool(np.isfinite(members).all() and np.isfinite(values[group.total])) and math.isclose(
        members.sum(), values[group.total], abs_tol=1e-6
    )


def attack_as_viewer(client) -> attack.AttackResult:
    """Download everything as the signed-in viewer, then attack every small cell."""
    table, indicators = viewer_downloads(client)
    counts, denominators = true_counts(table)
    groups = [
        Group(group.total, group.members, group.kind, additive(denominators, group))
        for group in attack.candidate_groups(table)
        if additive(counts, group)
    ]
    pooled = [
        attack.PooledSeries(
            series.rows,
            series.years,
            attack.series_consistent(denominators[list(series.rows)], series.years),
        )
        for series in attack.pooled_series(table)
        if attack.series_consistent(counts[list(series.rows)], series.years)
    ]
    controlled = table["indicator"].map(lambda code: indicators[code].controlled).to_numpy()
    below_england = (table["area_type"] != attack.NATIONAL_AREA_TYPE).to_numpy()
    proportion = table["indicator"].map(lambda code: indicators[code].value_type) == "proportion"
    targets, truth = {}, {}
    for row in np.flatnonzero(controlled & below_england):
        rest = denominators[row] - counts[row]
        if counts[row] in SMALL:
            targets[row], truth[row] = COUNT, counts[row]
        elif proportion.iat[row] and rest in SMALL:
            targets[row], truth[row] = REST, rest
    return attack.attack(
        table, indicators=indicators, groups=groups, pooled=pooled, targets=targets,
        true_values=truth,
    )  # fmt: skip


def assert_nothing_pinned(result: attack.AttackResult) -> None:
    # The attack itself must be sound before its verdict counts: feasible, and every pin true.
    assert not result.infeasible, f"the attack assumed something untrue: {result.summary()}"
    wrong = [finding for finding in result.pinned if finding.low != finding.true_value]
    assert not wrong, "the attack pinned wrong values:\n" + attack.describe(wrong)
    assert not result.pinned, (
        f"{len(result.pinned)} small counts pinned ({result.summary()}):\n"
        + attack.describe(result.pinned)
    )


# --- a scenario built to be hard ------------------------------------------------------------

COUNTS_HEADER = "indicator_code,period,area_code,sex,age_band,numerator,denominator\n"
# LSOA: (parent, IMD 2019 decile, male numerator/denominator, female numerator/denominator)
LSOAS = {
    "E01014485": ("E06000023", 4, (40, 300), (35, 310)),  # the geography fixture's Bristol
    "E01014486": ("E06000023", 2, (52, 280), (47, 290)),
    "E01900001": ("E99000101", 9, (30, 200), (4, 190)),  # North: one locality, a small female
    "E01900002": ("E99000101", 10, (28, 210), (25, 220)),
    "E01900003": ("E99000201", 6, (3, 150), (2, 160)),  # South A: the only quintile 3, small
    "E01900004": ("E99000201", 7, (45, 260), (41, 250)),
    "E01900005": ("E99000202", 1, (3, 90), (2, 85)),  # South B: small
}
# Crude rate per 1,000 by calendar year, pooled over three: (numerator, denominator) by year.
YEARLY = {
    "E01014485": [(40, 1500), (38, 1510), (45, 1520), (41, 1530)],
    "E01014486": [(55, 1400), (60, 1410), (52, 1420), (58, 1430)],
    "E01900001": [(20, 900), (22, 905), (19, 910), (25, 915)],
    "E01900002": [(18, 950), (21, 955), (17, 960), (23, 965)],
    "E01900003": [(12, 700), (15, 705), (11, 710), (14, 715)],
    "E01900004": [(30, 1200), (27, 1210), (33, 1220), (29, 1230)],
    "E01900005": [(2, 400), (3, 405), (1, 410), (4, 415)],
}
YEARS = (2021, 2022, 2023, 2024)


@pytest.fixture
def hard_scenario(framework, geography):
    """Beside Bristol (two LSOAs), an LA with a single locality and an LA with two, one of
    them small; a proportion by sex and IMD quintile, and a crude rate over single and pooled
    years. A second region with nothing loaded keeps England out of the roll-up."""
    types = {area_type.code: area_type for area_type in AreaType.objects.all()}
    Area.objects.create(
        code="E40000003", name="London", area_type=types["region"], parent=geography["england"]
    )
    icb = geography["icb"]
    north = Area.objects.create(code="E99000100", name="North LA",
                                area_type=types["local_authority"], parent=icb)  # fmt: skip
    south = Area.objects.create(code="E99000200", name="South LA",
                                area_type=types["local_authority"], parent=icb)  # fmt: skip
    localities = {
        "E99000101": ("North locality", north),
        "E99000201": ("South A", south),
        "E99000202": ("South B", south),
    }
    localities = {
        code: Area.objects.create(code=code, name=name, area_type=types["locality"], parent=la)
        for code, (name, la) in localities.items()
    }
    for code, (parent, decile, _, _) in LSOAS.items():
        if code.startswith("E019"):
            rank(Area.objects.create(code=code, name=f"LSOA {code}", area_type=types["lsoa"],
                                     parent=localities[parent]), decile)  # fmt: skip
    domain = framework["smoking"].domain
    common = {"domain": domain, "definition": "Scenario.", "status": "published",
              "polarity": "lower_better", "frequency": "annual"}  # fmt: skip
    Indicator.objects.create(
        code="ATK01", name="Attacked proportion", value_type="proportion", multiplier=100,
        ci_method="wilson", breakdowns=["sex", "imd_quintile"], **common,
    )  # fmt: skip
    Indicator.objects.create(
        code="ATK02", name="Attacked pooled rate", value_type="crude_rate", multiplier=1000,
        ci_method="byar_exact", breakdowns=["sex"], **common,
    )  # fmt: skip
    rows = [
        f"ATK01,2023/24,{code},{sex},All ages,{numerator},{denominator}"
        for code, (_, _, male, female) in LSOAS.items()
        for sex, (numerator, denominator) in (("Male", male), ("Female", female))
    ]
    for code, yearly in YEARLY.items():
        rows += [f"ATK02,{year},{code},Persons,All ages,{n},{d}" for year, (n, d) in
                 zip(YEARS, yearly, strict=True)]  # fmt: skip
        for first in (0, 1):
            pooled = yearly[first : first + 3]
            label = f"{YEARS[first]} - {YEARS[first + 2] % 100:02d}"
            rows.append(f"ATK02,{label},{code},Persons,All ages,"
                        f"{sum(n for n, _ in pooled)},{sum(d for _, d in pooled)}")  # fmt: skip
    data = (COUNTS_HEADER + "".join(row + "\n" for row in rows)).encode()
    extract = extract_create(data=data, original_name="scenario.csv", kind="counts", enqueue=False)
    extract = extract_process(extract_id=extract.pk)
    assert extract.status == "succeeded", extract.error_summary


def test_a_viewer_cannot_pin_a_small_count_in_a_scenario_built_to_be_hard(
    hard_scenario, client, viewer
):
    client.force_login(viewer)
    result = attack_as_viewer(client)
    print(f"\nscenario: {result.summary()}\n{attack.describe(result.pinned)}")
    assert result.small_suppressed >= 5, result.summary()
    assert_nothing_pinned(result)


# --- the demo data --------------------------------------------------------------------------


def test_a_viewer_cannot_pin_a_small_count_in_the_demo_data(db, settings, tmp_path, client, viewer):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    call_command("load_demo", stdout=io.StringIO())
    client.force_login(viewer)
    result = attack_as_viewer(client)
    print(f"\ndemo: {result.summary()}\n{attack.describe(result.pinned)}")
    assert result.small_suppressed > 0, result.summary()
    assert_nothing_pinned(result)
