"""Gap to target on the indicator page, the domain table and the board pack: analysts see
the number from the exact counts, everyone else an approximate one from the rounded counts."""

import re

import pytest

from indicators.models import Observation, Period
from tests.board_packs import board_pack_pdf, pdf_pages
from tests.target_gaps import ANALYST_GAP, DSR_NOTE, VIEWER_GAP, build_target_gaps


@pytest.fixture
def gaps(framework, geography):
    return build_target_gaps(framework, geography)


def _gap_row(page: str) -> str:
    start = page.index("Gap to target</dt>")
    return page[start : page.index("</div>", start)]


@pytest.mark.parametrize(("role", "expected"), [("analyst", ANALYST_GAP), ("viewer", VIEWER_GAP)])
def test_indicator_page_shows_the_people_needed(client, request, gaps, role, expected):
    client.force_login(request.getfixturevalue(role))
    row = _gap_row(client.get("/indicators/GAP01/").text)
    assert f"{expected} in 2024" in row
    assert ("rounded to the nearest 5" in row) == (role == "viewer")


def test_indicator_page_says_target_met_and_why_a_dsr_has_no_gap(client, viewer, gaps):
    client.force_login(viewer)
    assert "Target met in 2024" in _gap_row(client.get("/indicators/GAP02/").text)
    assert DSR_NOTE in _gap_row(client.get("/indicators/OVR04/").text)


def test_indicator_without_a_target_has_no_gap_row(client, viewer, framework, geography, gaps):
    Observation.objects.create(
        indicator=framework["smoking"], area=geography["icb"], period=Period.objects.get(),
        value=15.0, count=150, denominator=1000,
    )  # fmt: skip
    client.force_login(viewer)
    page = client.get("/indicators/PRV01/").text
    assert "No target set" in page and "Gap to target</dt>" not in page


@pytest.mark.parametrize(
    ("role", "expected", "hidden"),
    [("analyst", ANALYST_GAP, VIEWER_GAP), ("viewer", VIEWER_GAP, ANALYST_GAP)],
)
def test_domain_table_has_a_gap_column(client, request, gaps, role, expected, hidden):
    client.force_login(request.getfixturevalue(role))
    page = client.get("/domains/OVR/").text
    assert "Gap to target" in page
    assert expected in page and hidden not in page
    assert "Target met" in page and DSR_NOTE in page


def test_domain_table_sorts_furthest_from_target_first(client, viewer, gaps):
    client.force_login(viewer)
    page = client.get("/domains/OVR/?sort=gap").text
    order = re.findall(r'href="/indicators/(\w+)/"', page)
    # GAP01 needs people, GAP02 is met, OVR04 (a DSR) and PRV01 (no target) have no number.
    assert order[:2] == ["GAP01", "GAP02"]
    assert set(order[2:]) == {"OVR04", "PRV01"}
    assert 'aria-sort="ascending"><a href="?sort=gap"' in page


@pytest.mark.parametrize(("role", "expected"), [("analyst", ANALYST_GAP), ("viewer", VIEWER_GAP)])
def test_board_pack_facts_table_has_the_gap(client, request, gaps, role, expected, eager_tasks):
    client.force_login(request.getfixturevalue(role))
    text = " ".join(pdf_pages(board_pack_pdf(client, {"domain": "OVR"}))).replace("\n", " ")
    assert f"Gap to target {expected} in 2024" in text
    assert "Gap to target Target met in 2024" in text
    assert f"Gap to target {DSR_NOTE}" in text
    assert ("(from counts rounded to the nearest 5" in text) == (role == "viewer")
