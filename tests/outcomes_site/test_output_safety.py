"""User-supplied text (indicator names, area names from files, narratives) is inert in every
output: escaped in HTML, in chart JSON (and in plotly's own label markup) and neutralised
in CSV."""

import csv
import io
import json
import re
from datetime import UTC, date, datetime

import pytest

from indicators.models import Commentary, Observation, Period

ATTACK = '<img src=x onerror="alert(1)">'
FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def hostile(db, framework, geography):
    smoking = framework["smoking"]
    smoking.name = f"Smoking {ATTACK}"
    smoking.save()
    bristol = geography["bristol"]
    bristol.name = FORMULA + ATTACK
    bristol.save()
    period = Period.objects.create(
        label="2023/24", kind="financial_year", start=date(2023, 4, 1), end=date(2024, 3, 31),
        sort_key="2023040120240331",
    )  # fmt: skip
    for area, value in [(geography["england"], 12.0), (geography["icb"], 13.0), (bristol, 14.0)]:
        Observation.objects.create(
            indicator=smoking, area=area, period=period, value=value, lower_95=value - 1,
            upper_95=value + 1, count=400, denominator=3000,
        )  # fmt: skip
    Commentary.objects.create(
        indicator=smoking, area=geography["icb"], period=period, status="published",
        published_at=datetime(2024, 5, 1, tzinfo=UTC), what_data_shows=f"Rising {ATTACK}",
    )  # fmt: skip
    return smoking


PAGES = [
    "/",
    "/indicators/PRV01/",
    "/explore/compare/?indicator=PRV01&area_type=local_authority&period=2023/24",
    "/explore/trends/?indicator=PRV01&area_type=local_authority&area=E06000023",
    "/explore/map/?indicator=PRV01&area_type=local_authority&period=2023/24",
]


@pytest.mark.parametrize("path", PAGES)
def test_names_are_escaped_in_html_and_chart_json(client, hostile, analyst, path):
    client.force_login(analyst)
    html = client.get(path).content.decode()
    assert "<img" not in html
    for payload in re.findall(
        r'<script[^>]*type="application/json"[^>]*>(.*?)</script>', html, re.S
    ):
        # Inside the chart data plotly renders labels as its own markup: no tag but ours.
        tags = set(re.findall(r"<(/?\w+)", json.dumps(json.loads(payload), ensure_ascii=False)))
        assert tags <= {"b", "/b", "br", "extra", "/extra", "i", "/i"}, tags


def test_csv_cells_that_start_a_formula_are_neutralised(client, hostile, analyst):
    client.force_login(analyst)
    response = client.get(
        "/explore/compare/download.csv?indicator=PRV01&area_type=local_authority&period=2023/24"
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    bristol = next(row for row in rows if row["Area Code"] == "E06000023")
    assert bristol["Area Name"].startswith("'=")
