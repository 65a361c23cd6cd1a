import pytest

from explorer import tables
from explorer.forms import ExplorerFilterForm
from indicators.models import Indicator

pytestmark = pytest.mark.django_db


def selection(user, page, **params):
    return ExplorerFilterForm({"indicator": "LTC03", **params}, user=user, page=page).selection


def test_compare_rows_rank_the_best_first_and_list_england_and_the_parent(viewer, explorer_data):
    table = tables.compare_table(
        selection(viewer, "compare", area="E54000039"), sort="name", descending=False
    )

    assert [(row.name, row.rank) for row in table.rows] == [
        ("BNSSG ICB", 4), ("NHS Test 0 Integrated Care Board", 3),
        ("NHS Test 1 Integrated Care Board", 2), ("NHS Test 2 Integrated Care Board", 1),
    ]  # fmt: skip
    assert [(row.name, row.role) for row in table.comparator_rows] == [
        ("England", "England"), ("South West", "parent area")
    ]  # fmt: skip
    key, title, query = table.sort_columns[0]
    assert (key, title) == ("rank", "Rank") and query.endswith("&sort=rank")


def test_rows_read_by_key_as_the_chart_functions_read_them(viewer, explorer_data):
    row = tables.compare_table(selection(viewer, "compare"), sort=None, descending=False).rows[0]

    assert row["value"] == row.value and row["rank"] == 1
    with pytest.raises(KeyError):
        row["nothing"]


def test_a_table_of_suppressed_values_raises_no_data_and_keeps_its_rows(viewer, explorer_data):
    with pytest.raises(tables.NoData) as raised:
        tables.compare_table(
            selection(viewer, "compare", area_type="local_authority"), sort=None, descending=False
        )

    assert raised.value.message.startswith("Every value here was suppressed")
    assert [row.name for row in raised.value.table.rows] == ["Bristol, City of"]


def test_a_period_without_data_raises_no_data_naming_the_nearest(viewer, explorer_data):
    with pytest.raises(tables.NoData) as raised:
        tables.map_table(selection(viewer, "map", period="2029/30"))

    assert "has not been published yet" in raised.value.message
    assert raised.value.link_text == "Show 2020/21"
    assert "period=2020%2F21" in raised.value.query


def test_deprivation_groups_mark_core20_and_compare_with_the_areas_value(viewer, explorer_data):
    table = tables.inequality_table(selection(viewer, "inequalities", breakdown="imd_quintile"))

    assert [(row.category, row.core20) for row in table.rows] == [
        ("Quintile 1 (most deprived)", True), ("Quintile 2", False), ("Quintile 3", False),
        ("Quintile 4", False), ("Quintile 5 (least deprived)", False),
    ]  # fmt: skip
    # BNSSG's own value is 52.0: quintiles at 40 to 60, each ±2, higher is better.
    assert table.headline.value == 52.0
    assert [row.label for row in table.rows] == ["Worse", "Worse", "Similar", "Better", "Better"]


def test_a_sex_breakdown_lists_male_female_then_persons(viewer, explorer_data):
    table = tables.inequality_table(selection(viewer, "inequalities", breakdown="sex"))

    assert [row.category for row in table.rows] == ["Persons"]
    assert not any(row.core20 for row in table.rows)


def test_trends_put_the_chosen_areas_first_and_england_last(viewer, explorer_data):
    table = tables.trend_table(selection(viewer, "trends", area="E54000039"))

    assert [line.name for line in table.series] == ["BNSSG ICB", "South West", "England"]
    assert table.periods == ["2018/19", "2019/20", "2020/21"]


@pytest.mark.parametrize("page", ["compare", "inequalities", "trends", "map", "funnel"])
def test_a_user_who_can_see_no_indicator_is_told_so(viewer, explorer_data, page):
    Indicator.objects.update(status="draft")
    builders = {
        "compare": lambda chosen: tables.compare_table(chosen, sort=None, descending=False),
        "inequalities": tables.inequality_table,
        "trends": tables.trend_table,
        "map": tables.map_table,
        "funnel": tables.funnel_table,
    }

    with pytest.raises(tables.NoData) as raised:
        builders[page](selection(viewer, page))

    assert raised.value.message == "There are no indicators you can see in this domain yet."


def test_the_funnel_places_no_area_without_data_but_lists_those_it_leaves_out(
    viewer, explorer_data
):
    with pytest.raises(tables.NoData) as raised:
        tables.funnel_table(selection(viewer, "funnel", area_type="local_authority"))

    assert raised.value.table.rows == []
    assert raised.value.table.left_out == [("suppressed", ["Bristol, City of"])]
