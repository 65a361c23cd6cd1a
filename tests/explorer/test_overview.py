"""The explorer's overview ("tartan rug"): indicators down the side, areas across the top,
each cell the value marked better, similar or worse than England by shape, word and colour;
the filters in the URL, disclosure as everywhere, and a CSV of exactly the cells shown."""

import csv
import io
import re

import pytest

from explorer import overview
from indicators.models import Area, AreaLink, AreaType, ComparatorGroup, ComparatorGroupMember

pytestmark = pytest.mark.usefixtures("explorer_data")


def row_codes(html: str) -> list[str]:
    return re.findall(
        r'<th scope="row" class="overview-grid__indicator"><a [^>]*indicator=(\w+)', html
    )


def column_names(html: str) -> list[str]:
    return re.findall(r'class="overview-grid__area-name" href="[^"]*"[^>]*>([^<]+)</a>', html)


def cells(html: str) -> list[str]:
    """Each area cell's words: value, shape and comparison."""
    found = re.findall(r'<td class="overview-cell overview-cell--([\w-]+)">(.*?)</td>', html)
    return [f"{kind}: {re.sub(r'<[^>]+>', ' ', body).split()}" for kind, body in found]


def test_with_nothing_chosen_the_columns_are_the_headline_areas_own(viewer_client):
    response = viewer_client.get("/explore/overview/")
    assert response.status_code == 302
    assert response["Location"] == "/explore/overview/?area_type=local_authority&parent=E54000039"


def test_each_cell_is_the_latest_value_marked_by_shape_word_and_colour(viewer_client):
    page = viewer_client.get("/explore/overview/?area_type=icb").text
    assert row_codes(page) == ["PRV01", "LTC03"]  # domains in order; the draft is hidden
    assert column_names(page)[0] == "BNSSG ICB" and len(column_names(page)) == 4
    assert "PRV01, 2020/21, %" in page  # each row says its period
    shown = cells(page)
    assert "benchmark: ['60.0']" in shown  # England's value
    # BNSSG's 2020/21 screening value is 52.0, lower than England's 60: worse (higher is better).
    assert "worse: ['52.0', '▼', 'Worse']" in shown
    assert "better: ['52.0', '▲', 'Better']" in shown  # smoking: lower is better
    assert 'aria-hidden="true">▼</span> Worse' in page  # the shape is decoration; the word is read


def test_analysts_see_unpublished_indicators_too(client, analyst):
    client.force_login(analyst)
    assert "INT09" in row_codes(client.get("/explore/overview/?area_type=icb").text)


def test_the_domain_filter_keeps_its_indicators(viewer_client):
    page = viewer_client.get("/explore/overview/?area_type=icb&domain=INT").text
    assert row_codes(page) == ["LTC03"]


def test_a_comparator_groups_members_are_the_columns_in_group_order(viewer_client, explorer_data):
    group = ComparatorGroup.objects.create(code="PAIR", name="A pair", kind="custom")
    for position, area in enumerate([explorer_data["icbs"][2], explorer_data["icbs"][0]]):
        ComparatorGroupMember.objects.create(group=group, area=area, position=position)
    page = viewer_client.get("/explore/overview/?group=PAIR").text
    assert column_names(page) == [explorer_data["icbs"][2].name, "BNSSG ICB"]


def test_suppressed_values_say_so_and_show_no_number(viewer_client):
    page = viewer_client.get(
        "/explore/overview/?area_type=local_authority&parent=E54000039&domain=INT"
    ).text
    assert column_names(page) == ["Bristol, City of"]
    assert "not-compared: ['Suppressed', 'Not', 'compared']" in cells(page)


def test_areas_linked_into_the_headline_area_from_another_hierarchy_are_within_it(
    viewer_client, geography
):
    types = {t.code: t for t in AreaType.objects.all()}
    north_somerset = Area.objects.create(
        code="E06000024", name="North Somerset", area_type=types["local_authority"],
        parent=geography["region"],
    )  # fmt: skip
    AreaLink.objects.create(area=north_somerset, parent=geography["icb"])
    page = viewer_client.get("/explore/overview/?area_type=local_authority&parent=E54000039").text
    assert '<option value="E54000039" selected>BNSSG ICB</option>' in page
    assert column_names(page) == ["Bristol, City of", "North Somerset"]


def test_too_many_areas_ask_for_a_narrower_choice(viewer_client, monkeypatch):
    monkeypatch.setattr(overview, "MAX_AREAS", 3)
    page = viewer_client.get("/explore/overview/?area_type=icb").text
    assert "There are 4 integrated care board areas: too many to compare at once" in page
    assert "overview-grid" not in page


def test_the_grid_is_a_table_people_and_keyboards_can_read(viewer_client):
    page = viewer_client.get("/explore/overview/?area_type=icb").text
    assert (
        '<div class="overview-scroll" role="region" aria-labelledby="overview-caption" tabindex="0">'
        in page
    )
    assert '<caption id="overview-caption"' in page
    assert page.count('<th scope="col" class="overview-grid__area">') == 4
    assert '<th scope="rowgroup" colspan="2"' in page  # domains head their rows
    assert "overview.css" in page  # the sticky headers


def test_htmx_swaps_the_results_and_the_tabs_lead_to_the_overview(viewer_client):
    partial = viewer_client.get("/explore/overview/?area_type=icb", headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<nav class="explorer-tabs"')
    assert partial["HX-Push-Url"] == "/explore/overview/?area_type=icb"
    compare = viewer_client.get("/explore/compare/?indicator=LTC03&area_type=icb").text
    assert 'href="/explore/overview/?area_type=icb"' in compare


def test_a_filter_that_names_nothing_is_a_400(viewer_client):
    response = viewer_client.get("/explore/overview/?area_type=icb&group=NOPE")
    assert response.status_code == 400
    assert "is not one of the compare with choices" in response.text
    assert row_codes(response.text) == ["PRV01", "LTC03"]


def test_the_csv_is_exactly_the_cells_shown_and_englands_values(viewer_client, explorer_data):
    response = viewer_client.get("/explore/overview/download.csv?area_type=icb")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["Indicator ID"] for row in rows} == {"PRV01", "LTC03"}
    assert {row["Time period"] for row in rows} == {"2020/21"}
    assert {row["Area Code"] for row in rows} == {area.code for area in explorer_data["icbs"]} | {
        "E92000001"
    }
    assert len(rows) == 2 * 5


def test_the_page_reads_a_fixed_number_of_queries(viewer_client, django_assert_max_num_queries):
    viewer_client.get("/explore/overview/?area_type=icb")
    with django_assert_max_num_queries(20):
        viewer_client.get("/explore/overview/?area_type=icb")
