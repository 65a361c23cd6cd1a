"""Disclosure control in every output: the same small numbers, seen by each role through the
pages, chart JSON, CSV downloads, the API and the PDF board pack (docs/domain.md §7)."""

import io
import json
import re
from datetime import date

import pytest
from pypdf import PdfReader

from indicators.disclosure import SUPPRESSED_NOTE
from indicators.models import Observation, Period
from ingest.derive import analytics_derive
from tests.board_packs import board_pack_pdf

# Distinctive raw numbers: if one of these strings reaches a protected viewer, it leaked.
SMALL_VALUE = 3.8461  # 5 of 130
SMALL_COUNT = 5
SECONDARY_VALUE = 47.1234  # females: a group of two, one suppressed → both hidden
ROUNDED_COUNT = 613


@pytest.fixture
def data(db, framework, geography):
    smoking = framework["smoking"]
    period = Period.objects.create(
        label="2023/24", kind="financial_year", start=date(2023, 4, 1), end=date(2024, 3, 31),
        sort_key="2023040120240331",
    )  # fmt: skip
    icb, bristol = geography["icb"], geography["bristol"]

    def add(area, value, count, denominator, **fields):
        Observation.objects.create(
            indicator=smoking, area=area, period=period, value=value, lower_95=value - 1,
            upper_95=value + 1, count=count, denominator=denominator, **fields,
        )  # fmt: skip

    add(geography["england"], 12.5, 600_000, 4_800_000)
    add(icb, SMALL_VALUE, SMALL_COUNT, 130)  # headline: a small count
    add(bristol, 14.77, ROUNDED_COUNT, 4150)  # counts to round
    add(bristol, SECONDARY_VALUE, 400, 849, sex="Female")
    add(bristol, 2.5, 6, 240, sex="Male")  # small: suppressed, so Female is too
    analytics_derive(indicator_ids=[smoking.pk])
    return {"indicator": smoking, "period": period, "bristol": bristol}


def test_the_pipeline_flags_primary_and_secondary_suppression(data):
    flags = dict(Observation.objects.filter(area=data["bristol"]).values_list("sex", "suppressed"))
    assert flags == {"Persons": False, "Female": True, "Male": True}


def outputs(client) -> dict[str, str]:
    """Every output that shows the Bristol breakdown or the ICB headline, as text."""
    explorer = "area_type=local_authority&indicator=PRV01&period=2023/24&area=E06000023"
    pages = {
        "indicator page": "/indicators/PRV01/",
        "indicator CSV": "/indicators/PRV01/trend.csv",
        "framework": "/",
        "explorer compare": f"/explore/compare/?{explorer}",
        "explorer inequalities": f"/explore/inequalities/?{explorer}&breakdown=sex",
        "explorer CSV": f"/explore/inequalities/download.csv?{explorer}&breakdown=sex",
        "API": "/api/data/?indicator=PRV01",
        "API CSV": "/api/data/?indicator=PRV01&format=csv",
    }
    texts = {}
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        texts[name] = response.getvalue().decode()  # the API CSV is streamed
    pdf = board_pack_pdf(client)
    texts["board pack"] = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages
    )
    return texts


def leaks(text: str) -> list[str]:
    found = []
    for raw in ["3.846", "47.12", "613", "849"]:
        if raw in text:
            found.append(raw)
    # The small counts themselves, as table cells or in the API's results.
    if re.search(r">\s*[56]\s*<", text):
        found.append("small count")
    if text.startswith("{"):
        results = json.loads(text)["results"]
        found += [f"count {row['count']}" for row in results if row["count"] in (5, 6)]
    return found


@pytest.mark.parametrize("role", ["viewer", "owner"])
def test_protected_roles_see_no_small_number_anywhere(client, data, role, request, eager_tasks):
    client.force_login(request.getfixturevalue(role))
    for name, text in outputs(client).items():
        assert not leaks(text), f"{name} shows {leaks(text)} to a {role}"


def test_public_read_visitors_are_protected_too(client, data, settings, eager_tasks):
    settings.PUBLIC_READ = True
    for name, text in outputs(client).items():
        assert not leaks(text), f"{name} shows {leaks(text)} to the public"


def test_analysts_see_the_numbers_as_stored(client, data, analyst, eager_tasks):
    client.force_login(analyst)
    texts = outputs(client)
    assert "3.846" in texts["indicator page"] and "3.846" in texts["API"]
    assert "47.12" in texts["explorer inequalities"] and "613" in texts["explorer CSV"]
    assert "3.8" in texts["board pack"]


def test_protected_viewers_are_told_why(client, data, viewer):
    client.force_login(viewer)
    api = client.get("/api/data/?indicator=PRV01&area=E06000023").json()["results"]
    notes = {row["sex"]: (row["value"], row["value_note"], row["count"]) for row in api}
    assert notes["Male"] == (None, SUPPRESSED_NOTE, None)
    assert notes["Female"] == (None, SUPPRESSED_NOTE, None)
    assert notes["Persons"][2] == 615  # rounded to the nearest 5
    page = client.get("/indicators/PRV01/").content.decode()
    assert "Small numbers." in page and "rounded to the nearest 5" in page


def test_suppressed_values_are_left_out_of_the_spc_and_trends(data, geography):
    from indicators.models import SeriesAnalytics

    for year in (2021, 2022):
        period = Period.objects.create(
            label=f"{year}/{year % 100 + 1}", kind="financial_year", start=date(year, 4, 1),
            end=date(year + 1, 3, 31), sort_key=f"{year}0401{year + 1}0331",
        )  # fmt: skip
        Observation.objects.create(
            indicator=data["indicator"], area=geography["icb"], period=period, value=11.0,
            lower_95=10.0, upper_95=12.0, count=110, denominator=1000,
        )  # fmt: skip
    analytics_derive(indicator_ids=[data["indicator"].pk])
    headline = SeriesAnalytics.objects.get(
        basis="shown", indicator=data["indicator"], area__code="E54000039", sex="Persons"
    )
    values = [point["value"] for point in headline.spc_points]
    assert values == [11.0, 11.0]  # the suppressed 2023/24 value is not charted
