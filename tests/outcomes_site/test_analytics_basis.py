"""Issue 16, point 1: derived statistics from every value for analysts, from the shown
values for everyone else, seen through each output (docs/disclosure.md)."""

import io

import pytest
from django.db import transaction
from pypdf import PdfReader

from indicators.models import Observation
from indicators.vocabulary import quintile_label
from ingest.derive import analytics_derive
from ingest.schema import QUINTILE_TYPE
from ingest.writing import observations_incoming, observations_write
from tests.board_packs import board_pack_pdf
from tests.extracts import extract, values_frame

YEARS = ["2021/22", "2022/23", "2023/24"]
WITHHELD = "Not shown: quintiles 3 and 5 are suppressed to protect small numbers"


@pytest.fixture
def data(framework, geography):
    """Smoking at the headline ICB, with its IMD quintiles in 2023/24: quintile 3 holds five
    smokers, so it is suppressed (and quintile 5 with it) for protected roles."""
    rows = [("PRV01", "E54000039", year, 16.0, 15.5, 16.5) for year in YEARS]
    rows += [("PRV01", "E92000001", year, 14.0, 13.9, 14.1) for year in YEARS]
    counts = {1: 1800, 2: 1400, 3: 5, 4: 900, 5: 700}
    for number, count in counts.items():
        rows.append(("PRV01", "E54000039", "2023/24", count / 100, 0, 0, "Persons",
                     QUINTILE_TYPE, quintile_label(number)))  # fmt: skip
    frame = values_frame(rows)
    frame["denominator"] = 10_000.0
    frame["count"] = frame["value"] * 100
    with transaction.atomic():
        observations_write(observations_incoming(frame), extract=extract())
        analytics_derive(indicator_ids=[Observation.objects.first().indicator_id])


def outputs(client) -> dict[str, str]:
    area = "indicator=PRV01&area_type=icb&area=E54000039&period=2023/24&breakdown=imd_quintile"
    return {
        "indicator page": client.get("/indicators/PRV01/").text,
        "inequality CSV": client.get("/indicators/PRV01/inequality.csv").text,
        "explorer": client.get(f"/explore/inequalities/?{area}").text,
        "API": client.get("/api/inequalities/?indicator=PRV01").text,
    }


def test_a_viewer_is_told_truthfully_why_the_summary_is_withheld(client, viewer, data, eager_tasks):
    client.force_login(viewer)
    for name, text in outputs(client).items():
        assert WITHHELD in text, name
        assert "no population" not in text, name


def test_an_analyst_sees_the_summary_from_every_value(client, analyst, data, eager_tasks):
    client.force_login(analyst)
    for name, text in outputs(client).items():
        assert WITHHELD not in text, name
    api = client.get("/api/inequalities/?indicator=PRV01").json()["results"]
    assert api[0]["gap"] == pytest.approx(18.0 - 7.0) and api[0]["sii"] is not None


def test_spc_from_every_point_for_analysts_and_without_the_suppressed_one_for_viewers(
    client, viewer, analyst, framework, geography, eager_tasks
):
    """Thirteen years at the headline ICB, one of them a small count: an analyst's chart has
    all thirteen points and an SPC verdict; a viewer's leaves the small one out, so twelve
    points give a run chart and no verdict."""
    years = [f"{year}/{(year + 1) % 100:02d}" for year in range(2010, 2023)]
    rows = [("PRV01", "E54000039", year, 15.0 + number % 3, 14.0, 17.0)
            for number, year in enumerate(years)]  # fmt: skip
    frame = values_frame(rows)
    frame["denominator"] = 10_000.0
    frame["count"] = frame["value"] * 100
    frame.loc[5, ["value", "count"]] = [0.04, 4.0]  # 2015/16: four smokers
    with transaction.atomic():
        observations_write(observations_incoming(frame), extract=extract())
        analytics_derive(indicator_ids=[Observation.objects.first().indicator_id])
    client.force_login(analyst)
    page = client.get("/indicators/PRV01/").text
    assert "Statistical process control (XmR) chart" in page
    assert "fewer than 13 points" not in pdf_text(client)
    client.force_login(viewer)
    page = client.get("/indicators/PRV01/").text
    assert "Run chart (No SPC: fewer than 13 points)" in page
    assert "No SPC: fewer than 13 points" in pdf_text(client)


def pdf_text(client) -> str:
    pdf = board_pack_pdf(client)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
