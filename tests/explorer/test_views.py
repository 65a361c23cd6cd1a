import csv
import io

import pytest
from django.urls import reverse

from explorer.tables import FUNNEL_CSV_COLUMNS
from indicators.exports import EXPORT_HEADER
from indicators.models import (
    Area,
    AreaAlias,
    ComparatorGroup,
    ComparatorGroupMember,
    Observation,
    Period,
)
from indicators.statistics.intervals import wilson_interval
from tests.explorer_scenario import build

pytestmark = pytest.mark.django_db
PAGES = ["compare", "summary", "inequalities", "trends", "map", "funnel"]
QUERY = {"indicator": "LTC03"}


def comparator_group(code="PEERS", members=("E54000039", "E54000102"), **fields):
    group = ComparatorGroup.objects.create(
        code=code, name=fields.pop("name", "Peer ICBs"), kind=fields.pop("kind", "custom"),
        method_note=fields.pop("method_note", "Chosen by the board for this test."),
    )  # fmt: skip
    for position, area_code in enumerate(members, start=1):
        ComparatorGroupMember.objects.create(
            group=group, area=Area.objects.get(code=area_code), position=position
        )
    return group


def url(page, **params):
    from urllib.parse import urlencode

    return f"{reverse(f'explorer:{page}')}?{urlencode(params)}"


@pytest.mark.parametrize("page", PAGES)
def test_full_page_and_htmx_partial(viewer_client, explorer_data, page):
    full = viewer_client.get(url(page, **QUERY))
    assert full.status_code == 200
    html = full.content.decode()
    assert "<html" in html and 'id="explorer-panel"' in html and "<form" in html
    partial = viewer_client.get(url(page, **QUERY), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    fragment = partial.content.decode()
    assert "<html" not in fragment and "nhsuk-header" not in fragment
    assert "<form" in fragment and 'id="explorer-panel"' not in fragment
    assert fragment.strip() in html.replace("\r", "")  # the same partial, from the same context


@pytest.mark.parametrize("page", PAGES)
def test_each_view_runs_a_small_fixed_number_of_queries(
    viewer, client, framework, geography, django_assert_max_num_queries, page
):
    build(framework, geography, icbs_per_region=2, years=2)
    client.force_login(viewer)
    # Built, not served from the page cache: 15 reads and the data version keying it.
    with django_assert_max_num_queries(16):
        assert client.get(url(page, **QUERY)).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_query_count_does_not_grow_with_areas_and_periods(
    viewer, client, framework, geography, django_assert_max_num_queries, page
):
    build(framework, geography, icbs_per_region=20, years=8)
    client.force_login(viewer)
    with django_assert_max_num_queries(16):  # with the data version (page cache)
        assert client.get(url(page, **QUERY, parent="E40000006")).status_code == 200


@pytest.mark.parametrize("page", ["compare", "summary", "trends", "map", "funnel"])
def test_a_group_keeps_the_query_count_fixed(
    viewer, client, framework, geography, django_assert_max_num_queries, page
):
    build(framework, geography, icbs_per_region=20, years=8)
    comparator_group(members=["E54000039"] + [f"E5400{n + 100:04d}" for n in range(20)])
    client.force_login(viewer)
    # The map reads the aliases of the areas its boundary file lacks, in one more query; each
    # page reads the data version that keys the page cache.
    with django_assert_max_num_queries(17 if page == "map" else 16):
        assert client.get(url(page, **QUERY, group="PEERS")).status_code == 200


def test_compare_table_ranks_and_shows_limits_counts_and_notes(viewer_client, explorer_data):
    response = viewer_client.get(url("compare", **QUERY))
    rows = response.context["rows"]
    assert [row["rank"] for row in rows] == [1, 2, 3, 4]
    # A viewer sees limits worked out from the counts as rounded (610 of 1000 here).
    assert rows[0]["value"] == 61.0
    assert rows[0]["lower"] == pytest.approx(wilson_interval(610, 1000, multiplier=100).lower)
    html = response.content.decode()
    assert "[1]" in html and "Provisional" in html  # the value-note marker and its footnote
    assert "Worse" in html and "Better" in html  # words, not colour alone
    assert "<caption" in html and 'scope="col"' in html


def test_compare_table_sorts_from_the_query_string(viewer_client, explorer_data):
    rows = viewer_client.get(url("compare", **QUERY, sort="value", dir="desc")).context["rows"]
    assert [r["value"] for r in rows] == sorted((r["value"] for r in rows), reverse=True)
    names = [
        r["name"] for r in viewer_client.get(url("compare", **QUERY, sort="name")).context["rows"]
    ]
    assert names == sorted(names, key=str.lower)


def test_invalid_filters_give_a_message_not_a_500(viewer_client, explorer_data):
    response = viewer_client.get(url("compare", indicator="NOPE", period="zzz", sex="Other"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Some filters were not recognised" in html and "NOPE" in html
    assert viewer_client.get(url("compare", sort="bogus", **QUERY)).status_code == 200


def test_drafts_are_hidden_from_viewers_but_not_analysts(client, viewer, analyst, explorer_data):
    client.force_login(viewer)
    html = client.get(url("compare")).content.decode()
    assert "INT09" not in html
    assert client.get(url("compare", indicator="INT09")).status_code == 400
    client.force_login(analyst)
    response = client.get(url("compare", indicator="INT09"))
    assert response.status_code == 200 and "Draft" in response.content.decode()


def test_no_data_at_the_area_type_explains_and_links_to_the_nearest(viewer_client, explorer_data):
    html = viewer_client.get(url("compare", area_type="lsoa", **QUERY)).content.decode()
    assert "is not published for LSOA" in html
    assert "area_type=local_authority" in html  # the nearest level with data


def test_a_period_not_yet_published_explains_and_links_to_the_latest(viewer_client, explorer_data):
    response = viewer_client.get(url("compare", period="2029/30", **QUERY))
    html = response.content.decode()
    assert "has not been published yet" in html
    assert "period=2020%2F21" in html


def test_suppressed_values_are_explained(viewer_client, explorer_data):
    response = viewer_client.get(url("compare", area_type="local_authority", **QUERY))
    html = response.content.decode()
    assert "suppressed" in html.lower() and "fewer than 8 events" in html


def test_area_summary_rows_show_period_value_england_spread_and_trend(viewer_client, explorer_data):
    response = viewer_client.get(url("summary", area_type="icb", area="E54000039"))
    rows = {row.indicator.code: row for row in response.context["rows"]}
    screening = rows["LTC03"]
    assert screening.observation.period.label == "2020/21"
    assert screening.england == 60.0
    assert (screening.minimum, screening.maximum) == (52.0, 61.0)
    assert screening.trend == "Increasing and getting better"
    assert "INT09" not in rows  # draft


def test_area_summary_takes_the_latest_period_of_the_indicators_own_age(
    viewer_client, explorer_data, framework, geography
):
    # A later value for another age band is not the headline; the default age's latest is.
    later = Period.objects.get(label="2029/30")
    Observation.objects.create(
        indicator=framework["screening"], area=geography["icb"], period=later, age="65+",
        value=99.0,
    )  # fmt: skip
    response = viewer_client.get(url("summary", area_type="icb", area="E54000039"))
    screening = {row.indicator.code: row for row in response.context["rows"]}["LTC03"]
    assert (screening.observation.period.label, screening.observation.age) == (
        "2020/21",
        "All ages",
    )


def test_inequalities_page_marks_core20_and_shows_sii(viewer_client, explorer_data):
    response = viewer_client.get(url("inequalities", **QUERY))
    html = response.content.decode()
    assert "Core20" in html and "Quintile 1 (most deprived)" in html
    assert "20.00 (15.00 to 25.00)" in html  # SII with limits
    assert len(response.context["summary_rows"]) == 3  # the gap over time


def test_trends_show_the_chosen_areas_and_england(viewer_client, explorer_data):
    response = viewer_client.get(url("trends", parent="E40000006", **QUERY))
    names = [line["name"] for line in response.context["series"]]
    assert names[-1] == "England" and "BNSSG ICB" in names and "South West" in names
    assert response.context["periods"] == ["2018/19", "2019/20", "2020/21"]


def test_map_uses_local_boundaries(viewer_client, explorer_data):
    response = viewer_client.get(url("map", area_type="region", **QUERY))
    figure = response.context["figure"]
    assert figure["data"][0]["geojson"].endswith("nhs_regions_2024.geojson")
    assert "cdn" not in str(figure)


def test_an_area_is_drawn_under_the_alias_its_boundary_file_uses(viewer_client, explorer_data):
    # A test ICB stands in for Surrey Heartlands, whose 2023 boundary uses a newer code.
    icb = Area.objects.get(code="E54000100")
    AreaAlias.objects.create(code="E54000063", area=icb)
    response = viewer_client.get(url("map", area_type="icb", **QUERY))
    drawn = {row.code: row.location for row in response.context["table"].drawn}
    assert drawn["E54000100"] == "E54000063"
    assert drawn["E54000039"] == "E54000039"  # drawn under its own code, as before


@pytest.mark.parametrize("page", ["compare", "inequalities", "trends", "map", "summary", "funnel"])
def test_csv_download_is_exactly_what_the_page_shows(viewer_client, explorer_data, page):
    params = {**QUERY, "area_type": "icb"}
    page_response = viewer_client.get(url(page, **params))
    download = viewer_client.get(
        reverse("explorer:download", args=[page]) + "?" + url(page, **params).split("?")[1]
    )
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(download.content.decode())))
    assert table[0] == EXPORT_HEADER + (FUNNEL_CSV_COLUMNS if page == "funnel" else [])
    shown = {(row[4], row[11], row[10] or row[7]) for row in table[1:]}
    context = page_response.context
    if page in ("compare", "map"):
        expected = {(r["code"], r["period"], "Persons") for r in context["rows"]}
        if page == "compare":
            expected |= {(r["code"], r["period"], "Persons") for r in context["comparator_rows"]}
        else:
            expected |= {("E92000001", "2020/21", "Persons")}
    elif page == "funnel":
        table = context["table"]
        expected = {(r["code"], r["period"], "Persons") for r in table.rows + [table.benchmark]}
        assert len(table.rows) == 4
    elif page == "trends":
        expected = {
            (p["code"], p["period"], "Persons")
            for line in context["series"]
            for p in line["points"]
        }
    elif page == "inequalities":
        expected = {("E54000039", "2020/21", r["category"]) for r in context["rows"]}
        expected |= {("E54000039", "2020/21", "Persons")}
    else:
        expected = {
            ("E54000039", r.observation.period.label, "Persons")
            for r in context["rows"]
            if r.observation
        }
    assert shown == expected


def test_csv_neutralises_formulas(viewer_client, explorer_data):
    from indicators.models import Observation

    Observation.objects.filter(area__code="E54000039", category="").update(
        value_note="=HYPERLINK(1)"
    )
    body = viewer_client.get(
        reverse("explorer:download", args=["compare"]) + "?indicator=LTC03"
    ).content
    assert b"'=HYPERLINK(1)" in body


def test_unknown_download_page_is_404(viewer_client, explorer_data):
    assert viewer_client.get(reverse("explorer:download", args=["nope"])).status_code == 404


def test_login_is_required(client, explorer_data):
    assert client.get(url("compare")).status_code == 302


def test_htmx_change_pushes_the_url_of_what_is_shown(viewer_client, explorer_data):
    response = viewer_client.get(
        url("compare", indicator="LTC03", period="1999/00", area="E54000100"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER_NAME="indicator",
    )
    pushed = response["HX-Push-Url"]
    assert "period=2020%2F21" in pushed and "1999" not in pushed


# --- Comparator groups ------------------------------------------------------------------------


def test_compare_with_a_group_shows_its_members_in_group_order(viewer_client, explorer_data):
    comparator_group()  # BNSSG (52.0) before E54000102 (61.0): not rank order

    response = viewer_client.get(url("compare", **QUERY, group="PEERS"))

    assert [row["code"] for row in response.context["rows"]] == ["E54000039", "E54000102"]
    assert [row["rank"] for row in response.context["rows"]] == [2, 1]
    html = response.content.decode()
    assert "Compare with" in html and '<option value="PEERS" selected>' in html
    assert "Peer ICBs</strong> (Custom, 2 areas). Chosen by the board for this test." in html
    assert "LTC03 by integrated care board in Peer ICBs" in html


def test_compare_with_a_group_sorts_when_asked(viewer_client, explorer_data):
    comparator_group()

    response = viewer_client.get(url("compare", **QUERY, group="PEERS", sort="rank"))

    assert [row["code"] for row in response.context["rows"]] == ["E54000102", "E54000039"]


def test_a_group_fixes_the_area_type_and_replaces_within(viewer_client, explorer_data):
    comparator_group()

    response = viewer_client.get(
        url("compare", **QUERY, group="PEERS", area_type="local_authority", parent="E40000003")
    )

    selection = response.context["selection"]
    assert (selection.area_type.code, selection.parent) == ("icb", None)
    assert [row["code"] for row in response.context["rows"]] == ["E54000039", "E54000102"]


def test_map_with_a_group_shows_only_its_members(viewer_client, explorer_data):
    comparator_group(members=("E54000101", "E54000100"))

    response = viewer_client.get(url("map", **QUERY, group="PEERS"))

    assert sorted(row["code"] for row in response.context["rows"]) == ["E54000100", "E54000101"]


def test_trends_with_a_group_show_every_members_series(viewer_client, explorer_data):
    comparator_group(members=("E54000101", "E54000100", "E54000039"))

    response = viewer_client.get(url("trends", **QUERY, group="PEERS", area="E54000101"))

    codes = [line["code"] for line in response.context["series"]]
    assert codes[:3] == ["E54000101", "E54000100", "E54000039"]
    assert codes[-1] == "E92000001" and "E54000102" not in codes


def test_area_summary_spread_is_across_the_groups_members(viewer_client, explorer_data):
    comparator_group(members=("E54000039", "E54000101"))  # 52.0 and 58.0 in 2020/21

    response = viewer_client.get(url("summary", area="E54000039", group="PEERS"))

    screening = {row.indicator.code: row for row in response.context["rows"]}["LTC03"]
    # Values as a viewer sees them (worked out from rounded counts), so approximately.
    assert (screening.minimum, screening.maximum) == pytest.approx((52.0, 58.0))
    assert screening.areas_compared == 2
    assert "the range across Peer ICBs" in response.content.decode()


@pytest.mark.parametrize("page", ["compare", "summary", "trends", "map", "funnel"])
def test_an_unknown_group_is_a_form_error_not_a_500(viewer_client, explorer_data, page):
    comparator_group()

    response = viewer_client.get(url(page, **QUERY, group="NOPE"))

    assert response.status_code == 400
    assert "Compare with: “NOPE” is not one of the compare with choices here" in " ".join(
        response.context["problems"]
    )
    assert response.context["selection"].group is None  # the page compares as without


def test_group_download_is_the_members_and_england(viewer_client, explorer_data):
    comparator_group()
    query = url("compare", **QUERY, group="PEERS").split("?")[1]

    download = viewer_client.get(reverse("explorer:download", args=["compare"]) + "?" + query)

    table = list(csv.reader(io.StringIO(download.content.decode())))
    assert {row[4] for row in table[1:]} == {"E54000039", "E54000102", "E92000001", "E40000006"}


# --- Funnel plot --------------------------------------------------------------------------------

# At a denominator of 1,000 around England's 50%, the 95% limits are 46.9–53.1% and the 99.8%
# limits 45.1–54.9% (Wilson's inverse, PHEindicatormethods).
FUNNEL_AREAS = [
    # code, name, count, denominator, suppressed
    ("E54000201", "Low ICB", 200, 1000, False),  # 20%: below 99.8%
    ("E54000202", "Middle ICB", 500, 1000, False),  # 50%: within
    ("E54000203", "Fairly high ICB", 540, 1000, False),  # 54%: between 95% and 99.8% above
    ("E54000204", "High ICB", 800, 1000, False),  # 80%: above 99.8%
    ("E54000205", "Fairly low ICB", 465, 1000, False),  # 46.5%: between 95% and 99.8% below
    ("E54000206", "Small ICB", 5, 1000, True),  # suppressed: never placed for a viewer
    ("E54000207", "Unrounded ICB", 503, 1002, False),  # a viewer sees 505 of 1,000
]


def funnel_scenario(framework, geography, *, south_west=53.5):
    """England at 50%, the South West at ``south_west``% and seven ICBs in the South West."""
    indicator = framework["screening"]  # a proportion, higher is better
    period = Period.objects.create(
        kind="financial_year", start="2023-04-01", end="2024-03-31", label="2023/24",
        sort_key="20230401",
    )  # fmt: skip
    icb_type = geography["icb"].area_type
    rows = [
        Observation(indicator=indicator, area=geography["england"], period=period, value=50.0,
                    count=50000, denominator=100000),
        Observation(indicator=indicator, area=geography["region"], period=period,
                    value=south_west, count=south_west * 100, denominator=10000),
    ]  # fmt: skip
    for code, name, count, denominator, suppressed in FUNNEL_AREAS:
        area = Area.objects.create(
            code=code, name=name, area_type=icb_type, parent=geography["region"]
        )
        rows.append(
            Observation(
                indicator=indicator, area=area, period=period, value=100 * count / denominator,
                count=count, denominator=denominator, suppressed=suppressed,
                value_note="Suppressed: fewer than 8 events" if suppressed else "",
            )
        )  # fmt: skip
    Observation.objects.bulk_create(rows)
    return indicator


def positions(response) -> dict[str, str]:
    return {row["code"]: row["label"] for row in response.context["table"].rows}


def test_funnel_places_each_area_against_the_limits_around_england(
    viewer_client, framework, geography
):
    funnel_scenario(framework, geography)

    response = viewer_client.get(url("funnel", indicator="LTC03", area_type="icb"))

    assert response.status_code == 200
    assert positions(response) == {
        "E54000201": "Below the 99.8% lower limit (worse)",
        "E54000202": "Within the limits",
        "E54000203": "Above the 95% upper limit (better)",
        "E54000204": "Above the 99.8% upper limit (better)",
        "E54000205": "Below the 95% lower limit (worse)",
        "E54000207": "Within the limits",
    }
    html = response.content.decode()
    assert "Benchmark: <strong>England</strong> (50.0%)" in html
    # Shape and words in the tables: the marker repeats the chart's, the text says it.
    assert "▼</span><span>Below the 99.8% lower limit (worse)</span>" in html
    assert "△</span><span>Above the 95% upper limit (better)</span>" in html
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    figure = response.context["figure"]
    legend = {trace["name"]: trace for trace in figure["data"]}
    assert legend["Below the 99.8% lower limit (worse)"]["marker"]["symbol"] == "triangle-down"
    assert legend["Above the 95% upper limit (better)"]["marker"]["symbol"] == "triangle-up-open"
    assert {"95% control limits", "99.8% control limits"} <= set(legend)
    assert "Benchmark, England: 50" in legend


def test_funnel_lists_the_areas_outside_the_limits_furthest_first(
    viewer_client, framework, geography
):
    funnel_scenario(framework, geography)

    response = viewer_client.get(url("funnel", indicator="LTC03", area_type="icb"))

    outside = response.context["table"].outside
    assert [row["name"] for row in outside] == [
        "High ICB", "Fairly high ICB", "Fairly low ICB", "Low ICB"
    ]  # fmt: skip
    assert "4 of 6 integrated care board areas outside the 95% limits around England" in (
        response.content.decode()
    )


def test_funnel_leaves_suppressed_areas_out_and_uses_disclosed_counts(
    client, viewer, analyst, framework, geography
):
    funnel_scenario(framework, geography)
    client.force_login(viewer)

    response = client.get(url("funnel", indicator="LTC03", area_type="icb"))

    rows = {row["code"]: row for row in response.context["table"].rows}
    assert "E54000206" not in rows
    assert response.context["table"].left_out == [("suppressed", ["Small ICB"])]
    assert "Not shown: 1 integrated care board area suppressed." in response.content.decode()
    # The viewer's point is placed by the rounded counts, and its value worked out from them.
    assert (rows["E54000207"]["x"], rows["E54000207"]["count"]) == (1000, 505)
    assert rows["E54000207"]["value"] == pytest.approx(50.5)

    client.force_login(analyst)
    rows = {
        row["code"]: row
        for row in client.get(url("funnel", indicator="LTC03", area_type="icb"))
        .context["table"]
        .rows
    }
    assert rows["E54000207"]["x"] == 1002 and "E54000206" in rows


def test_funnel_benchmark_is_the_parent_within_one(viewer_client, framework, geography):
    funnel_scenario(framework, geography, south_west=53.5)  # 95%: 50.4–56.6, 99.8%: 48.6–58.4

    response = viewer_client.get(
        url("funnel", indicator="LTC03", area_type="icb", parent="E40000006")
    )

    found = positions(response)
    assert found["E54000202"] == "Below the 95% lower limit (worse)"  # 50%
    assert found["E54000203"] == "Within the limits"  # 54%
    assert found["E54000205"] == "Below the 99.8% lower limit (worse)"  # 46.5%
    assert "Benchmark: <strong>South West</strong> (53.5%), the area chosen under “Within”" in (
        response.content.decode()
    )


def test_funnel_with_a_comparator_group_places_only_its_members(
    viewer_client, framework, geography
):
    funnel_scenario(framework, geography)
    comparator_group(members=("E54000204", "E54000201", "E54000202"))

    response = viewer_client.get(url("funnel", indicator="LTC03", group="PEERS"))

    assert set(positions(response)) == {"E54000201", "E54000202", "E54000204"}
    assert response.context["table"].benchmark["code"] == "E92000001"


def test_funnel_csv_is_the_placed_areas_and_the_benchmark_with_their_positions(
    viewer_client, framework, geography
):
    funnel_scenario(framework, geography)
    Observation.objects.filter(area__code="E54000201").update(value_note="=HYPERLINK(1)")
    query = url("funnel", indicator="LTC03", area_type="icb").split("?")[1]

    download = viewer_client.get(reverse("explorer:download", args=["funnel"]) + "?" + query)

    table = list(csv.reader(io.StringIO(download.content.decode())))
    header = table[0]
    by_code = {row[header.index("Area Code")]: row for row in table[1:]}
    assert set(by_code) == {code for code, *_ in FUNNEL_AREAS} - {"E54000206"} | {"E92000001"}
    position = header.index("Funnel position")
    assert by_code["E54000201"][position] == "Below the 99.8% lower limit (worse)"
    assert by_code["E92000001"][position] == "Benchmark"
    assert by_code["E54000207"][header.index("Denominator")] == "1000"  # as the viewer sees it
    assert by_code["E54000201"][header.index("Value note")] == "'=HYPERLINK(1)"
    assert {row[header.index("Funnel benchmark")] for row in table[1:]} == {"England"}


def test_funnel_says_plainly_when_the_value_type_has_no_funnel_method(
    viewer_client, framework, geography
):
    indicator = funnel_scenario(framework, geography)
    indicator.value_type = "mean"
    indicator.save()

    response = viewer_client.get(url("funnel", indicator="LTC03", area_type="icb"))

    html = response.content.decode()
    assert response.status_code == 200 and response.context["figure"] is None
    assert "No funnel plot for this indicator" in html
    assert "value type is “Mean”, so no funnel is drawn" in html
    assert "Benchmark:" not in html
    assert "Outside the 95% limits" not in html


def test_funnel_places_a_dsr_by_its_events_against_poisson_limits(
    viewer_client, framework, geography
):
    """Per 100,000 around England's 100: 200 events in 100,000 is far above, 60 far below,
    125 between the 95% and 99.8% upper limits (Byar's limits on the events)."""
    indicator = framework["mortality"]  # DSR, lower is better
    period = Period.objects.create(
        kind="financial_year", start="2023-04-01", end="2024-03-31", label="2023/24",
        sort_key="20230401",
    )  # fmt: skip
    rows = [
        Observation(indicator=indicator, area=geography["england"], period=period, value=100.0,
                    count=50000, denominator=50_000_000)
    ]  # fmt: skip
    for number, events in enumerate((200, 100, 125, 60)):
        area = Area.objects.create(
            code=f"E5400030{number}", name=f"Rate ICB {number}",
            area_type=geography["icb"].area_type, parent=geography["region"],
        )  # fmt: skip
        rows.append(
            Observation(indicator=indicator, area=area, period=period, value=float(events),
                        count=events, denominator=100000)
        )  # fmt: skip
    Observation.objects.bulk_create(rows)

    response = viewer_client.get(url("funnel", indicator="OVR04", area_type="icb"))

    assert positions(response) == {
        "E54000300": "Above the 99.8% upper limit (worse)",
        "E54000301": "Within the limits",
        "E54000302": "Above the 95% upper limit (worse)",
        "E54000303": "Below the 99.8% lower limit (better)",
    }
    assert {row["x"] for row in response.context["table"].rows} == {100000}


def test_funnel_offers_no_lsoas_or_england(viewer_client, explorer_data):
    response = viewer_client.get(url("funnel", **QUERY))

    offered = [code for code, _ in response.context["form"].fields["area_type"].choices]
    assert "lsoa" not in offered and "england" not in offered and "icb" in offered
    assert viewer_client.get(url("funnel", **QUERY, area_type="lsoa")).status_code == 400
