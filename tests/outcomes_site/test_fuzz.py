"""Bad input never gives a 500 (docs/design.md §6): random query strings against every reporting,
explorer and API view, and random or malformed files against the upload screen.

Bounded for CI: a modest number of examples, derandomised there (tests/conftest.py)."""

from __future__ import annotations

import functools
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.models import Extract, Observation
from tests.cast import make_user
from tests.explorer_scenario import build

PAGES = [
    "/", "/domains/OVR/", "/domains/INT/", "/indicators/PRV01/", "/indicators/LTC03/",
    "/indicators/LTC03/trend.csv", "/indicators/LTC03/spc.csv", "/indicators/PRV01/narrative/",
    "/programmes/", "/board-pack.pdf",
    "/explore/", "/explore/compare/", "/explore/area/", "/explore/inequalities/",
    "/explore/trends/", "/explore/map/", "/explore/compare/download.csv",
    "/explore/area/download.csv", "/explore/inequalities/download.csv",
    "/explore/trends/download.csv", "/explore/map/download.csv",
    "/api/", "/api/indicators/", "/api/areas/", "/api/data/", "/api/inequalities/",
    "/admin/indicators/extract/", "/admin/indicators/auditevent/", "/admin/indicators/observation/",
]  # fmt: skip
KEYS = [
    "period", "sort", "domain", "indicator", "area_type", "parent", "area", "sex", "age",
    "breakdown", "colour", "category_type", "page", "page_size", "format",
    "o", "q", "p", "e", "at__gte", "status__exact", "action__exact", "_changelist_filters",
]  # fmt: skip
PLAUSIBLE = [
    "LTC03", "PRV01", "OVR04", "INT09", "OVR", "E54000039", "E92000001", "E06000023",
    "icb", "lsoa", "region", "2023/24", "2022/23", "2023", "Persons", "Male", "All ages",
    "none", "csv", "json", "imd_quintile", "sex", "england", "value", "-value",
    "IMD 2019 quintile (national)",
]  # fmt: skip
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["0", "-1", "1e309", "NaN", "inf", "9" * 400, "0x10", "1.5", " 2 "]),
)
ODD = st.sampled_from(
    ["%", "%zz", "%ff%fe", "%00", "%E2%82", "%u2603", "&&&", "===", "+", ";", "[]", "a[]=1"]
)
TEXT = st.text(max_size=40)  # any unicode, including NUL, surrogates are excluded by default
VALUES = st.one_of(st.sampled_from(PLAUSIBLE), NUMBERS, TEXT, ODD)
KEY = st.one_of(st.sampled_from(KEYS), TEXT, ODD)


def quote(text: str) -> str:
    from urllib.parse import quote as url_quote

    return url_quote(text, safe="")


@st.composite
def query_strings(draw) -> str:
    """A raw query string: encoded pairs, repeated keys, and raw malformed fragments."""
    parts = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        key, value = draw(KEY), draw(VALUES)
        if draw(st.booleans()):
            parts.append(f"{quote(key)}={quote(value)}")
        else:  # raw: percent signs and ampersands left as they are
            parts.append(f"{key}={value}".replace("#", "%23").replace(" ", "+"))
    return "&".join(parts)


# Paths whose codes come from the URL itself.
TEMPLATES = [
    "/domains/{}/", "/indicators/{}/", "/indicators/{}/narrative/", "/indicators/LTC03/{}.csv",
    "/programmes/{}/", "/explore/{}/download.csv",
]  # fmt: skip
PATHS = st.one_of(
    st.sampled_from(PAGES),
    st.builds(lambda template, code: template.format(quote(code) or "x"),
              st.sampled_from(TEMPLATES), st.one_of(st.sampled_from(PLAUSIBLE), TEXT)),
)  # fmt: skip

# At least this many examples; more under HYPOTHESIS_PROFILE=explore.
FUZZ = settings(
    max_examples=max(150, settings.default.max_examples),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def clients(framework, geography):
    build(framework, geography, icbs_per_region=1, years=2)
    signed_in = {}
    for role, staff in [("viewer", False), ("owner", False), ("analyst", True)]:
        client = Client(raise_request_exception=False)
        client.force_login(make_user(f"fuzz_{role}", role, staff=staff))
        signed_in[role] = client
    return signed_in


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    """Run with DEBUG off and on: Django answers some bad requests differently with DEBUG on
    (its technical pages), and those answers must not be 500s either."""
    settings.DEBUG = request.param
    return request.param


@FUZZ
@given(path=PATHS, role=st.sampled_from(["viewer", "owner", "analyst"]),
       query=query_strings(), htmx=st.booleans())  # fmt: skip
def test_random_query_strings_never_give_a_500(clients, debug, path, role, query, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    before = Observation.objects.count()
    response = clients[role].get(f"{path}?{query}", headers=headers)
    # A page; a redirect (the admin's to its login or to a reset list, the board pack's to its
    # form); a 400 for a query it cannot read; 403 for a page the role may not see; or a 404.
    assert response.status_code in (200, 302, 400, 403, 404), (path, query, response.status_code)
    assert Observation.objects.count() == before


# --- Uploads --------------------------------------------------------------------------------------

HEADER = b"indicator_code,period,area_code,sex,age_band,numerator,denominator\n"
GOOD_ROW = b"PRV01,2023/24,E01014485,Persons,All ages,10,100\n"


def xlsx_bytes(rows) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ILLEGAL_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@functools.cache
def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<x/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 1024 * 1024))
    return buffer.getvalue()


CSV_CELLS = st.one_of(st.sampled_from(["PRV01", "2023/24", "E01014485", "Persons", "All ages",
                                       "10", "100", "=SUM(A1)", "-5", '"', '""', "\r", "é"]),
                      TEXT, NUMBERS)  # fmt: skip


@st.composite
def malformed_csv(draw) -> bytes:
    rows = draw(st.lists(st.lists(CSV_CELLS, max_size=9), max_size=6))
    text = "\n".join(",".join(row) for row in rows)
    header = draw(
        st.sampled_from([HEADER, b"", b"Indicator ID,Area Code,Sex,Age,Time period,Value\n"])
    )
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "cp1252"]))
    return header + text.encode(encoding, errors="replace")


@st.composite
def malformed_xlsx(draw) -> bytes:
    rows = [
        ["indicator_code", "period", "area_code", "sex", "age_band", "numerator", "denominator"]
    ]
    cells = CSV_CELLS.map(lambda cell: ILLEGAL_IN_XLSX.sub("", cell))  # openpyxl refuses them
    rows += draw(st.lists(st.lists(cells, max_size=8), max_size=4))
    data = xlsx_bytes(rows)
    cut = draw(st.sampled_from([None, 10, 100, len(data) // 2, len(data) - 30]))
    return data if cut is None else data[:cut]  # truncated zips too


FILES = st.one_of(
    st.tuples(
        st.binary(max_size=2000),
        st.sampled_from(["x.csv", "x.xlsx", "x.txt", "x", "../../etc/passwd.csv"]),
    ),
    st.tuples(malformed_csv(), st.sampled_from(["x.csv", "x.xlsx", "x.CSV"])),
    st.tuples(malformed_xlsx(), st.sampled_from(["x.xlsx", "x.csv"])),
    st.just(("BOMB", "bomb.xlsx")),  # built once, in the test: its repr is megabytes long
    st.tuples(st.just(b"PK\x03\x04" + b"\0" * 100), st.just("fake.xlsx")),
)


@pytest.fixture
def uploader(framework, geography, eager_tasks, django_capture_on_commit_callbacks):
    build(framework, geography, icbs_per_region=1, years=1)
    client = Client(raise_request_exception=False)
    client.force_login(make_user("fuzz_analyst", "analyst", staff=True))
    client.on_commit = django_capture_on_commit_callbacks
    return client


@settings(max_examples=max(60, settings.default.max_examples // 5), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(upload=FILES, kind=st.sampled_from(["counts", "values", "", "nonsense"]))
def test_random_and_malformed_uploads_are_refused_cleanly(uploader, upload, kind):
    data, name = upload
    if data == "BOMB":
        data = zip_bomb()
    observations = list(Observation.objects.order_by("pk").values_list("pk", "value"))
    extracts = set(Extract.objects.values_list("pk", flat=True))
    with uploader.on_commit(execute=True):
        response = uploader.post(
            "/admin/indicators/extract/upload/",
            {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "kind": kind},
        )
    # Two answers only: stored and processed (a redirect to the extract), or refused on the form.
    assert response.status_code in (200, 302), response.status_code
    if kind not in ("counts", "values"):  # no such kind: the form refuses it, whatever the file
        assert response.status_code == 200
    if response.status_code == 302:  # stored and processed: it must have failed, with a report
        (new,) = Extract.objects.exclude(pk__in=extracts)
        assert new.status == "failed" and new.error_summary
        page = uploader.get(response["Location"])
        assert page.status_code == 200 and "Status: Failed" in page.text
    else:  # the form shown again, saying why, and nothing stored
        assert "Please correct the error" in response.text and "errorlist" in response.text
        assert set(Extract.objects.values_list("pk", flat=True)) == extracts
    assert list(Observation.objects.order_by("pk").values_list("pk", "value")) == observations


def test_too_many_query_parameters_give_the_400_page(clients, debug):
    # 1,001 is one over DATA_UPLOAD_MAX_NUMBER_FIELDS. With DEBUG on, Django's technical
    # page read the parameters again and raised again, which made a 500.
    query = "&".join(f"p{number}=1" for number in range(1001))
    for client in (clients["viewer"], Client(raise_request_exception=False)):
        response = client.get(f"/explore/compare/?{query}")
        assert response.status_code == 400
        assert "Sorry, we could not read that request" in response.text


def test_a_form_with_too_many_fields_gives_the_400_page(clients, debug):
    fields = {f"p{number}": "1" for number in range(1001)}
    response = Client(raise_request_exception=False).post("/accounts/login/", fields)
    assert response.status_code == 400
    assert "Sorry, we could not read that request" in response.text


@pytest.mark.parametrize(
    "path", ["/domains/%00/", "/indicators/LT%00C03/", "/admin/indicators/auditevent/?q=%00"]
)
def test_a_nul_character_in_the_address_is_a_400_not_a_500(clients, path):
    # Found by the fuzzer: PostgreSQL refuses NUL in text, so a lookup by such a code failed.
    assert clients["analyst"].get(path).status_code == 400
