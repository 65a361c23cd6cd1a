import pytest
from django.http import QueryDict

from explorer.forms import ExplorerFilterForm

pytestmark = pytest.mark.django_db


def form(user, query="", page="compare", changed=""):
    return ExplorerFilterForm(QueryDict(query), user=user, page=page, changed=changed)


def test_defaults_pick_the_first_indicator_the_icb_type_and_bnssg(viewer, explorer_data):
    selection = form(viewer, "indicator=LTC03").selection
    assert selection.indicator.code == "LTC03"
    assert selection.area_type.code == "icb"
    assert selection.area.code == "E54000039"
    assert selection.period.label == "2020/21"  # the latest with data
    assert (selection.sex, selection.age) == ("Persons", "All ages")


def test_every_filter_is_read_from_the_query_string(viewer, explorer_data):
    query = (
        "domain=INT&indicator=LTC03&area_type=icb&parent=E40000006&area=E54000039"
        "&period=2019/20&sex=Female&age=All+ages"
    )
    bound = form(viewer, query)
    assert bound.is_valid(), bound.errors
    selection = bound.selection
    assert selection.domain.code == "INT"
    assert selection.parent.code == "E40000006"
    assert selection.period.label == "2019/20"
    assert selection.sex == "Female"
    assert bound.data["period"] == "2019/20"


def test_inequality_breakdown_and_map_colour(viewer, explorer_data):
    selection = form(viewer, "indicator=LTC03&breakdown=sex", page="inequalities").selection
    assert selection.breakdown == "sex"
    assert (
        form(viewer, "indicator=LTC03", page="inequalities").selection.breakdown == "imd_quintile"
    )
    assert (
        form(viewer, "indicator=LTC03&colour=quintile", page="map").selection.colour == "quintile"
    )


@pytest.mark.parametrize(
    "query, field",
    [
        ("indicator=NOPE", "indicator"),
        ("indicator=INT09", "indicator"),  # a draft, invisible to viewers
        ("indicator=LTC03&area_type=galaxy", "area_type"),
        ("indicator=LTC03&area=E99999999", "area"),
        ("indicator=LTC03&parent=E99999999", "parent"),
        ("indicator=LTC03&period=1066", "period"),
        ("indicator=LTC03&sex=Other", "sex"),
        ("indicator=LTC03&age=200+yrs", "age"),
        ("domain=ZZZ", "domain"),
    ],
)
def test_unknown_values_are_errors_with_a_message_and_fall_back_to_defaults(
    viewer, explorer_data, query, field
):
    bound = form(viewer, query)
    assert not bound.is_valid()
    assert field in bound.errors
    assert any("default" in problem for problem in bound.problems())
    assert bound.selection.indicator is not None


def test_invalid_breakdown_and_colour(viewer, explorer_data):
    assert "breakdown" in form(viewer, "breakdown=shoe", page="inequalities").errors
    assert "colour" in form(viewer, "colour=plaid", page="map").errors


def test_analysts_may_choose_drafts(analyst, explorer_data):
    assert form(analyst, "indicator=INT09").selection.indicator.code == "INT09"


def test_a_known_period_without_data_is_kept_so_the_page_can_explain(viewer, explorer_data):
    bound = form(viewer, "indicator=LTC03&period=2029/30")
    assert bound.is_valid()
    assert bound.selection.period.label == "2029/30"


def test_an_indicator_from_another_domain_gives_way_to_the_domains_first(viewer, explorer_data):
    bound = form(viewer, "domain=OVR&indicator=LTC03")
    assert bound.is_valid()
    assert bound.selection.indicator.domain.code == "OVR"


def test_changing_a_filter_resets_the_ones_that_depend_on_it(viewer, explorer_data):
    query = "indicator=LTC03&area_type=icb&area=E54000100&period=2018/19"
    assert form(viewer, query, changed="indicator").selection.period.label == "2020/21"
    assert form(viewer, query, changed="area_type").selection.area.code == "E54000039"
    assert form(viewer, query, changed="sex").selection.period.label == "2018/19"


def test_query_keeps_the_page_fields_only(viewer, explorer_data):
    selection = form(viewer, "indicator=LTC03&breakdown=sex").selection
    assert "breakdown" not in selection.params()
    assert "period=2020%2F21" in selection.query()
    assert "period" not in selection.query(page="trends")
