"""Change points where people read them: a dotted line labelled "Change point" on the trend
and SPC charts, the reason in text under each chart, in the SPC table and its CSV, and in
the board pack's charts' footnotes."""

import csv
import io
import re

import pytest
from pypdf import PdfReader

from tests.board_packs import board_pack_pdf
from tests.series import (
    REASON,
    load_series,
    rebase_case_values,
    rebased_values,
    series_with_change_point,
)


def markers(figure: dict) -> list[tuple[str, str]]:
    """(period, hover text) of each change-point label, with its dotted line beside it."""
    lines = {
        shape["x0"]
        for shape in figure["layout"].get("shapes", [])
        if shape["line"]["dash"] == "dot" and shape["x0"] == shape["x1"]
    }
    return [
        (note["x"], note["hovertext"])
        for note in figure["layout"].get("annotations", [])
        if note["text"] == "Change point" and note["x"] in lines
    ]


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_indicator_page_marks_the_change_point_on_both_charts_and_says_why(client, viewer):
    values, start = rebased_values()
    periods = series_with_change_point(values, start)
    client.force_login(viewer)
    response = client.get("/indicators/PRV01/")
    page = words(response.text)
    assert "Statistical process control (XmR) chart" in page
    sentence = f"Change point from {periods[start]} (dotted vertical line): {REASON}"
    assert page.count(sentence) == 2  # under the trend chart and under the SPC chart
    expected = [(periods[start], f"Change point from {periods[start]}: {REASON}")]
    assert markers(response.context["trend_figure"]) == expected
    assert markers(response.context["spc_figure"]) == expected


def test_the_spc_csv_gives_each_points_phase_and_the_change_point(client, viewer):
    values, start = rebased_values()
    periods = series_with_change_point(values, start)
    client.force_login(viewer)
    rows = list(csv.reader(io.StringIO(client.get("/indicators/PRV01/spc.csv").text)))
    header, body = rows[0], rows[1:]
    assert header[-2:] == ["Phase starts", "Change point"]
    assert [row[-2] for row in body] == [periods[0]] * start + [periods[start]] * start
    assert [row[-1] for row in body] == [""] * start + [REASON] + [""] * (start - 1)


def test_a_run_chart_marks_the_change_point_too(client, viewer):
    """12 points after the change point: a run chart with a median per phase, and the same
    marker, sentence and columns."""
    values = rebase_case_values()
    periods = series_with_change_point(values, 12)
    client.force_login(viewer)
    response = client.get("/indicators/PRV01/")
    assert "Run chart (No SPC:" in response.text
    assert markers(response.context["spc_figure"]) == [
        (periods[12], f"Change point from {periods[12]}: {REASON}")
    ]
    assert f"Change point from {periods[12]} (dotted vertical line): {REASON}" in words(
        response.text
    )
    header = next(csv.reader(io.StringIO(client.get("/indicators/PRV01/spc.csv").text)))
    assert header == ["Period", "Value", "Median", "Phase starts", "Change point"]


def test_without_a_change_point_nothing_is_marked(client, viewer):
    values, _ = rebased_values()
    load_series(values)
    client.force_login(viewer)
    response = client.get("/indicators/PRV01/")
    assert markers(response.context["spc_figure"]) == []
    assert "Change point from" not in response.text


def test_the_board_pack_footnotes_the_change_point_under_its_charts(client, viewer, eager_tasks):
    values, start = rebased_values()
    periods = series_with_change_point(values, start)
    client.force_login(viewer)
    pdf = board_pack_pdf(client)
    text = words("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    footnote = f"Change point from {periods[start]}: {REASON}"
    assert text.count(footnote) == 2  # under the trend chart and under the SPC chart
    assert f"from {periods[start]}: {REASON}" in text.replace(footnote, "")  # the facts table


@pytest.fixture(autouse=True)
def _data(framework, geography):
    """The framework and geography every test here builds on."""
