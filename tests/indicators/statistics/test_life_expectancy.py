"""Life expectancy (Chiang II, Silcocks) against the reference vectors (docs/methods.md §8)."""

import numpy as np
import pytest

from indicators.statistics.common import StatisticsInputError
from indicators.statistics.life_expectancy import START_AGES, life_expectancy
from tests import reference_data
from tests.reference_data import LIFE_EXPECTANCY_RELATIVE, assert_matches


def life_tables() -> dict[tuple[str, str], list[dict[str, str]]]:
    """The reference rows grouped into one 20-band life table per case and level."""
    tables = {}
    for row in reference_data.rows("life_expectancy.csv"):
        tables.setdefault((row["case_id"], row["confidence"]), []).append(row)
    return tables


def inputs(table: list[dict[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    deaths = np.array([float(row["deaths"]) for row in table])
    populations = np.array([float(row["pops"]) for row in table])
    return deaths, populations


def test_life_expectancy_matches_reference(subtests):
    for (case, confidence), table in life_tables().items():
        assert [float(row["startage"]) for row in table] == list(START_AGES)
        result = life_expectancy(*inputs(table), confidence=float(confidence))
        assert not result.not_calculated
        for band, row in enumerate(table):
            with subtests.test(f"{case}@{confidence}-age{row['startage']}"):
                for part in ("value", "lower", "upper"):
                    column = part if part == "value" else f"{part}cl"
                    actual = getattr(result.interval, part)[band]
                    assert_matches(actual, row[column], column, relative=LIFE_EXPECTANCY_RELATIVE)
                assert bool(result.value_suppressed[band]) == (row["value"] == "")


def test_areas_are_computed_side_by_side():
    first = inputs(life_tables()["le_df1", "0.95"])
    second = inputs(life_tables()["le_widecis_area2", "0.95"])
    deaths = np.stack([first[0], second[0]])
    populations = np.stack([first[1], second[1]])
    together = life_expectancy(deaths, populations, confidence=0.998)
    for area, (area_deaths, area_populations) in enumerate([first, second]):
        alone = life_expectancy(area_deaths, area_populations, confidence=0.998)
        for part_together, part_alone in zip(together.interval, alone.interval, strict=True):
            np.testing.assert_array_equal(part_together[area], part_alone)
    assert together.interval.value.shape == (2, 20)
    assert list(together.not_calculated) == [False, False]


def test_a_wide_interval_hides_the_value_but_keeps_the_limits():
    table = life_tables()["le_widecis_area2", "0.95"]
    result = life_expectancy(*inputs(table))
    hidden = result.value_suppressed
    assert list(hidden) == [row["value"] == "" for row in table]
    assert hidden.sum() == 11  # ages 40 to 90
    assert np.isnan(result.interval.value[hidden]).all()
    assert np.isfinite(result.interval.lower[hidden]).all()


@pytest.mark.parametrize(
    ("band", "deaths", "population"),
    [
        (19, 400.0, 311.0),  # deaths > population (upstream's widecis "Area 1")
        (3, -1.0, 248.0),
        (5, 15.0, 0.0),
        (7, np.nan, 257.0),
        (19, 0.0, 311.0),  # no deaths in the open-ended band: no finite life table
    ],
    ids=["deaths above population", "negative deaths", "no population", "missing", "no deaths 90+"],
)
def test_an_unusable_band_blanks_that_area_only(band, deaths, population):
    good_deaths, good_populations = inputs(life_tables()["le_df1", "0.95"])
    bad_deaths, bad_populations = good_deaths.copy(), good_populations.copy()
    bad_deaths[band], bad_populations[band] = deaths, population
    result = life_expectancy(
        np.stack([good_deaths, bad_deaths]), np.stack([good_populations, bad_populations])
    )
    assert list(result.not_calculated) == [False, True]
    assert np.isnan(np.array(result.interval)[:, 1]).all()
    assert np.isfinite(np.array(result.interval)[:, 0]).all()
    assert not result.value_suppressed[1].any()


def test_5000_people_or_fewer_is_not_calculated():
    deaths = np.full(20, 5.0)
    assert life_expectancy(deaths, np.full(20, 250.0)).not_calculated  # exactly 5,000
    assert not life_expectancy(deaths, np.full(20, 251.0)).not_calculated


def test_no_survivors_left_gives_zero_expectancy_as_upstream():
    deaths, populations = np.full(20, 10.0), np.full(20, 1000.0)
    deaths[10] = 900.0  # q = 1 in band 45-49: nobody reaches 50
    result = life_expectancy(deaths, populations)
    assert (result.interval.value[11:] == 0).all()
    assert result.interval.value[10] == pytest.approx(2.5)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: life_expectancy(np.ones(19), np.ones(19)), "need 20 age bands"),
        (lambda: life_expectancy(np.ones(20), np.ones(20), confidence=1.2), "confidence"),
        (lambda: life_expectancy(["a"] * 20, np.ones(20)), "deaths must be numeric"),
    ],
)
def test_invalid_input_is_refused(call, message):
    with pytest.raises(StatisticsInputError, match=message):
        call()
