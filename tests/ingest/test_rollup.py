"""Rolling a granular counts extract up the area tree (docs/design.md §4.4).

The scenario: one local authority (LA1) with two localities, North (LSOAs N1–N3, IMD deciles
1, 3 and 6) and South (S1–S2, deciles 4 and 10), in ICB1; ICB1's region also holds ICB2, for
which no LSOAs are loaded, so the region and England cannot be rolled up. Every expected
number below can be checked by hand against ``PROPORTION_COUNTS``.
"""

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ingest.rollup import (
    BAND_DENOMINATOR_COLUMNS,
    BAND_NUMERATOR_COLUMNS,
    CELL_COLUMNS,
    PARTLY_COVERED,
    REGISTRY_INCOMPLETE,
    SKIPPED_COLUMNS,
    AreaTree,
    IndicatorSpec,
    roll_up,
)
from ingest.schema import COUNTS_COLUMNS, ESP2013_AGE_BANDS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PERIOD = "2023/24"

TREE = AreaTree.from_records(
    [
        ("E92000001", None, "england", None),
        ("R1", "E92000001", "region", None),
        ("ICB1", "R1", "icb", None),
        ("ICB2", "R1", "icb", None),  # no LSOAs loaded
        ("LA1", "ICB1", "local_authority", None),
        ("NORTH", "LA1", "locality", None),
        ("SOUTH", "LA1", "locality", None),
        ("N1", "NORTH", "lsoa", 1),
        ("N2", "NORTH", "lsoa", 3),
        ("N3", "NORTH", "lsoa", 6),
        ("S1", "SOUTH", "lsoa", 4),
        ("S2", "SOUTH", "lsoa", 10),
        ("PCN1", "NORTH", "pcn", None),
        ("P1", "PCN1", "practice", None),  # no IMD decile
    ]
)
LSOAS = ["N1", "N2", "N3", "S1", "S2"]

SPECS = {
    "PROP": IndicatorSpec("PROP", "proportion", 100, ["sex", "imd_quintile"]),
    "RATE": IndicatorSpec("RATE", "crude_rate", 1000, ["imd_decile"], default_age="65+ yrs"),
    "MORT": IndicatorSpec("MORT", "dsr", 100_000, ["sex", "imd_quintile"]),
    "ETHN": IndicatorSpec("ETHN", "proportion", 100, ["ethnic_group"]),
}

# (numerator, denominator) for Male and Female in each LSOA.
PROPORTION_COUNTS = {
    "N1": ((10, 100), (20, 100)),
    "N2": ((5, 50), (5, 60)),
    "N3": ((8, 80), (12, 90)),
    "S1": ((30, 200), (25, 210)),
    "S2": ((2, 40), (3, 45)),
}


def counts_frame(rows: list[dict]) -> pd.DataFrame:
    """A validated counts frame: defaults for the columns a test does not care about."""
    defaults = {"period_label": PERIOD, "age_band": "All ages", "ethnic_group": ""}
    frame = pd.DataFrame([defaults | row for row in rows])
    frame["source_row"] = np.arange(2, len(frame) + 2)
    return frame[COUNTS_COLUMNS]


def count_row(area: str, sex: str, numerator, denominator, indicator="PROP", **fields) -> dict:
    return {
        "indicator_code": indicator, "area_code": area, "sex": sex,
        "numerator": numerator, "denominator": denominator, **fields,
    }  # fmt: skip


def by_sex(indicator: str = "PROP", lsoas=LSOAS) -> pd.DataFrame:
    return counts_frame(
        [
            count_row(lsoa, sex, x, n, indicator)
            for lsoa in lsoas
            for sex, (x, n) in zip(("Male", "Female"), PROPORTION_COUNTS[lsoa], strict=True)
        ]
    )


def cell(cells: pd.DataFrame, area: str, *, sex="Persons", category="", indicator=None):
    found = cells[
        (cells["area_code"] == area) & (cells["sex"] == sex) & (cells["category"] == category)
    ]
    if indicator:
        found = found[found["indicator_code"] == indicator]
    assert len(found) == 1, f"expected one {area}/{sex}/{category!r} cell, found {len(found)}"
    return found.iloc[0]


def headline(cells: pd.DataFrame, area: str) -> tuple[float, float]:
    row = cell(cells, area)
    return row["numerator"], row["denominator"]


# --- coverage -------------------------------------------------------------------------------


def test_every_fully_covered_ancestor_is_summed():
    cells = roll_up(by_sex(), areas=TREE, indicators=SPECS).cells

    assert set(cells["area_code"]) == {"NORTH", "SOUTH", "LA1", "ICB1"}
    assert headline(cells, "NORTH") == (60, 480)  # 10+20+5+5+8+12 / 100+100+50+60+80+90
    assert headline(cells, "SOUTH") == (60, 495)
    assert headline(cells, "LA1") == (120, 975)
    assert headline(cells, "ICB1") == (120, 975)


def test_a_partly_covered_ancestor_is_skipped_and_reported():
    without_s2 = by_sex(lsoas=["N1", "N2", "N3", "S1"])

    result = roll_up(without_s2, areas=TREE, indicators=SPECS)

    assert set(result.cells["area_code"]) == {"NORTH"}
    partly = result.skipped[result.skipped["reason"] == PARTLY_COVERED]
    reported = {
        row.area_code: (row.small_areas_present, row.small_areas_total)
        for row in partly.itertuples()
    }
    assert reported == {
        "SOUTH": (1, 2), "LA1": (4, 5), "ICB1": (4, 5), "R1": (4, 5), "E92000001": (4, 5),
    }  # fmt: skip
    assert set(partly["indicator_code"]) == {"PROP"}
    assert set(partly["period_label"]) == {PERIOD}
    assert list(result.skipped.columns) == SKIPPED_COLUMNS


def test_ancestors_of_areas_with_no_small_areas_loaded_are_not_rolled_up():
    # R1 also holds ICB2, whose LSOAs the registry lacks: R1 and England would be ICB1 alone.
    skipped = roll_up(by_sex(), areas=TREE, indicators=SPECS).skipped

    assert list(skipped["area_code"]) == ["E92000001", "R1"]
    assert set(skipped["reason"]) == {REGISTRY_INCOMPLETE}
    assert list(skipped["small_areas_present"]) == [5, 5]


def test_coverage_is_judged_per_indicator_and_period():
    both = pd.concat(
        [by_sex("PROP"), by_sex("ETHN", lsoas=["N1", "N2", "N3", "S1"])], ignore_index=True
    )

    cells = roll_up(both, areas=TREE, indicators=SPECS).cells

    assert set(cells.loc[cells["indicator_code"] == "PROP", "area_code"]) == {
        "NORTH", "SOUTH", "LA1", "ICB1",
    }  # fmt: skip
    assert set(cells.loc[cells["indicator_code"] == "ETHN", "area_code"]) == {"NORTH"}


def test_practices_roll_up_through_their_pcn_and_have_no_imd_cells():
    practice = counts_frame([count_row("P1", "Persons", 7, 70)])

    result = roll_up(practice, areas=TREE, indicators=SPECS)

    # The LSOAs of North do not count against a practice extract's coverage.
    assert set(result.cells["area_code"]) == {"PCN1", "NORTH", "LA1", "ICB1"}
    assert set(result.cells["category_type"]) == {""}
    assert result.without_decile == ("P1",)


def test_one_indicator_period_may_not_mix_lsoas_and_practices():
    mixed = pd.concat([by_sex(), counts_frame([count_row("P1", "Male", 1, 9)])])

    with pytest.raises(ValueError, match="more than one kind of area"):
        roll_up(mixed, areas=TREE, indicators=SPECS)


# --- Persons, Male and Female ---------------------------------------------------------------


def test_without_persons_rows_the_headline_is_male_plus_female():
    cells = roll_up(by_sex(), areas=TREE, indicators=SPECS).cells

    male, female = cell(cells, "NORTH", sex="Male"), cell(cells, "NORTH", sex="Female")
    assert (male["numerator"], male["denominator"]) == (23, 230)
    assert (female["numerator"], female["denominator"]) == (37, 250)
    assert headline(cells, "NORTH") == (23 + 37, 230 + 250)


def test_persons_rows_are_the_headline_when_the_file_has_them():
    # Persons includes people of unknown sex, so it is more than Male + Female.
    persons = counts_frame(
        [
            {"indicator_code": "PROP", "area_code": lsoa, "sex": "Persons",
             "numerator": sum(x for x, _ in PROPORTION_COUNTS[lsoa]) + 1,
             "denominator": sum(n for _, n in PROPORTION_COUNTS[lsoa]) + 10}
            for lsoa in LSOAS
        ]
    )  # fmt: skip

    cells = roll_up(pd.concat([by_sex(), persons]), areas=TREE, indicators=SPECS).cells

    assert headline(cells, "NORTH") == (60 + 3, 480 + 30)
    assert headline(cells, "LA1") == (120 + 5, 975 + 50)
    assert cell(cells, "NORTH", sex="Male")["numerator"] == 23  # sexes still published
    assert cell(cells, "LA1", category="Quintile 1 (most deprived)")["numerator"] == 30 + 1


def test_a_small_area_without_persons_rows_adds_its_sexes_to_the_headline():
    # Only N1 has a Persons row (31/210); the other LSOAs give Male and Female only.
    n1_persons = counts_frame([count_row("N1", "Persons", 31, 210)])

    cells = roll_up(pd.concat([by_sex(), n1_persons]), areas=TREE, indicators=SPECS).cells

    assert headline(cells, "NORTH") == (31 + 10 + 20, 210 + 110 + 170)


def test_persons_only_files_have_no_sex_cells():
    persons = counts_frame(
        [
            count_row(lsoa, "Persons", male[0] + female[0], male[1] + female[1])
            for lsoa, (male, female) in PROPORTION_COUNTS.items()
        ]
    )

    cells = roll_up(persons, areas=TREE, indicators=SPECS).cells

    assert set(cells["sex"]) == {"Persons"}
    assert headline(cells, "LA1") == (120, 975)


def test_sex_cells_only_for_indicators_that_publish_sex():
    cells = roll_up(by_sex("RATE"), areas=TREE, indicators=SPECS).cells

    assert set(cells["sex"]) == {"Persons"}


# --- IMD quintiles and deciles --------------------------------------------------------------


def test_quintiles_come_from_each_lsoas_decile():
    cells = roll_up(by_sex(), areas=TREE, indicators=SPECS).cells
    la = cells[(cells["area_code"] == "LA1") & (cells["category_type"] != "")]

    assert set(la["category_type"]) == {"IMD 2019 quintile (national)"}
    sums = zip(la["numerator"], la["denominator"], strict=True)
    assert dict(zip(la["category"], sums, strict=True)) == {
        "Quintile 1 (most deprived)": (30, 200),  # N1, decile 1
        "Quintile 2": (10 + 55, 110 + 410),  # N2 (decile 3) and S1 (decile 4)
        "Quintile 3": (20, 170),  # N3, decile 6
        "Quintile 5 (least deprived)": (5, 85),  # S2, decile 10
    }  # fmt: skip
    assert (la["sex"] == "Persons").all()
    assert la["published"].all()


def test_quintiles_are_computed_for_the_inequality_summary_even_when_not_published():
    cells = roll_up(by_sex("RATE"), areas=TREE, indicators=SPECS).cells
    quintiles = cells[cells["category_type"] == "IMD 2019 quintile (national)"]
    deciles = cells[cells["category_type"] == "IMD 2019 decile (national)"]

    assert len(quintiles) > 0
    assert not quintiles["published"].any()
    assert deciles["published"].all()
    assert cells.loc[cells["category_type"] == "", "published"].all()
    assert set(deciles.loc[deciles["area_code"] == "LA1", "category"]) == {
        "Decile 1 (most deprived)", "Decile 3", "Decile 4", "Decile 6",
        "Decile 10 (least deprived)",
    }  # fmt: skip
    assert cell(cells, "SOUTH", category="Decile 4")["numerator"] == 55


def test_decile_cells_only_for_indicators_that_publish_them():
    cells = roll_up(by_sex("PROP"), areas=TREE, indicators=SPECS).cells

    assert "IMD 2019 decile (national)" not in set(cells["category_type"])


def test_breakdowns_sum_to_the_headline():
    cells = roll_up(by_sex("RATE"), areas=TREE, indicators=SPECS).cells

    for kind in ("IMD 2019 quintile (national)", "IMD 2019 decile (national)"):
        parts = cells[cells["category_type"] == kind].groupby("area_code")["numerator"].sum()
        totals = cells[cells["category_type"] == ""].set_index("area_code")["numerator"]
        pd.testing.assert_series_equal(parts, totals.loc[parts.index], check_names=False)


# --- ages -----------------------------------------------------------------------------------


def test_cells_carry_the_indicators_default_age():
    cells = roll_up(by_sex("RATE"), areas=TREE, indicators=SPECS).cells

    assert set(cells["age"]) == {"65+ yrs"}


def test_age_bands_are_added_up_for_indicators_that_are_not_dsrs():
    banded = counts_frame(
        [
            {"indicator_code": "RATE", "area_code": lsoa, "sex": "Persons", "age_band": band,
             "numerator": 1, "denominator": 10}
            for lsoa in LSOAS
            for band in ("65-69", "70-74", "90+")
        ]
    )  # fmt: skip

    cells = roll_up(banded, areas=TREE, indicators=SPECS).cells

    assert headline(cells, "NORTH") == (9, 90)
    assert cells[BAND_NUMERATOR_COLUMNS].isna().all().all()


def test_an_all_ages_row_replaces_its_age_bands_rather_than_adding_to_them():
    rows = [
        {"indicator_code": "RATE", "area_code": lsoa, "sex": "Persons", "age_band": band,
         "numerator": x, "denominator": 100}
        for lsoa in LSOAS
        for band, x in (("All ages", 5), ("65-69", 2), ("70-74", 3))
    ]  # fmt: skip

    cells = roll_up(counts_frame(rows), areas=TREE, indicators=SPECS).cells

    assert headline(cells, "NORTH") == (15, 300)


# --- DSRs -----------------------------------------------------------------------------------

# Deaths at 85-89 by LSOA and sex; every band has 100 people of each sex in each LSOA.
DSR_EVENTS = {("N1", "Male"): 2, ("N2", "Female"): 3, ("N3", "Male"): 1, ("S1", "Male"): 4,
              ("S1", "Female"): 6, ("S2", "Female"): 2}  # fmt: skip


def dsr_counts(bands=ESP2013_AGE_BANDS) -> pd.DataFrame:
    return counts_frame(
        [
            {"indicator_code": "MORT", "area_code": lsoa, "sex": sex, "age_band": band,
             "numerator": DSR_EVENTS.get((lsoa, sex), 0) if band == "85-89" else 0,
             "denominator": 100}
            for lsoa in LSOAS
            for sex in ("Male", "Female")
            for band in bands
        ]
    )  # fmt: skip


def test_dsr_cells_keep_the_age_bands():
    cells = roll_up(dsr_counts(), areas=TREE, indicators=SPECS).cells
    la = cell(cells, "LA1")

    assert (la["numerator"], la["denominator"]) == (18, 5 * 2 * 19 * 100)
    assert la["numerator_85-89"] == 18
    assert la["numerator_0-4"] == 0
    assert (la[BAND_DENOMINATOR_COLUMNS] == 1000).all()
    assert cell(cells, "NORTH", sex="Female")["numerator_85-89"] == 3
    assert cell(cells, "SOUTH", category="Quintile 2")["denominator_90+"] == 200


def test_dsr_bands_outside_the_indicators_age_range_are_missing_not_zero():
    under_75 = ESP2013_AGE_BANDS[:15]

    la = cell(roll_up(dsr_counts(under_75), areas=TREE, indicators=SPECS).cells, "LA1")

    assert la["denominator_70-74"] == 1000
    assert np.isnan(la["denominator_75-79"]) and np.isnan(la["numerator_90+"])


def test_a_dsr_needs_age_bands():
    all_ages = by_sex("MORT")

    with pytest.raises(ValueError, match="MORT is a DSR"):
        roll_up(all_ages, areas=TREE, indicators=SPECS)


# --- ethnic groups --------------------------------------------------------------------------


def with_ethnic_groups(indicator: str) -> pd.DataFrame:
    return counts_frame(
        [
            {"indicator_code": indicator, "area_code": lsoa, "sex": "Persons",
             "ethnic_group": group, "numerator": x, "denominator": 50}
            for lsoa in LSOAS
            for group, x in (("White", 4), ("Asian", 2), ("Black", 1))
        ]
    )  # fmt: skip


def test_ethnic_group_cells_when_the_file_has_groups_and_the_indicator_publishes_them():
    cells = roll_up(with_ethnic_groups("ETHN"), areas=TREE, indicators=SPECS).cells
    la = cells[(cells["area_code"] == "LA1") & (cells["category_type"] == "Ethnic group")]

    assert list(la["category"]) == ["White", "Asian", "Black"]  # the extract's own names
    assert list(la["numerator"]) == [20, 10, 5]
    assert headline(cells, "LA1") == (35, 750)


def test_no_ethnic_group_cells_when_the_indicator_does_not_publish_them():
    cells = roll_up(with_ethnic_groups("PROP"), areas=TREE, indicators=SPECS).cells

    assert "Ethnic group" not in set(cells["category_type"])
    assert headline(cells, "LA1") == (35, 750)


def test_no_ethnic_group_cells_when_the_file_has_none():
    cells = roll_up(by_sex("ETHN"), areas=TREE, indicators=SPECS).cells

    assert "Ethnic group" not in set(cells["category_type"])


# --- the frame ------------------------------------------------------------------------------


def test_cells_have_one_row_per_indicator_period_area_and_breakdown():
    both = pd.concat([by_sex("PROP"), dsr_counts()], ignore_index=True)

    cells = roll_up(both, areas=TREE, indicators=SPECS).cells

    assert list(cells.columns) == CELL_COLUMNS
    key = ["indicator_code", "period_label", "area_code", "sex", "age", "category_type", "category"]
    assert not cells.duplicated(key).any()
    assert cells.loc[cells["indicator_code"] == "PROP", BAND_NUMERATOR_COLUMNS].isna().all().all()


def test_an_empty_extract_rolls_up_to_nothing():
    result = roll_up(by_sex().iloc[:0], areas=TREE, indicators=SPECS)

    assert result.cells.empty and list(result.cells.columns) == CELL_COLUMNS
    assert result.skipped.empty


def test_an_indicator_without_a_specification_is_refused():
    with pytest.raises(ValueError, match="No indicator specification for 'XYZ'"):
        roll_up(by_sex("XYZ"), areas=TREE, indicators=SPECS)


# --- a whole ICS: 563 LSOAs -----------------------------------------------------------------


def fixture_tree() -> AreaTree:
    with open(FIXTURES / "areas.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    return AreaTree.from_records(
        ((row["code"], row["parent_code"], row["area_type"], row["imd_decile"] or None)
         for row in rows),
        links=[(row["code"], other) for row in rows for other in row["also_in"].split("|")
               if other],
    )  # fmt: skip


def test_totals_are_conserved_up_the_tree_for_a_whole_ics():
    tree = fixture_tree()
    lsoas = [code for code, parent in tree.parent.items() if parent == "E38000222"]
    assert len(lsoas) == 563
    rng = np.random.default_rng(7)
    denominators = rng.integers(50, 500, size=(len(lsoas), 2))
    numerators = rng.binomial(denominators, 0.2)
    counts = counts_frame(
        [
            {"indicator_code": "PROP", "area_code": lsoa, "sex": sex,
             "numerator": numerators[i, j], "denominator": denominators[i, j]}
            for i, lsoa in enumerate(lsoas)
            for j, sex in enumerate(("Male", "Female"))
        ]
    )  # fmt: skip

    result = roll_up(counts, areas=tree, indicators=SPECS)
    totals = result.cells[result.cells["category_type"].eq("") & result.cells["sex"].eq("Persons")]
    total = totals.set_index("area_code")["numerator"]

    localities = [code for code, kind in tree.area_type.items() if kind == "locality"]
    las = ["E06000023", "E06000024", "E06000025"]
    icb, sub_icb = "E54000039", "E38000222"
    assert total[localities].sum() == total[las].sum() == total[sub_icb] == total[icb]
    assert total[icb] == numerators.sum()
    for la in las:
        assert total[la] == total[[c for c in localities if tree.parent[c] == la]].sum()
    quintiles = result.cells[result.cells["category_type"] == "IMD 2019 quintile (national)"]
    assert quintiles.loc[quintiles["area_code"] == icb, "numerator"].sum() == total[icb]
    # The NHS and ONS South West regions and England hold other LSOAs: not rolled up.
    assert set(result.skipped["area_code"]) == {"E40000006", "E12000009", "E92000001"}


# --- two hierarchies ------------------------------------------------------------------------

# NHS: LSOA → sub-ICB → ICB → England; local government: LSOA → district → county → ONS
# region → England. The sub-ICBs and the districts cut across each other.
TWO_TREES = AreaTree.from_records(
    [
        ("E92000001", None, "england", None),
        ("ICB", "E92000001", "icb", None),
        ("SUB1", "ICB", "sub_icb", None),
        ("SUB2", "ICB", "sub_icb", None),
        ("REG", "E92000001", "ons_region", None),
        ("COUNTY", "REG", "local_authority", None),
        ("DIS1", "COUNTY", "district", None),
        ("DIS2", "COUNTY", "district", None),
        ("A", "SUB1", "lsoa", 1),
        ("B", "SUB1", "lsoa", 2),
        ("C", "SUB2", "lsoa", 3),
        ("D", "SUB2", "lsoa", 4),
    ],
    links=[("A", "DIS1"), ("B", "DIS2"), ("C", "DIS1"), ("D", "DIS2")],
)


def test_small_areas_roll_up_along_every_hierarchy_and_once_into_shared_ancestors():
    counts = {"A": (1, 10), "B": (2, 20), "C": (3, 30), "D": (4, 40)}
    frame = counts_frame([count_row(code, "Persons", *pair) for code, pair in counts.items()])
    cells = roll_up(frame, areas=TWO_TREES, indicators=SPECS).cells
    assert headline(cells, "SUB1") == (3, 30) and headline(cells, "SUB2") == (7, 70)
    assert headline(cells, "DIS1") == (4, 40) and headline(cells, "DIS2") == (6, 60)
    for area in ["ICB", "COUNTY", "REG", "E92000001"]:
        assert headline(cells, area) == (10, 100), area  # England once, not twice


def test_a_district_partly_covered_is_skipped_while_its_sub_icb_is_summed():
    frame = counts_frame([count_row(code, "Persons", 1, 10) for code in ["A", "B"]])
    result = roll_up(frame, areas=TWO_TREES, indicators=SPECS)
    assert set(result.cells["area_code"]) == {"SUB1"}
    assert {"DIS1", "DIS2", "ICB", "COUNTY", "E92000001"} <= set(result.skipped["area_code"])


def test_links_that_form_a_cycle_are_refused():
    tree = AreaTree.from_records(
        [("X", None, "icb", None), ("Y", "X", "sub_icb", None)], links=[("X", "Y")]
    )
    with pytest.raises(ValueError, match="cycle"):
        roll_up(counts_frame([count_row("Y", "Persons", 1, 10)]), areas=tree, indicators=SPECS)
