"""Ranks among the default comparator group (indicators.selectors.default_group_ranks), on
hand-built data: polarity, ties, the latest period, and disclosure control."""

import pytest

from indicators.models import (
    Area,
    AreaType,
    ComparatorGroup,
    ComparatorGroupMember,
    Observation,
    Period,
)
from indicators.selectors import default_group_ranks

pytestmark = pytest.mark.django_db


def scenario(framework, *, default=True):
    """Four ICBs in a default group; two periods; 'earlier' and 'latest' values per ICB."""
    types = {t.code: t for t in AreaType.objects.all()}
    icbs = [
        Area.objects.create(code=f"E5400090{n}", name=f"ICB {n}", area_type=types["icb"])
        for n in range(4)
    ]
    group = ComparatorGroup.objects.create(
        code="PEERS", name="Peer ICBs", kind="custom", is_default=default
    )
    for position, icb in enumerate(icbs, start=1):
        ComparatorGroupMember.objects.create(group=group, area=icb, position=position)
    periods = [
        Period.objects.create(kind="calendar_year", start=f"{year}-01-01", end=f"{year}-12-31",
                              label=str(year), sort_key=f"{year}0101")
        for year in (2022, 2023)
    ]  # fmt: skip
    return icbs, periods


def observe(indicator, area, period, value, *, count=None, denominator=None, suppressed=False):
    Observation.objects.create(
        indicator=indicator, area=area, period=period, value=value, count=count,
        denominator=denominator, suppressed=suppressed,
    )  # fmt: skip


def test_rank_follows_polarity(framework):
    icbs, (_, latest) = scenario(framework)
    # The same areas in another, non-default group change nothing.
    other = ComparatorGroup.objects.create(code="OTHER", name="Other", kind="custom")
    for position, icb in enumerate(reversed(icbs), start=1):
        ComparatorGroupMember.objects.create(group=other, area=icb, position=position)
    for indicator in (framework["screening"], framework["smoking"]):  # higher / lower better
        for icb, value in zip(icbs, [50.0, 60.0, 55.0, None], strict=True):
            observe(indicator, icb, latest, value)

    ranks = default_group_ranks(
        indicators=[framework["screening"], framework["smoking"]], area=icbs[0], protect=False
    )

    screening, smoking = ranks[framework["screening"].pk], ranks[framework["smoking"].pk]
    assert (screening.rank, screening.ranked) == (3, 3)  # the missing value is not ranked
    assert (smoking.rank, smoking.ranked) == (1, 3)
    assert screening.label == "3rd of 3 in Peer ICBs (Custom)"
    assert smoking.label == "1st of 3 in Peer ICBs (Custom)"


def test_rank_is_in_the_period_of_the_areas_latest_value(framework):
    icbs, (earlier, latest) = scenario(framework)
    screening = framework["screening"]
    for icb, value in zip(icbs, [70.0, 60.0, 50.0, 40.0], strict=True):
        observe(screening, icb, earlier, value)
    for icb, value in zip(icbs[1:], [90.0, 80.0, 85.0], strict=True):
        observe(screening, icb, latest, value)  # the headline area has no 2023 value

    rank = default_group_ranks(indicators=[screening], area=icbs[0], protect=False)[screening.pk]

    assert (rank.period, rank.rank, rank.ranked) == ("2022", 1, 4)


def test_ties_share_the_better_rank(framework):
    icbs, (_, latest) = scenario(framework)
    screening = framework["screening"]
    for icb, value in zip(icbs, [60.0, 70.0, 60.0, 50.0], strict=True):
        observe(screening, icb, latest, value)

    ranks = {
        icb.code: default_group_ranks(indicators=[screening], area=icb, protect=False)[
            screening.pk
        ].rank
        for icb in icbs
    }

    assert ranks == {"E54000900": 2, "E54000901": 1, "E54000902": 2, "E54000903": 4}


def test_a_suppressed_headline_value_is_not_ranked(framework):
    icbs, (_, latest) = scenario(framework)
    screening = framework["screening"]
    observe(screening, icbs[0], latest, None, suppressed=True)
    for icb, value in zip(icbs[1:], [60.0, 55.0, 50.0], strict=True):
        observe(screening, icb, latest, value)

    rank = default_group_ranks(indicators=[screening], area=icbs[0])[screening.pk]

    assert (rank.rank, rank.ranked) == (None, 3)
    assert rank.label == "Not ranked in Peer ICBs (Custom): no value to rank for 2023"


def test_a_viewer_ranks_only_what_disclosure_control_shows(framework):
    # ICB 1 has 5 events of 100: a protected viewer cannot see it, so cannot rank it;
    # an analyst sees it (and it is the best).
    icbs, (_, latest) = scenario(framework)
    screening = framework["screening"]
    observe(screening, icbs[0], latest, 50.0, count=500, denominator=1000)
    observe(screening, icbs[1], latest, 5.0 * 20, count=5, denominator=5)
    observe(screening, icbs[2], latest, 40.0, count=400, denominator=1000)

    viewer = default_group_ranks(indicators=[screening], area=icbs[0], protect=True)
    analyst = default_group_ranks(indicators=[screening], area=icbs[0], protect=False)

    assert (viewer[screening.pk].rank, viewer[screening.pk].ranked) == (1, 2)
    assert (analyst[screening.pk].rank, analyst[screening.pk].ranked) == (2, 3)


def test_no_default_group_or_an_area_outside_it_gives_no_ranks(framework):
    icbs, (_, latest) = scenario(framework, default=False)
    screening = framework["screening"]
    observe(screening, icbs[0], latest, 50.0)
    assert default_group_ranks(indicators=[screening], area=icbs[0]) == {}

    ComparatorGroup.objects.update(is_default=True)
    outsider = Area.objects.create(code="E54000999", name="Outsider", area_type=icbs[0].area_type)
    assert default_group_ranks(indicators=[screening], area=outsider) == {}


def test_one_query_for_any_number_of_indicators(framework, django_assert_num_queries):
    icbs, (earlier, latest) = scenario(framework)
    indicators = [framework["screening"], framework["smoking"], framework["mortality"]]
    for indicator in indicators:
        for period in (earlier, latest):
            for number, icb in enumerate(icbs):
                observe(indicator, icb, period, 40.0 + number)

    with django_assert_num_queries(1):
        ranks = default_group_ranks(indicators=indicators, area=icbs[0])

    assert len(ranks) == 3
