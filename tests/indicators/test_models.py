"""Structural rules are database constraints: no code path can store what pages would misread."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from indicators.models import (
    Area,
    AreaDeprivation,
    AreaType,
    Extract,
    Indicator,
    Observation,
    Period,
    Target,
)


@pytest.fixture
def period(db):
    return Period.objects.create(
        kind="financial_year", start=date(2023, 4, 1), end=date(2024, 3, 31), label="2023/24",
        sort_key="2023040120240331",
    )  # fmt: skip


def observation(framework, geography, period, **values):
    fields = {
        "indicator": framework["smoking"], "area": geography["bristol"], "period": period,
        "value": 12.0, "lower_95": 11.0, "upper_95": 13.0,
    } | values  # fmt: skip
    return Observation.objects.create(**fields)


def refused(**kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        observation(**kwargs)


def test_observation_key_is_unique(framework, geography, period):
    observation(framework, geography, period)
    refused(framework=framework, geography=geography, period=period)


def test_same_key_with_a_breakdown_is_a_different_observation(framework, geography, period):
    observation(framework, geography, period)
    observation(
        framework, geography, period, category_type="IMD 2019 quintile (national)",
        category="Quintile 1 (most deprived)",
    )  # fmt: skip
    assert Observation.objects.count() == 2


@pytest.mark.parametrize(
    "values",
    [
        {"lower_95": 14.0, "upper_95": 13.0},
        {"lower_998": 15.0, "upper_998": 10.0},
        {"count": -1},
        {"denominator": -5},
        {"sex": "Unknown"},
        {"category_type": "IMD 2019 quintile (national)", "category": ""},
    ],
    ids=["95-limits-reversed", "998-limits-reversed", "negative-count", "negative-denominator",
         "unknown-sex", "category-type-without-category"],
)  # fmt: skip
def test_observation_constraints(framework, geography, period, values):
    refused(framework=framework, geography=geography, period=period, **values)


def test_missing_limits_are_allowed(framework, geography, period):
    observation(
        framework, geography, period, value=None, lower_95=None, upper_95=None, suppressed=True
    )


def test_indicator_choices_are_enforced_by_the_database(framework):
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(code="PRV01").update(polarity="sideways")
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(code="PRV01").update(value_type="vibes")
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(code="PRV01").update(multiplier=0)


def test_proxy_indicator_must_say_why(framework):
    indicator = framework["smoking"]
    indicator.is_proxy = True
    with pytest.raises(ValidationError, match="proxy"):
        indicator.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        indicator.save()


def test_imd_decile_must_be_1_to_10(geography):
    ranked = AreaDeprivation.objects.get(area=geography["lsoas"][0])
    with pytest.raises(IntegrityError), transaction.atomic():
        AreaDeprivation.objects.filter(pk=ranked.pk).update(decile=11)
    assert ranked.quintile == 2  # decile 4 → quintile 2


def test_area_cannot_be_its_own_ancestor(geography):
    england = geography["england"]
    england.parent = geography["lsoas"][0]
    with pytest.raises(ValidationError, match="its own ancestor"):
        england.full_clean()


def test_area_cannot_be_its_own_parent(geography):
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.filter(pk=geography["england"].pk).update(parent=geography["england"])


def test_period_must_not_end_before_it_starts(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Period.objects.create(
            kind="month", start=date(2024, 3, 1), end=date(2024, 2, 1), label="x", sort_key="x"
        )


def test_target_is_a_value_or_an_ordered_range(framework, geography, period):
    common = {"indicator": framework["smoking"], "area": geography["bristol"], "target_period": period,
              "source": "local_plan"}  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(value=5, range_lower=4, range_upper=6, **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(range_lower=6, range_upper=4, **common)
    target = Target(
        range_lower=4, range_upper=6, trajectory=[{"period": "2024/25", "value": 5}], **common
    )
    target.full_clean()
    target.trajectory = [{"when": "soon"}]
    with pytest.raises(ValidationError, match="Trajectory"):
        target.full_clean()


def test_extract_progress_is_a_percentage(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Extract.objects.create(
            kind="counts", original_name="a.csv", checksum="0" * 64, progress=101
        )


def test_area_types_exist_from_the_migration(db):
    codes = set(AreaType.objects.values_list("code", flat=True))
    assert {"england", "region", "icb", "sub_icb", "local_authority", "locality", "lsoa"} <= codes
    assert "Illustrative" in AreaType.objects.get(code="locality").note
