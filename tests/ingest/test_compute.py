"""Values and confidence limits for rolled-up cells, by each indicator's method (docs/methods.md)."""

from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from indicators.statistics.intervals import (
    poisson_count_interval,
    wilson_interval,
)
from indicators.statistics.standardised import ESP2013, directly_standardised_rate
from ingest.compute import (
    FEWER_THAN_10_EVENTS,
    NO_BAND_POPULATION,
    NO_DENOMINATOR,
    compute_values,
)
from ingest.rollup import (
    BAND_DENOMINATOR_COLUMNS,
    BAND_NUMERATOR_COLUMNS,
    CELL_COLUMNS,
    AreaTree,
    IndicatorSpec,
    roll_up,
)
from ingest.schema import COUNTS_COLUMNS, VALUES_COLUMNS
from tests import reference_data
from tests.reference_data import RELATIVE

SPECS = {
    "PROP": IndicatorSpec("PROP", "proportion", 100, ["sex"]),
    "RATE": IndicatorSpec("RATE", "crude_rate", 1000),
    "CNT": IndicatorSpec("CNT", "count", 1),
    "MORT": IndicatorSpec("MORT", "dsr", 100_000),
    "LE": IndicatorSpec("LE", "years", 1),
    "SMR": IndicatorSpec("SMR", "isr", 100),
}


def cells_frame(rows: list[dict]) -> pd.DataFrame:
    """Cells as ``roll_up`` returns them, with defaults for what a test does not set."""
    defaults = {
        "period_label": "2023/24", "area_code": "LA1", "sex": "Persons", "age": "All ages",
        "category_type": "", "category": "", "published": True,
    }  # fmt: skip
    frame = pd.DataFrame([defaults | row for row in rows])
    return frame.reindex(columns=CELL_COLUMNS)


def dsr_cell(events, populations, **fields) -> dict:
    """A DSR cell from per-band events and populations (NaN: band not in the age range)."""
    events, populations = np.asarray(events, float), np.asarray(populations, float)
    return {
        "indicator_code": "MORT",
        "numerator": np.nansum(events),
        "denominator": np.nansum(populations),
        **dict(zip(BAND_NUMERATOR_COLUMNS, events, strict=True)),
        **dict(zip(BAND_DENOMINATOR_COLUMNS, populations, strict=True)),
        **fields,
    }


def limits(values: pd.DataFrame, row: int = 0) -> list[float]:
    return list(values.loc[row, ["value", "lower_95", "upper_95", "lower_998", "upper_998"]])


def at_both_levels(method, *args, **kwargs) -> list[float]:
    """What ``limits`` should read: ``method``'s value and limits at 95% and 99.8%."""
    return expected(*(method(*args, confidence=c, **kwargs) for c in (0.95, 0.998)))


def expected(interval_95, interval_998) -> list[float]:
    return [
        float(interval_95.value), float(interval_95.lower), float(interval_95.upper),
        float(interval_998.lower), float(interval_998.upper),
    ]  # fmt: skip


# --- the methods ----------------------------------------------------------------------------


def test_proportions_are_wilson_intervals_on_the_summed_counts_after_a_roll_up():
    tree = AreaTree.from_records(
        [("LA1", None, "local_authority", None), ("A", "LA1", "lsoa", 2), ("B", "LA1", "lsoa", 9)]
    )
    counts = pd.DataFrame(
        {
            "source_row": [2, 3, 4, 5],
            "indicator_code": "PROP",
            "period_label": "2023/24",
            "area_code": ["A", "A", "B", "B"],
            "sex": ["Male", "Female", "Male", "Female"],
            "age_band": "All ages",
            "numerator": [12, 30, 7, 41],
            "denominator": [150, 160, 90, 200],
            "ethnic_group": "",
        }
    )[COUNTS_COLUMNS]
    cells = roll_up(counts, areas=tree, indicators=SPECS).cells

    values = compute_values(cells, indicators=SPECS)

    total = values[(values["sex"] == "Persons") & (values["category"] == "")].index[0]
    assert limits(values, total) == pytest.approx(
        at_both_levels(wilson_interval, 90, 600, multiplier=100), rel=1e-12
    )
    assert (values.loc[total, "count"], values.loc[total, "denominator"]) == (90, 600)
    male = values[values["sex"] == "Male"].index[0]
    assert values.loc[male, "value"] == pytest.approx(19 / 240 * 100)


# Reference rates per 100,000 either side of the switch (reference/rate_byars.csv): the
# package's published 5 events in 100 (exact) and 10 in 200 (Byar's, 95% only), and the
# reference set's switch-over pair, 9 and 10 events in 1,000.
RATES_EITHER_SIDE_OF_10 = {
    "rate_Area2_m100000": "Exact",
    "rate_edge_x9_n1000": "Exact",
    "rate_edge_x10_n1000": "Byars",
    "rate_grouped_Area2": "Byars",
}


def test_crude_rates_use_exact_limits_below_10_events_and_byars_from_10():
    reference = defaultdict(dict)  # case → confidence → row
    for row in reference_data.rows("rate_byars.csv"):
        case = row["case_id"].removesuffix(f"_c{row['confidence']}")
        if case in RATES_EITHER_SIDE_OF_10:
            reference[case][row["confidence"]] = row
    assert set(reference) == set(RATES_EITHER_SIDE_OF_10)
    cells = cells_frame(
        [
            {"indicator_code": "RATE", "area_code": case, "numerator": float(row["numerator"]),
             "denominator": float(row["denominator"])}
            for case, levels in reference.items()
            for row in [levels["0.95"]]
        ]
    )  # fmt: skip

    values = compute_values(
        cells, indicators={"RATE": IndicatorSpec("RATE", "crude_rate", 100_000)}
    ).set_index("area_code")

    for case, method in RATES_EITHER_SIDE_OF_10.items():
        for confidence, row in reference[case].items():
            assert row["method"] == method
            level = {"0.95": "95", "0.998": "998"}[confidence]
            computed = values.loc[case, ["value", f"lower_{level}", f"upper_{level}"]]
            expected = [float(row[column]) for column in ("value", "lowercl", "uppercl")]
            assert list(computed) == pytest.approx(expected, rel=RELATIVE), (case, confidence)


def test_counts_are_their_own_value_with_poisson_limits():
    cells = cells_frame(
        [
            {"indicator_code": "CNT", "numerator": 4, "denominator": np.nan},
            {"indicator_code": "CNT", "numerator": 250, "denominator": np.nan},
        ]
    )

    values = compute_values(cells, indicators=SPECS)

    for row, count in enumerate((4, 250)):
        assert limits(values, row) == pytest.approx(
            at_both_levels(poisson_count_interval, count), rel=1e-12
        )
    assert list(values["count"]) == [4, 250]


def test_dsrs_are_dobson_intervals_on_the_age_bands():
    events = np.arange(19) % 4
    populations = np.full(19, 500.0) + np.arange(19) * 10
    cells = cells_frame([dsr_cell(events, populations)])

    values = compute_values(cells, indicators=SPECS)

    def dobson(*args, **kwargs):
        return directly_standardised_rate(*args, **kwargs).interval

    assert limits(values) == pytest.approx(at_both_levels(dobson, events, populations), rel=1e-12)
    assert (values.loc[0, "count"], values.loc[0, "denominator"]) == (
        events.sum(),
        populations.sum(),
    )


def test_a_dsr_with_fewer_than_10_events_is_not_calculated_but_keeps_its_counts():
    events = np.zeros(19)
    events[17] = 9
    cells = cells_frame([dsr_cell(events, np.full(19, 1000.0))])

    values = compute_values(cells, indicators=SPECS)

    assert np.isnan(limits(values)).all()
    assert values.loc[0, "value_note"] == FEWER_THAN_10_EVENTS
    assert (values.loc[0, "count"], values.loc[0, "denominator"]) == (9, 19_000)


def test_a_dsr_over_part_of_the_age_range_standardises_to_those_bands():
    # Under-75 mortality: the extract gives bands 0-4 … 70-74 only.
    events = np.r_[np.arange(15) % 3 + 1, np.full(4, np.nan)]
    populations = np.r_[np.full(15, 800.0), np.full(4, np.nan)]
    cells = cells_frame([dsr_cell(events, populations)])

    values = compute_values(cells, indicators=SPECS)

    in_range = directly_standardised_rate(
        events[:15], populations[:15], standard_population=ESP2013[:15]
    )
    assert values.loc[0, "value"] == pytest.approx(float(in_range.interval.value), rel=1e-12)


def test_a_dsr_with_an_empty_age_band_is_not_calculated():
    populations = np.full(19, 1000.0)
    populations[18] = 0
    cells = cells_frame([dsr_cell(np.full(19, 2.0), populations)])

    values = compute_values(cells, indicators=SPECS)

    assert np.isnan(values.loc[0, "value"])
    assert values.loc[0, "value_note"] == NO_BAND_POPULATION


def test_a_proportion_with_no_denominator_is_not_calculated():
    cells = cells_frame([{"indicator_code": "PROP", "numerator": 0, "denominator": 0}])

    values = compute_values(cells, indicators=SPECS)

    assert np.isnan(values.loc[0, "value"])
    assert values.loc[0, "value_note"] == NO_DENOMINATOR


def test_a_proportion_above_1_is_refused_with_the_indicator_named():
    cells = cells_frame([{"indicator_code": "PROP", "numerator": 11, "denominator": 10}])

    with pytest.raises(ValueError, match="Indicator PROP: 1 cell.*numerator above"):
        compute_values(cells, indicators=SPECS)


@pytest.mark.parametrize("code", ["LE", "SMR"])
def test_value_types_that_need_more_than_counts_are_refused(code):
    cells = cells_frame([{"indicator_code": code, "numerator": 5, "denominator": 100}])

    with pytest.raises(ValueError, match=f"Indicator {code} is a"):
        compute_values(cells, indicators=SPECS)


# --- the frame ------------------------------------------------------------------------------


def test_values_frame_has_the_values_columns_then_published_row_for_row():
    cells = cells_frame(
        [
            {"indicator_code": "RATE", "numerator": 30, "denominator": 9000},
            {"indicator_code": "PROP", "numerator": 3, "denominator": 9, "published": False,
             "category_type": "IMD 2019 quintile (national)", "category": "Quintile 2"},
            dsr_cell(np.full(19, 3.0), np.full(19, 100.0)),
        ]
    )  # fmt: skip

    values = compute_values(cells, indicators=SPECS)

    assert list(values.columns) == [*VALUES_COLUMNS, "published"]
    assert list(values["indicator_code"]) == ["RATE", "PROP", "MORT"]
    assert list(values["published"]) == [True, False, True]
    assert list(values["category"]) == ["", "Quintile 2", ""]
    assert values["source_row"].isna().all()
    assert not values["suppressed"].any()
    assert list(values["value_note"]) == ["", "", ""]
    assert values.loc[0, "value"] == pytest.approx(30 / 9000 * 1000)


def test_no_cells_give_an_empty_values_frame():
    values = compute_values(cells_frame([]), indicators=SPECS)

    assert values.empty and list(values.columns) == [*VALUES_COLUMNS, "published"]
