"""Any system can run its framework: a second system (NHS Devon), built from this test's own
registry, geography and data — nothing from the demo — is configured with import_system,
loaded through the ingest pipeline and crawled as a viewer. Every page, CSV, API answer and
the board pack speak of Devon, and none has a trace of the demo's system."""

import io
import re

import pytest
from django.core.management import call_command

from indicators.models import (
    Area,
    AreaType,
    Domain,
    ExtractStatus,
    Indicator,
    Partner,
    Programme,
)
from ingest.services import extract_create, extract_process
from tests.board_packs import board_pack_pdf, pdf_pages
from tests.cast import make_user
from tests.geography import rank

DEMO_TRACES = ["BNSSG", "Bristol", "North Somerset", "South Gloucestershire", "E54000039",
               "E38000222", "Healthier Together"]  # fmt: skip
SYSTEM_FILE = """
[system]
name = "One Devon"
short_name = "One Devon"
headline_area = "E54000037"
framework_title = "One Devon outcomes framework"

[[comparator_groups]]
code = "SW"
name = "South West ICBs"
kind = "nhs_region"
default = true
method_note = "The ICBs of the NHS South West region."
members = ["E54000037", "E54000036"]
"""
LSOAS = [  # code, name, IMD 2019 decile: one per quintile in each of the two councils
    ("E01015100", "Plymouth 001A", 1), ("E01015101", "Plymouth 001B", 3),
    ("E01015102", "Plymouth 001C", 5), ("E01015103", "Plymouth 001D", 7),
    ("E01015104", "Plymouth 001E", 9),
    ("E01020100", "Torbay 001A", 2), ("E01020101", "Torbay 001B", 4),
    ("E01020102", "Torbay 001C", 6), ("E01020103", "Torbay 001D", 8),
    ("E01020104", "Torbay 001E", 10),
]  # fmt: skip


def devon_geography():
    types = {area_type.code: area_type for area_type in AreaType.objects.all()}

    def area(code, name, kind, parent=None, decile=None):
        created = Area.objects.create(code=code, name=name, area_type=types[kind], parent=parent)
        return created if decile is None else rank(created, decile)

    england = area("E92000001", "England", "england")
    region = area("E40000006", "South West", "region", england)
    devon = area("E54000037", "NHS Devon Integrated Care Board", "icb", region)
    area("E54000036", "NHS Cornwall and the Isles of Scilly Integrated Care Board", "icb", region)
    councils = {
        "Plymouth": area("E06000026", "Plymouth", "local_authority", devon),
        "Torbay": area("E06000027", "Torbay", "local_authority", devon),
    }
    for code, name, decile in LSOAS:
        area(code, name, "lsoa", councils[name.split()[0]], decile)


def devon_registry():
    council = Partner.objects.create(name="Plymouth City Council")
    domain = Domain.objects.create(
        code="HLT", name="Healthy lives", reporting_question="Are people healthier?", order=1
    )
    common = {"definition": "A definition.", "frequency": "annual", "status": "published",
              "domain": domain, "owner": council, "breakdowns": ["sex", "imd_quintile"]}  # fmt: skip
    Indicator.objects.create(
        code="DEV01", name="Smoking prevalence", value_type="proportion", multiplier=100,
        unit_label="%", polarity="lower_better", ci_method="wilson", **common,
    )  # fmt: skip
    smoking = Indicator.objects.get(code="DEV01")
    programme = Programme.objects.create(code="SMK", name="Smokefree", lead_partner=council)
    programme.indicators.add(smoking)
    Indicator.objects.create(
        code="DEV02", name="Bowel screening coverage", value_type="proportion", multiplier=100,
        unit_label="%", polarity="higher_better", ci_method="wilson", **common,
    )  # fmt: skip


def devon_counts() -> bytes:
    rows = ["indicator_code,period,area_code,sex,age_band,numerator,denominator"]
    for year, period in enumerate(["2021/22", "2022/23", "2023/24"]):
        for number, (code, _, decile) in enumerate(LSOAS):
            for sex in ("Male", "Female"):
                smokers = 40 + 3 * (10 - decile) - 2 * year + number % 3
                screened = 300 + 5 * decile + 4 * year
                rows.append(f"DEV01,{period},{code},{sex},All ages,{smokers},400")
                rows.append(f"DEV02,{period},{code},{sex},All ages,{screened},500")
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture
def devon(db, tmp_path):
    devon_geography()
    devon_registry()
    path = tmp_path / "devon.toml"
    path.write_text(SYSTEM_FILE)
    call_command("import_system", str(path), stdout=io.StringIO())
    extract = extract_create(
        data=devon_counts(), original_name="devon.csv", kind="counts", enqueue=False
    )
    extract = extract_process(extract_id=extract.pk)
    assert extract.status == ExtractStatus.SUCCEEDED, extract.error_summary


def pages(client) -> dict[str, str]:
    """Every page a viewer can reach, its downloads, the API and the board pack's text."""
    explorer = ["compare", "area", "inequalities", "trends", "map"]
    query = "indicator=DEV01"
    urls = ["/", "/domains/HLT/", "/programmes/", "/programmes/SMK/"]
    for code in ("DEV01", "DEV02"):
        urls += [f"/indicators/{code}/"] + [
            f"/indicators/{code}/{chart}.csv" for chart in ("trend", "spc", "inequality")
        ]
    for page in explorer:
        urls += [f"/explore/{page}/", f"/explore/{page}/?{query}"]
    for page in ["compare", "summary", "inequalities", "trends", "map"]:
        urls.append(f"/explore/{page}/download.csv?{query}")
    urls += [
        "/api/", "/api/indicators/", "/api/areas/", f"/api/data/?{query}",
        f"/api/data/?{query}&format=csv", "/api/inequalities/?indicator=DEV01",
        "/api/inequalities/?indicator=DEV01&format=csv", "/api/data/?indicator=DEV01&group=SW",
    ]  # fmt: skip
    answers = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        answers[url] = response.getvalue().decode()  # the API CSV is streamed
    answers["/board-pack.pdf"] = "\n".join(pdf_pages(board_pack_pdf(client)))
    return answers


def test_a_second_system_crawled_as_a_viewer_shows_no_trace_of_the_demo(client, devon, eager_tasks):
    client.force_login(make_user("devon_viewer", "viewer"))
    answers = pages(client)
    for url, text in answers.items():
        for trace in DEMO_TRACES:
            assert trace not in text, f"{url} mentions {trace}"
    # The configured system speaks on every board-facing page and in the pack.
    for url in ["/", "/indicators/DEV01/", "/programmes/SMK/",
                "/board-pack.pdf"]:  # fmt: skip
        assert "One Devon" in answers[url], url
    assert "Values are for NHS Devon Integrated Care Board" in answers["/domains/HLT/"]
    assert "One Devon outcomes framework" in answers["/"]
    pack = re.sub(r"\s+", " ", answers["/board-pack.pdf"])
    assert "One Devon outcomes framework" in pack
    assert "NHS Devon Integrated Care Board" in pack
    # The explorer starts on the system's own area; the data came through the pipeline.
    assert 'value="E54000037" selected' in answers["/explore/compare/?indicator=DEV01"]
    assert "E54000037" in answers["/api/data/?indicator=DEV01&format=csv"]
