"""The three user journeys of docs/design.md section 1, in Chromium, each page checked with axe-core
at desktop and 320 px widths and screenshotted (see conftest.py)."""

import csv
import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.journey import Journey, log_in

pytestmark = pytest.mark.browser

# Swaps done: no request in flight and htmx has settled the new content.
SETTLED = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


def choose(page, label: str, value: str, *, path: str):
    """Pick an option in one explorer filter and wait for htmx to swap the results in."""
    with page.expect_response(
        lambda response: path in response.url and response.request.headers.get("hx-request")
    ) as answer:
        page.get_by_label(label, exact=True).select_option(value)
    assert answer.value.status == 200, answer.value.text()
    page.wait_for_function(SETTLED)
    assert page.get_by_label(label, exact=True).input_value() == value


def test_strategic_lead_reads_the_framework_and_downloads_the_board_pack(
    live_server, page, celery_worker
):
    journey = Journey("lead", page)
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    journey.check("sign in")
    log_in(page, live_server.url, "lead")

    # The framework summary: one card per domain, the synthetic-data banner, the period.
    expect(page.get_by_role("heading", level=1)).to_have_text("BNSSG system outcomes framework")
    assert page.get_by_role("region", name="Demonstration data").is_visible()
    cards = page.locator(".rpt-card")
    expect(cards).to_have_count(8)
    assert "1 worse" in cards.filter(has_text="Healthy behaviours").inner_text().lower()
    journey.check("framework summary")

    # A domain: a row per indicator, with values, sparklines and SPC icons that carry text.
    page.get_by_role("link", name="Early diagnosis and long-term conditions").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Early diagnosis and long-term conditions"
    )
    row = page.get_by_role("row").filter(has_text="Bowel cancer screening")
    assert "%" in row.inner_text()
    assert row.get_by_role("img", name="Sparkline").count() == 1
    journey.check("domain")

    # An indicator: trend and SPC charts drawn, each with its text alternative and table.
    row.get_by_role("link", name="Bowel cancer screening").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bowel cancer screening")
    figures = page.locator("figure.outcomes-chart")
    expect(figures).to_have_count(2)
    for index in range(figures.count()):
        figure = figures.nth(index)
        figure.locator(".js-chart[data-drawn]").wait_for()
        # The caption names the figure (its text alternative); a data table follows it.
        caption = figure.locator("figcaption")
        assert figure.get_attribute("aria-labelledby") == caption.get_attribute("id")
        assert len(caption.inner_text()) > 40
    for summary in page.get_by_text("Show the data as a table").all():
        summary.click()
    assert page.get_by_role("table", name="SPC").is_visible()
    journey.check("indicator")

    # The summary of every indicator with its icons, filtered to those that consistently fail
    # their target.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Framework").click()
    page.get_by_role("link", name="Summary of every indicator, with its icons").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Summary of every indicator")
    table = page.get_by_role("region", name=re.compile("Every indicator"))
    every = table.get_by_role("row").count()
    journey.check("summary icons")
    page.get_by_label("SPC assurance").select_option("fail")
    page.evaluate("() => { window.outcomesNoReload = true; }")
    with page.expect_response(lambda response: "/summary/" in response.url):
        page.get_by_role("button", name="Show indicators").click()
    page.wait_for_function(SETTLED)
    assert page.url.endswith("/summary/?assurance=fail")
    assert page.evaluate("() => window.outcomesNoReload === true"), "the page reloaded"
    rows = page.locator("#summary-results tbody tr:not(.rpt-summary__domain)")
    assert 0 < rows.count() < every
    for index in range(rows.count()):
        expect(rows.nth(index)).to_contain_text("Consistently fails target")
    expect(page.locator("#summary-status[role=status]")).to_contain_text("Showing")
    journey.check("summary icons filtered")

    # The overview: the indicators against the system's own areas, compared with England.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Data explorer").click()
    page.get_by_role("navigation", name="Explorer views").get_by_role(
        "link", name="Overview"
    ).click()
    page.get_by_role("link", name=re.compile("Show the areas within NHS Bristol")).click()
    expect(page).to_have_url(re.compile("/explore/overview/.*parent=E54000039"))
    grid = page.get_by_role("region", name=re.compile("Overview"))
    expect(grid.get_by_role("columnheader", name="Bristol, City of")).to_be_visible()
    assert grid.locator("td.overview-cell--worse, td.overview-cell--better").count() > 0
    journey.check("overview")

    # The board pack: asked for, built by the worker while its page follows it, downloaded.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Framework").click()
    page.get_by_role("link", name="Board pack for the whole framework (PDF)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board pack")
    journey.check("board pack request")
    page.get_by_role("button", name="Prepare the board pack").click()
    expect(page).to_have_url(re.compile(r"/board-pack/\d+/$"))
    page.evaluate("() => { window.outcomesNoReload = true; }")
    download_link = page.get_by_role("link", name="Download the board pack (PDF)")
    download_link.wait_for(timeout=120_000)  # htmx polls the progress until it is ready
    assert page.evaluate("() => window.outcomesNoReload === true"), "the page reloaded"
    expect(page.locator("#pack-announcement")).to_have_text("The board pack is ready to download.")
    journey.check("board pack ready")
    with page.expect_download() as download:
        download_link.click()
    pdf = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == "board-pack-framework-latest.pdf"
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page_.extract_text() for page_ in reader.pages)
    assert "Contents" in text and "Summary: every indicator at a glance" in text
    assert "Bowel cancer screening" in text
    assert reader.metadata.author == "Bristol, North Somerset and South Gloucestershire"
    journey.assert_no_problems()


def test_programme_manager_filters_the_explorer_and_shares_the_view(live_server, page, context):
    journey = Journey("manager", page)
    log_in(page, live_server.url, "manager")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Data explorer").click()
    expect(page).to_have_url(re.compile("/explore/compare/"))
    page.wait_for_function(SETTLED)
    journey.check("explorer landing")

    # Anything that survives the filter changes below proves there was no full page load.
    page.evaluate("() => { window.outcomesNoReload = true; }")
    choose(page, "Indicator", "OVR04", path="/explore/compare/")
    assert "indicator=OVR04" in page.url
    choose(page, "Area type", "icb", path="/explore/compare/")
    choose(page, "Area", "E54000039", path="/explore/compare/")
    panel = page.locator("#explorer-panel")
    expect(panel.locator(".js-chart[data-drawn]")).to_have_count(1)
    expect(panel.locator("table caption")).to_contain_text("OVR04 by integrated care board")
    expect(panel.locator("tr.explorer-row--chosen")).to_contain_text("Selected")
    # A screen reader is told the results changed, from a live region outside the panel.
    status = page.locator("#explorer-status[role=status]")
    expect(status).to_contain_text("Results updated: OVR04 Under-75 mortality")
    expect(status).to_contain_text("Table: OVR04 by integrated care board")
    assert page.evaluate("() => window.outcomesNoReload === true"), "the page reloaded"
    journey.check("compare areas")

    # The tabs carry the chosen indicator to the other views.
    page.get_by_role("navigation", name="Explorer views").get_by_role(
        "link", name="Inequalities"
    ).click()
    expect(page).to_have_url(re.compile("/explore/inequalities/.*indicator=OVR04"))
    page.evaluate("() => { window.outcomesNoReload = true; }")
    path = "/explore/inequalities/"
    choose(page, "Area type", "local_authority", path=path)
    choose(page, "Area", "E06000023", path=path)
    choose(page, "Breakdown", "imd_decile", path=path)
    assert page.evaluate("() => window.outcomesNoReload === true"), "the page reloaded"
    for part in ("indicator=OVR04", "area_type=local_authority", "area=E06000023", "imd_decile"):
        assert part in page.url
    chart = page.locator("#explorer-panel figure.outcomes-chart").first
    chart.locator(".js-chart[data-drawn]").wait_for()
    assert "Bristol" in chart.locator("figcaption").inner_text()
    table = page.locator("#explorer-panel table").first
    caption = table.locator("caption").inner_text()
    assert "OVR04" in caption and "Bristol" in caption
    assert "Decile 1 (most deprived)" in table.inner_text()
    journey.check("inequalities filtered")

    # The URL is the view: pasted into a new page, it shows the same thing.
    shared = context.new_page()
    shared.goto(page.url)
    shared.wait_for_selector("#explorer-panel .js-chart[data-drawn]")
    assert shared.locator("#explorer-panel table").first.inner_text() == table.inner_text()
    for label in ("Indicator", "Area type", "Area", "Breakdown", "Period"):
        assert (
            shared.get_by_label(label, exact=True).input_value()
            == page.get_by_label(label, exact=True).input_value()
        )
    figure = "() => JSON.stringify(document.querySelector('#explorer-panel .js-chart').data)"
    assert shared.evaluate(figure) == page.evaluate(figure)
    Journey("manager-shared", shared, problems=journey.problems, step=journey.step).check(
        "shared link"
    )
    shared.close()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the data shown").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert rows and {row["Area Code"] for row in rows} == {"E06000023"}
    assert {row["Indicator ID"] for row in rows} == {"OVR04"}
    categories = {row["Category"] for row in rows}
    assert "Decile 1 (most deprived)" in categories and len(categories) >= 5
    journey.assert_no_problems()


def corrected_latest_quarter(path: Path) -> bytes:
    """A re-issued extract for the latest quarter, every numerator one different."""
    lines = path.read_text().splitlines()
    latest = max(line.split(",")[1] for line in lines[1:])
    rows = [lines[0]]
    for line in lines[1:]:
        fields = line.split(",")
        if fields[1] == latest:
            numerator, denominator = int(fields[5]), int(fields[6])
            fields[5] = str(numerator + 1 if numerator < denominator else numerator - 1)
            rows.append(",".join(fields))
    return ("\n".join(rows) + "\n").encode()


BAD_EXTRACT = b"""indicator_code,period,area_code,sex,age_band,numerator,denominator
LTC05,2025/26 Q1,E01014485,Male,All ages,41,69
LTC05,2025/26 Q1,E01014485,Female,All ages,80,55
LTC05,2025/26 Q1,E99999999,Male,All ages,12,50
LTC05,2025/26 Q1,E01014486,Male,All ages,many,60
"""


def headline_value(viewer, base_url: str, period: str) -> float:
    """LTC05's value for the ICB in ``period`` as a viewer reads it from the API."""
    answer = viewer.request.get(
        f"{base_url}/api/data/?indicator=LTC05&area=E54000039&sex=Persons"
        f"&category_type=none&period={quote(period)}"
    )
    assert answer.status == 200, answer.text()
    rows = answer.json()["results"]
    assert len(rows) == 1, rows
    return rows[0]["value"]


def wait_for_status(page, status: str):
    """The detail page polls with htmx and reloads itself when the extract finishes."""
    page.get_by_role("heading", name=f"Status: {status}").wait_for(timeout=90_000)


@pytest.mark.worker
def test_analyst_uploads_reviews_publishes_reads_errors_and_reverts(
    live_server, celery_worker, browser, page, demo_files
):
    journey = Journey("analyst", page)
    # A viewer (the strategic lead) in a browser of their own, reading the API as they may.
    viewer = browser.new_context(locale="en-GB").new_page()
    log_in(viewer, live_server.url, "lead")
    log_in(page, live_server.url, "analyst")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Admin").click()
    journey.check("admin home")
    page.get_by_role("link", name="Extracts").first.click()
    expect(page.locator("#result_list tbody tr")).to_have_count(len(demo_files.extracts))
    journey.check("extract list")
    page.get_by_role("link", name="Upload an extract").first.click()
    journey.check("upload form")

    counts = next(path for path, kind in demo_files.extracts if path.name == "counts_LTC05.csv")
    corrected = corrected_latest_quarter(counts)
    latest = corrected.decode().splitlines()[1].split(",")[1]
    published_before = headline_value(viewer, live_server.url, latest)
    page.set_input_files(
        "#id_file",
        files=[{"name": "ltc05_corrected.csv", "mimeType": "text/csv", "buffer": corrected}],
    )
    page.get_by_label("Granular counts").check()
    page.get_by_role("button", name="Upload").click()
    # The detail page, while the worker runs it (the page refreshes itself, so no axe here).
    page.locator("#extract-progress").wait_for()
    journey.check("upload in progress", axe=False)
    # Computed, not applied: the page says what publishing would change.
    wait_for_status(page, "Awaiting review")
    expect(page.locator("#review")).to_contain_text("Publishing would add")
    by_indicator = page.get_by_role("table", name="Values added and replaced, by indicator")
    expect(by_indicator.get_by_role("row").filter(has_text="LTC05").first).to_be_visible()
    expect(page.get_by_role("heading", name="Largest changes of value")).to_be_visible()
    expect(page.get_by_role("button", name="Schedule publication")).to_be_visible()
    journey.check("review the changes")
    # The viewer still reads the published value.
    assert headline_value(viewer, live_server.url, latest) == published_before

    page.get_by_role("button", name="Publish now").click()
    wait_for_status(page, "Succeeded")
    expect(page.get_by_text("published: its values are live")).to_be_visible()
    assert page.locator("#extract-progress").get_attribute("value") == "100"
    assert "100%" in page.locator("#extract-status").inner_text()
    assert page.get_by_role("row", name="Rows rejected").inner_text().endswith("0")
    assert "replaced" in page.get_by_role("row", name="Values written").inner_text()
    journey.check("published")
    succeeded_url = page.url
    # Now the viewer reads the corrected value.
    assert headline_value(viewer, live_server.url, latest) != published_before

    # A bad extract: the worker refuses it, and the page lists the problems and the report.
    page.goto(f"{live_server.url}/admin/indicators/extract/upload/")
    page.set_input_files(
        "#id_file", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": BAD_EXTRACT}]
    )
    page.get_by_label("Granular counts").check()
    page.get_by_role("button", name="Upload").click()
    wait_for_status(page, "Failed")
    problems = page.get_by_role("table", name="The first problems")
    expect(problems.get_by_role("row")).to_have_count(4)  # header and three bad rows
    journey.check("bad extract")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the error report").click()
    report = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert report[0] == ["row", "column", "value", "message"]
    assert {row[0] for row in report[1:]} == {"3", "4", "5"}
    assert any("E99999999" in row for row in report[1:])

    # Revert the good one: its values go back to what they were before.
    page.goto(succeeded_url)
    page.get_by_role("button", name="Revert this extract").click()
    wait_for_status(page, "Reverted")
    expect(page.get_by_text("reverted: the earlier values are back")).to_be_visible()
    journey.check("reverted")
    # Exactly the value that was there before.
    assert headline_value(viewer, live_server.url, latest) == published_before
    page.get_by_role("link", name="Extracts").first.click()
    expect(page.locator("#result_list tbody tr")).to_have_count(len(demo_files.extracts) + 2)
    expect(page.locator("#result_list")).to_contain_text("Reverted")
    journey.check("extract list after")
    viewer.context.close()
    journey.assert_no_problems()
