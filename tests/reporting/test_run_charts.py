"""No SPC verdict without enough points: short series and overlapping pooled periods are
shown as run charts everywhere — page, chart data, API and board pack."""

import io

import pytest
from pypdf import PdfReader

from tests.board_packs import board_pack_pdf
from tests.series import headline_series


def years(count: int) -> list[str]:
    return [f"{year}/{(year + 1) % 100:02d}" for year in range(2000, 2000 + count)]


@pytest.mark.parametrize(
    "labels, reason",
    [
        (years(5), "fewer than 13 points"),
        ([f"{year} - {(year + 2) % 100:02d}" for year in range(2000, 2015)], "pooled periods"),
    ],
)
def test_a_series_without_enough_independent_points_gets_a_run_chart(
    client, viewer, labels, reason, eager_tasks
):
    headline_series(labels)
    client.force_login(viewer)
    page = client.get("/indicators/PRV01/").text
    assert "Run chart (No SPC:" in page and reason in page
    assert "Median" in page and "Upper process limit" not in page
    assert "Special cause" not in page and "Common cause variation" not in page
    api = client.get("/api/data/?indicator=PRV01&area=E54000039").json()["results"]
    latest = next(row for row in api if row["is_latest_period"])
    assert latest["spc_variation"] == "" and latest["spc_assurance"] == ""
    pdf = board_pack_pdf(client)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    # The summary's key says what every icon means; no row or section claims one.
    summary_rows = pages[2].split("Longer, healthier, fairer lives")[-1]
    sections = "\n".join(pages[3:])
    assert "Special cause" not in summary_rows + sections and reason in sections


def test_thirteen_points_give_spc_and_an_earlier_period_with_fewer_does_not(client, viewer):
    labels = years(14)
    headline_series(labels)
    client.force_login(viewer)
    latest = client.get("/indicators/PRV01/").text
    assert "Statistical process control (XmR) chart" in latest
    assert "Common cause variation" in latest
    earlier = client.get("/domains/OVR/", {"period": labels[8]}).text
    assert "No SPC: fewer than 13 points" in earlier and "Common cause variation" not in earlier


@pytest.fixture(autouse=True)
def _data(framework, geography):
    """The framework and geography every test here builds on."""
