"""Accessibility a checker cannot see: the explorer's filters and tables used by keyboard
alone, and every chart with a text alternative, a data table and more than colour to go on."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.journey import Journey, log_in

pytestmark = pytest.mark.browser

SETTLED = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
ACTIVE_ID = "() => document.activeElement && document.activeElement.id"
# A focus indicator is visible when focusing changes the outline or the box shadow.
FOCUS_STYLE = """(element) => {
  const look = () => { const s = getComputedStyle(element);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor].join("|"); };
  const focused = look();
  element.blur();
  const blurred = look();
  element.focus();
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 &&
                  style.outlineColor !== "rgba(0, 0, 0, 0)";
  return focused !== blurred && (outline || style.boxShadow !== "none");
}"""


def tab_to(page, predicate: str, *, limit: int = 60) -> list[str]:
    """Press Tab until ``predicate`` (JS, on document.activeElement) holds; the path taken."""
    path = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = page.evaluate_handle("() => document.activeElement")
        path.append(page.evaluate("(e) => e.id || e.tagName.toLowerCase()", element))
        if page.evaluate(f"(element) => {predicate}", element):
            return path
    raise AssertionError(f"Tab never reached {predicate}; went through {path}")


def assert_focus_visible(page, what: str):
    assert page.evaluate(f"() => ({FOCUS_STYLE})(document.activeElement)"), (
        f"no visible focus indicator on {what}"
    )


def hx_response(page, path: str):
    return page.expect_response(
        lambda response: path in response.url and response.request.headers.get("hx-request")
    )


def test_explorer_filters_and_table_work_by_keyboard_alone(live_server, page):
    log_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/explore/compare/?indicator=OVR04&area_type=icb")
    page.evaluate("() => { window.outcomesNoReload = true; }")
    caption = page.locator("#explorer-panel table caption")
    expect(caption).to_contain_text("OVR04")

    # Tab from the top of the page to the filters: they come in the order they are shown.
    path = tab_to(page, "element.id === 'id_indicator'")
    assert "id_domain" in path, path
    assert_focus_visible(page, "the indicator filter")

    # Change the indicator with the arrow keys: results update, focus stays on the filter.
    before = page.locator("#id_indicator").input_value()
    with hx_response(page, "/explore/compare/"):
        page.keyboard.press("ArrowUp")
    page.wait_for_function(SETTLED)
    after = page.locator("#id_indicator").input_value()
    assert after != before
    assert page.evaluate(ACTIVE_ID) == "id_indicator", "focus was lost when the results changed"
    expect(page.locator(".explorer-about__title")).to_contain_text(after)
    assert f"indicator={after}" in page.url

    # Back to the first choice, then on to the area type, and submit with Enter.
    with hx_response(page, "/explore/compare/"):
        page.keyboard.press("ArrowDown")
    page.wait_for_function(SETTLED)
    assert page.locator("#id_indicator").input_value() == before
    tab_to(page, "element.id === 'id_area_type'")
    assert_focus_visible(page, "the area type filter")
    tab_to(page, "element.id === 'explorer-submit'")
    assert_focus_visible(page, "the Show results button")
    with hx_response(page, "/explore/compare/"):
        page.keyboard.press("Enter")
    page.wait_for_function(SETTLED)
    assert page.evaluate(ACTIVE_ID) == "explorer-submit"

    # On to the table: its scrolling region, then its sort links, each with visible focus.
    tab_to(page, "element.classList.contains('explorer-table-wrap')")
    assert_focus_visible(page, "the table's scrolling region")
    tab_to(page, "element.id === 'sort-value'")
    assert_focus_visible(page, "the Value column's sort link")
    value_header = page.locator("th", has=page.locator("#sort-value"))
    assert value_header.get_attribute("aria-sort") is None
    with hx_response(page, "/explore/compare/"):
        page.keyboard.press("Enter")
    page.wait_for_function(SETTLED)
    expect(value_header).to_have_attribute("aria-sort", "ascending")
    assert page.evaluate(ACTIVE_ID) == "sort-value", "focus was lost after sorting"
    values = page.locator(
        "#explorer-panel tbody tr:not(.explorer-row--benchmark) td:nth-of-type(2)"
    )
    numbers = [float(text.split()[0].replace(",", "")) for text in values.all_inner_texts()]
    assert numbers == sorted(numbers) and len(numbers) > 10
    assert page.evaluate("() => window.outcomesNoReload === true"), "the page reloaded"


def check_charts_and_signals(page) -> int:
    """Every chart on the page: a caption as its text alternative, a table with its data after
    it, its drawing hidden from screen readers, and a legend naming each colour. Every colour
    in tables and icons comes with a word. Returns the number of charts checked."""
    figures = page.locator("figure.outcomes-chart")
    for index in range(figures.count()):
        figure = figures.nth(index)
        figure.locator(".js-chart[data-drawn]").wait_for()
        caption_id = figure.get_attribute("aria-labelledby")
        assert caption_id and len(page.locator(f"#{caption_id}").inner_text()) > 40
        assert figure.evaluate(
            """(figure) => { for (let next = figure.nextElementSibling; next;
                                  next = next.nextElementSibling) {
                               if (next.matches("table") || next.querySelector("table")) return true;
                             } return false; }"""
        ), f"no data table after chart {caption_id}"
        chart = figure.locator(".js-chart")
        assert chart.evaluate(
            "(chart) => [...chart.querySelectorAll('svg.main-svg')].every("
            "(layer) => layer.getAttribute('aria-hidden') === 'true')"
        )
        # Coloured bars and markers are named in the legend, so colour is never the only key.
        # (A trace kept out of the legend on purpose, like the spine chart's pale outer
        # quarters either side of the named middle half, is read by its position.)
        unnamed = chart.evaluate(
            """(chart) => {
              const legend = [...chart.querySelectorAll(".legendtext")].map((t) => t.textContent);
              return chart.data.filter((trace) => trace.showlegend !== false && trace.name)
                .filter((trace) => !legend.includes(trace.name)).map((trace) => trace.name);
            }"""
        )
        assert not unnamed, f"chart {caption_id}: colours missing from the legend: {unnamed}"
    for selector, words in [
        (".explorer-label", ".explorer-label"),
        (".rpt-icon", ".rpt-icon__text"),
        (".rpt-tag", ".rpt-tag"),
    ]:
        for item in page.locator(selector).all():
            text = (item.locator(words) if words != selector else item).text_content()
            assert re.search(r"[A-Za-z]{3}", text), f"{page.url}: {selector} without words"
    return figures.count()


def test_charts_have_text_alternatives_tables_and_more_than_colour(live_server, page):
    log_in(page, live_server.url, "lead")
    checked = 0
    for url in [
        "/domains/LTC/",
        "/indicators/LTC05/",
        "/indicators/PRV05/",
        "/explore/compare/?indicator=PRV05&area_type=icb",
        "/explore/inequalities/?indicator=OVR04&area_type=local_authority&area=E06000023",
        "/explore/trends/?indicator=LTC05&area_type=local_authority",
        "/explore/area/?area_type=icb&area=E54000039",
        "/explore/funnel/?indicator=LTC05&area_type=local_authority",
    ]:
        page.goto(f"{live_server.url}{url}")
        checked += check_charts_and_signals(page)
    assert checked >= 7
    # The SPC icons in greyscale, for a person to look at: shapes and letters, not hue.
    page.goto(f"{live_server.url}/domains/LTC/")
    page.add_style_tag(content="html { filter: grayscale(1); }")
    Journey("greyscale", page).check("domain in greyscale", axe=False)


def test_the_overview_grid_scrolls_by_keyboard_and_keeps_its_headers_in_view(live_server, page):
    log_in(page, live_server.url, "manager")
    # A short window, so that the grid (42 ICBs by the seeded indicators) scrolls both ways.
    page.set_viewport_size({"width": 1280, "height": 420})
    page.goto(f"{live_server.url}/explore/overview/?area_type=icb")
    grid = page.locator(".overview-scroll")
    tab_to(page, "element.classList.contains('overview-scroll')")
    assert_focus_visible(page, "the overview grid")

    def offsets(selector: str) -> tuple[float, float]:
        """Where the element sits within the grid's visible box."""
        box, frame = page.locator(selector).first.bounding_box(), grid.bounding_box()
        return box["x"] - frame["x"], box["y"] - frame["y"]

    area_name, indicator_name = ".overview-grid thead th:nth-child(5)", ".overview-grid__indicator"
    area_before, indicator_before = offsets(area_name), offsets(indicator_name)
    for _ in range(12):
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)  # smooth scrolling settles
    left, top = grid.evaluate("(element) => [element.scrollLeft, element.scrollTop]")
    assert left > 0 and top > 0, "the arrow keys did not scroll the grid"
    # The area names stay at the top and the indicator names at the left while it scrolls.
    assert offsets(area_name)[1] == pytest.approx(area_before[1], abs=1)
    assert offsets(indicator_name)[0] == pytest.approx(indicator_before[0], abs=1)
    page.set_viewport_size({"width": 1280, "height": 900})
    # For a person to look at: the comparison read by shape and word, not hue.
    page.add_style_tag(content="html { filter: grayscale(1); }")
    Journey("greyscale", page).check("overview in greyscale", axe=False)
    page.goto(f"{live_server.url}/summary/")
    page.add_style_tag(content="html { filter: grayscale(1); }")
    Journey("greyscale-summary", page).check("summary icons in greyscale", axe=False)


def test_the_pages_beyond_the_journeys_pass_axe_at_both_widths(live_server, page):
    """Programmes, the narrative editor and the explorer views no journey opens."""
    journey = Journey("beyond", page)
    log_in(page, live_server.url, "analyst")
    pages = [
        ("programmes", "/programmes/"),
        ("programme", "/programmes/C20CAN/"),
        ("narrative editor", "/indicators/PRV05/narrative/"),
        ("area summary", "/explore/area/?area_type=icb&area=E54000039"),
        ("trends", "/explore/trends/?indicator=OVR04&area_type=local_authority&area=E06000023"),
        ("map", "/explore/map/?indicator=OVR04&area_type=local_authority"),
        ("funnel plot", "/explore/funnel/?indicator=LTC05&area_type=icb"),
        ("funnel plot, no method", "/explore/funnel/?indicator=OVR01&area_type=icb"),
        ("overview of every ICB", "/explore/overview/?area_type=icb"),
        ("summary icons by gap", "/summary/?sort=gap"),
        ("board pack for a domain", "/board-pack/?domain=LTC"),
    ]
    for title, path in pages:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, (path, response.status)
        page.wait_for_function(SETTLED)
        journey.check(title)
    journey.assert_no_problems()
