import csv
import io

import pytest

from indicators.models import (
    Area,
    ComparatorGroup,
    ComparatorGroupMember,
    Domain,
    Observation,
    Partner,
    Period,
    Programme,
)
from tests.cast import make_user
from tests.reporting_scenario import add_indicators, make_periods


@pytest.fixture
def signed_in(client, viewer):
    client.force_login(viewer)
    return client


# --- Framework summary -----------------------------------------------------------------------


def test_summary_counts_direction_target_and_england_per_domain(signed_in, scenario):
    page = signed_in.get("/").text
    healthy = page[page.index("Longer, healthier, fairer lives") : page.index("Joined-up care")]
    # Smoking improves (SPC), mortality deteriorates (SPC concern).
    assert '<span class="rpt-counts__number">1</span> improving' in healthy
    assert '<span class="rpt-counts__number">1</span> deteriorating' in healthy
    assert '<span class="rpt-counts__number">1</span> consistently hits target' in healthy
    assert '<span class="rpt-counts__number">1</span> consistently fails target' in healthy
    assert '<span class="rpt-counts__number">1</span> better' in healthy
    assert '<span class="rpt-counts__number">1</span> worse' in healthy
    flow = page[page.index("Is care joined up?") :]
    # Screening has trial limits, so its direction comes from the recent trend: no change.
    assert '<span class="rpt-counts__number">1</span> no significant change' in flow
    # Six points: no SPC assurance verdict.
    assert '<span class="rpt-counts__number">0</span> hit and miss target' in flow
    assert '<span class="rpt-counts__number">1</span> similar' in flow
    assert "Unpublished flow measure" not in page


def test_summary_lists_worse_than_england_and_getting_worse_first(signed_in, scenario):
    page = signed_in.get("/").text
    attention = page.index("Worse than England and getting worse")
    assert attention < page.index("Domains")
    assert page.index("Under-75 preventable mortality", attention) < page.index("Domains")
    assert "Smoking prevalence in adults" not in page[attention : page.index("Domains")]


def test_period_selector_shows_the_framework_as_it_stood(signed_in, scenario):
    latest = signed_in.get("/domains/OVR/").text
    assert "17.0%" in latest and "19.5%" not in latest
    earlier = signed_in.get("/domains/OVR/", {"period": "2022"})
    assert earlier.status_code == 200
    assert "19.5%" in earlier.text and "17.0%" not in earlier.text
    assert "as it stood at 2022" in earlier.text
    # In 2022 smoking was worse than England.
    summary = signed_in.get("/", {"period": "2022"}).text
    healthy = summary[summary.index("Longer, healthier") : summary.index("Joined-up care")]
    assert '<span class="rpt-counts__number">2</span> worse' in healthy
    # The published 2024 narrative did not exist yet in 2022.
    assert "Smoking fell for the third year running." not in earlier.text


def test_invalid_period_gives_a_message_not_an_error(signed_in, scenario):
    for bad in ["1850", "<script>", "2024/25 Q9"]:
        response = signed_in.get("/", {"period": bad})
        assert response.status_code == 200
        assert "There is no data for the period" in response.text
        assert "the latest data" in response.text
    assert "&lt;script&gt;" in signed_in.get("/", {"period": "<script>"}).text
    response = signed_in.get("/domains/OVR/", {"period": "nope", "sort": "nonsense"})
    assert response.status_code == 200
    assert "not a column the table can be sorted by" in response.text


# --- Domain page -----------------------------------------------------------------------------


def test_domain_page_row_shows_value_icons_comparison_and_narrative(signed_in, scenario):
    response = signed_in.get("/domains/OVR/")
    assert response.status_code == 200
    page = response.text
    smoking = page[
        page.index("Smoking prevalence in adults") : page.index(
            "</tr>", page.index("Smoking prevalence in adults")
        )
    ]
    for text in ["17.0%", "16.0 to 18.0", "2024", "Special cause improvement – low",
                 "Consistently hits target", "Better", "-4.0", "(better)", "18.5%", "by 2024",
                 "Decreasing and getting better", "Bristol City Council",
                 "Smoking fell for the third year running.", "rpt-sparkline"]:  # fmt: skip
        assert text in smoking, text
    assert "More detail here." not in smoking  # only the first line
    mortality = page[page.index("Under-75 preventable mortality") :]
    assert "Special cause concern – high" in mortality and "Consistently fails target" in mortality
    assert "Worse than England and getting worse" in mortality
    assert 'href="/indicators/PRV01/"' in page


def test_icons_carry_text_and_a_letter_not_colour_alone(signed_in, scenario):
    page = signed_in.get("/domains/OVR/").text
    assert 'aria-hidden="true"' in page  # the shape is decorative
    assert ">L</text>" in page and ">H</text>" in page  # improvement low, concern high
    assert ">P</text>" in page and ">F</text>" in page  # pass, fail
    flow = signed_in.get("/domains/INT/").text
    # Screening's six points give a run chart: no SPC icon at all, and the reason in words.
    assert ">?</text>" not in flow and "No SPC: fewer than 13 points" in flow


def test_domain_table_sorts_on_the_server(signed_in, scenario):
    by_code = signed_in.get("/domains/OVR/").text
    assert by_code.index("OVR04") < by_code.index("PRV01")
    by_england = signed_in.get("/domains/OVR/", {"sort": "england"}).text
    assert by_england.index("Under-75 preventable") < by_england.index("Smoking prevalence")
    by_variation = signed_in.get("/domains/OVR/", {"sort": "variation"}).text
    assert by_variation.index("Under-75 preventable") < by_variation.index("Smoking prevalence")
    assert 'aria-sort="ascending"' in by_england
    assert "?sort=owner" in by_code


def test_unknown_domain_is_not_found(signed_in, scenario):
    assert signed_in.get("/domains/NOPE/").status_code == 404


# --- Indicator page --------------------------------------------------------------------------


def test_indicator_page_has_charts_tables_inequality_and_narrative(signed_in, scenario):
    response = signed_in.get("/indicators/PRV01/")
    assert response.status_code == 200
    page = response.text
    assert 'data-figure="trend-chart"' in page and 'id="trend-chart"' in page
    assert 'data-figure="spc-chart"' in page and 'id="spc-chart"' in page
    assert 'aria-labelledby="trend-chart-caption"' in page
    assert 'id="trend-chart-caption">Line chart of Smoking prevalence' in page
    assert "Show the data as a table" in page and "<caption" in page
    assert "/indicators/PRV01/trend.csv" in page and "/indicators/PRV01/spc.csv" in page
    assert "Special cause improvement – low" in page and "Consistently hits target" in page
    assert "Smoking fell for the third year running." in page
    assert "Stop Smoking services doubled referrals." in page
    assert "Published 1 March 2025" in page
    assert "No inequality summary" in page
    assert "A definition." in page  # the definition is still there
    assert "onclick" not in page and "style=" not in page
    assert "Write or edit the narrative" not in page  # a viewer cannot


def test_indicator_page_shows_the_latest_inequality_summary(signed_in, scenario):
    from indicators.models import InequalitySummary

    periods, icb = scenario["periods"], scenario["icb"]
    for label, gap in (("2023", 9.0), ("2024", 7.5)):
        InequalitySummary.objects.create(
            indicator=scenario["indicators"]["smoking"], area=icb, period=periods[label],
            sex="Persons", age="All ages", category_type="IMD 2019 quintile (national)",
            sii=-11.2 if label == "2024" else -13.0, sii_lower=-14.0, sii_upper=-8.4,
            rii=0.5, rii_lower=0.4, rii_upper=0.6, gap=gap, ratio=1.6,
        )  # fmt: skip
    page = signed_in.get("/indicators/PRV01/").text
    assert "-11.2 (95% CI -14.0 to -8.4)" in page and "7.5" in page
    assert "Across the national IMD 2019 quintiles of BNSSG's population, 2024" in page
    rows = list(csv.reader(io.StringIO(signed_in.get("/indicators/PRV01/inequality.csv").text)))
    assert rows[1][0] == "2024" and float(rows[1][1]) == 7.5 and len(rows) == 3


def test_chart_csv_downloads_have_the_table_data(signed_in, scenario):
    response = signed_in.get("/indicators/PRV01/trend.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:4] == ["Period", "Value (%)", "Lower 95% limit", "Upper 95% limit"]
    assert [row[0] for row in rows[1:]] == ["2019", "2020", "2021", "2022", "2023", "2024"]
    assert float(rows[-1][1]) == 17.0 and float(rows[-1][6]) == 19.0
    spc = list(csv.reader(io.StringIO(signed_in.get("/indicators/PRV01/spc.csv").text)))
    assert spc[-1][5] == "Special cause improvement" and spc[-1][6] == "Below LCL"
    assert signed_in.get("/indicators/PRV01/other.csv").status_code == 404
    assert signed_in.get("/indicators/INT09/trend.csv").status_code == 404  # draft


def test_csv_cells_that_look_like_formulas_are_neutralised(signed_in, scenario):
    from indicators.models import Observation

    Observation.objects.filter(period__label="2024", area=scenario["icb"]).update(
        value_note='=HYPERLINK("http://evil")'
    )
    text = signed_in.get("/indicators/PRV01/trend.csv").text
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_unknown_and_draft_indicators_are_not_found_for_viewers(signed_in, scenario):
    assert signed_in.get("/indicators/NOPE/").status_code == 404
    assert signed_in.get("/indicators/INT09/").status_code == 404


def test_analysts_see_drafts(client, analyst, scenario):
    client.force_login(analyst)
    assert client.get("/indicators/INT09/").status_code == 200
    assert "Unpublished flow measure" in client.get("/domains/INT/").text


def test_user_input_is_escaped(signed_in, scenario):
    indicator = scenario["indicators"]["smoking"]
    indicator.name = "<script>alert(1)</script>"
    indicator.save()
    for url in ["/", "/domains/OVR/", "/indicators/PRV01/"]:
        page = signed_in.get(url).text
        assert "<script>alert(1)</script>" not in page


def test_pages_need_login(client, scenario):
    for url in ["/", "/domains/OVR/", "/indicators/PRV01/", "/programmes/", "/board-pack.pdf"]:
        assert client.get(url).status_code == 302


# --- Programmes ------------------------------------------------------------------------------


def test_programme_pages_list_outcomes_with_status(signed_in, scenario):
    programme = Programme.objects.create(
        code="TDT", name="Tobacco dependency treatment", description="Opt-out treatment.",
        lead_partner=Partner.objects.get(name="Bristol City Council"),
    )  # fmt: skip
    programme.indicators.set([scenario["indicators"]["smoking"], scenario["indicators"]["draft"]])
    listing = signed_in.get("/programmes/").text
    assert "Tobacco dependency treatment" in listing and "/programmes/TDT/" in listing
    assert "Unpublished flow measure" not in listing
    page = signed_in.get("/programmes/TDT/").text
    assert "Smoking prevalence in adults" in page and "17.0%" in page
    assert "Special cause improvement – low" in page and "Improving" in page
    assert "Unpublished flow measure" not in page
    assert signed_in.get("/programmes/NOPE/").status_code == 404


# --- Bounded queries -------------------------------------------------------------------------


@pytest.mark.parametrize("extra_indicators, years", [(0, 6), (12, 20)])
def test_pages_run_a_fixed_number_of_queries(
    client, scenario, django_assert_max_num_queries, extra_indicators, years
):
    periods = make_periods(range(2024 - years + 1, 2025))
    add_indicators(
        Domain.objects.get(code="OVR"), Partner.objects.first(), scenario["icb"],
        scenario["england"], periods, extra_indicators,
    )  # fmt: skip
    programme = Programme.objects.create(code="P1", name="Programme")
    programme.indicators.set(Domain.objects.get(code="OVR").indicators.all())
    client.force_login(make_user("counter", "viewer"))
    for url in ["/", "/?period=2022", "/domains/OVR/", "/domains/OVR/?sort=change",
                "/indicators/PRV01/", "/indicators/PRV01/trend.csv", "/programmes/",
                "/programmes/P1/"]:  # fmt: skip
        # Built, not served from the page cache: 15 reads and the data version keying it.
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200


# --- Rank among the default comparator group ----------------------------------------------


def default_region_group(scenario):
    """The South West's ICBs as the default group: the headline ICB and two peers with 2024
    values either side of its smoking prevalence (17.0%, lower is better)."""
    icb, region = scenario["icb"], scenario["region"]
    group = ComparatorGroup.objects.create(
        code="NHSREG-SW", name="South West ICBs", kind="nhs_region", is_default=True,
        method_note="The ICBs in South West (NHS region), from the area registry.",
    )  # fmt: skip
    peers = [
        Area.objects.create(code=code, name=name, area_type=icb.area_type, parent=region)
        for code, name in [("E54000036", "Peer A ICB"), ("E54000037", "Peer B ICB")]
    ]
    for position, area in enumerate([icb, *peers], start=1):
        ComparatorGroupMember.objects.create(group=group, area=area, position=position)
    latest = Period.objects.get(label="2024")
    smoking = scenario["indicators"]["smoking"]
    for area, value in zip(peers, [15.0, 19.0], strict=True):
        Observation.objects.create(indicator=smoking, area=area, period=latest, value=value)
    return group


def test_domain_table_ranks_the_headline_area_in_its_default_group(signed_in, scenario):
    default_region_group(scenario)

    page = signed_in.get("/domains/OVR/").text

    smoking = page[page.index("Smoking prevalence in adults") :]
    smoking = smoking[: smoking.index("</tr>")]
    assert "2nd of 3 in South West ICBs (NHS region)" in smoking
    mortality = page[page.index("Under-75 preventable mortality") :]
    assert "1st of 1 in South West ICBs (NHS region)" in mortality[: mortality.index("</tr>")]


def test_indicator_page_shows_the_rank_and_the_groups_method(signed_in, scenario):
    default_region_group(scenario)

    page = signed_in.get("/indicators/PRV01/").text

    assert "Rank among South West ICBs" in page
    assert "2nd of 3 in South West ICBs (NHS region)" in page
    assert "The ICBs in South West (NHS region), from the area registry." in page


def test_no_default_group_shows_no_rank(signed_in, scenario):
    assert "Rank among" not in signed_in.get("/indicators/PRV01/").text


def test_ranked_pages_keep_a_fixed_number_of_queries(
    client, scenario, django_assert_max_num_queries
):
    default_region_group(scenario)
    add_indicators(
        Domain.objects.get(code="OVR"), Partner.objects.first(), scenario["icb"],
        scenario["england"], make_periods(range(2005, 2025)), 12,
    )  # fmt: skip
    client.force_login(make_user("counter", "viewer"))
    for url in ["/", "/domains/OVR/", "/indicators/PRV01/"]:
        with django_assert_max_num_queries(16):  # with the data version (page cache)
            assert client.get(url).status_code == 200
