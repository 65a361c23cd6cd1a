"""The summary-icons table: every indicator a role may see, grouped by domain, with its
Making Data Count icons (always with their words), filterable by icon through the URL, with
and without htmx, and a CSV of exactly the rows shown."""

import csv
import io
import re

import pytest


def codes(html: str) -> list[str]:
    return re.findall(r'href="/indicators/(\w+)/"', html)


def test_every_indicator_is_listed_under_its_domain_with_its_icons(client, viewer, scenario):
    client.force_login(viewer)
    page = client.get("/summary/").text
    assert codes(page) == ["OVR04", "PRV01", "LTC03"]  # domains in order, codes within
    domains = re.findall(r'<th scope="rowgroup" colspan="9"><a href="/domains/(\w+)/"', page)
    assert domains == ["OVR", "INT"]
    for words in ["Special cause improvement – low", "Special cause concern – high",
                  "Consistently hits target", "Consistently fails target",
                  "No SPC: fewer than 13 points", "Worse than England and getting worse",
                  "Bristol City Council", "BNSSG ICB"]:  # fmt: skip
        assert words in page, words
    assert "rpt-icon__svg" in page  # the shape is drawn beside the words
    assert "Unpublished flow measure" not in page
    assert "3</strong> of 3 indicators shown" in page


def test_analysts_see_unpublished_indicators_too(client, analyst, scenario):
    client.force_login(analyst)
    assert "INT09" in codes(client.get("/summary/").text)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("variation=concern", ["OVR04"]),
        ("variation=improvement", ["PRV01"]),
        ("variation=none", ["LTC03"]),
        ("assurance=fail", ["OVR04"]),
        ("assurance=none", ["LTC03"]),
        ("benchmark=better", ["PRV01"]),
        ("benchmark=similar", ["LTC03"]),
        ("variation=concern&assurance=fail&benchmark=worse", ["OVR04"]),
        ("variation=concern&assurance=pass", []),
    ],
)
def test_filtering_by_icon_keeps_only_the_matching_indicators(
    client, viewer, scenario, query, expected
):
    client.force_login(viewer)
    page = client.get(f"/summary/?{query}").text
    assert codes(page) == expected
    if not expected:
        assert "No indicator matches these filters" in page
    else:
        assert f"{len(expected)}</strong> of 3 indicators shown (filtered by icon)" in page


def test_the_filter_lives_in_the_url_and_htmx_swaps_only_the_results(client, viewer, scenario):
    client.force_login(viewer)
    full = client.get("/summary/?assurance=fail")
    assert '<option value="fail" selected>Consistently fails target</option>' in full.text
    assert 'hx-get="/summary/"' in full.text and 'hx-push-url="true"' in full.text
    partial = client.get("/summary/?assurance=fail", headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<div id="summary-results"')
    assert "<form" not in partial.text and codes(partial.text) == ["OVR04"]
    assert 'hx-swap-oob="innerHTML">Showing 1 of 3 indicators' in partial.text
    # The form sends every field; the address pushed is only what the filters say.
    submitted = client.get(
        "/summary/?period=&variation=&assurance=fail&benchmark=&sort=indicator",
        headers={"HX-Request": "true"},
    )
    assert submitted["HX-Push-Url"] == "/summary/?assurance=fail"
    # Sorting and clearing keep the other filters in the links they make.
    assert 'href="?assurance=fail&amp;sort=gap"' in full.text
    assert 'href="?"' in full.text  # "Show every indicator" drops the filters


def test_sorting_stays_within_each_domain(client, viewer, scenario):
    client.force_login(viewer)
    page = client.get("/summary/?sort=value").text
    # Smoking (17.0%) before mortality (345.0) in the first domain; screening (71.0%) is
    # lower than mortality but stays in its own domain, after.
    assert codes(page) == ["PRV01", "OVR04", "LTC03"]
    assert 'aria-sort="ascending"><a href="?sort=value"' in page


def test_a_filter_that_names_nothing_is_a_400_and_the_other_filters_still_apply(
    client, viewer, scenario
):
    client.force_login(viewer)
    response = client.get("/summary/?variation=sparkly&assurance=fail")
    assert response.status_code == 400
    assert "“sparkly” is not one of the choices" in response.text
    assert codes(response.text) == ["OVR04"]


def test_the_csv_is_exactly_the_rows_shown(client, viewer, scenario):
    client.force_login(viewer)
    response = client.get("/summary.csv?benchmark=worse")
    assert response["Content-Disposition"] == 'attachment; filename="summary-icons-latest.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["Indicator code"] for row in rows] == ["OVR04"]
    row = rows[0]
    assert row["SPC variation"] == "Special cause concern – high"
    assert row["SPC assurance"] == "Consistently fails target"
    assert row["Compared with England"] == "Worse" and row["Latest value"] == "345.0"
    assert row["Domain"] == "Longer, healthier, fairer lives" and row["Owner"] == "BNSSG ICB"
    everything = client.get("/summary.csv").content.decode()
    assert len(list(csv.DictReader(io.StringIO(everything)))) == 3


def test_the_framework_summary_links_to_the_table(client, viewer, scenario):
    client.force_login(viewer)
    assert 'href="/summary/"' in client.get("/").text
    assert 'href="/summary/?period=2022"' in client.get("/?period=2022").text
