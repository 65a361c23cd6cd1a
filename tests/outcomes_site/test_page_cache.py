"""Pages served from the page cache are never stale (indicators/page_cache.py): after each kind
of change — a published extract, a revert, a narrative, a target and a configuration edit —
every page served from a warm cache is the page built from nothing, and the pages that show
what changed show the change. The cache keeps audiences apart and nothing personal."""

import re
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client, RequestFactory
from django_htmx.middleware import HtmxDetails

from indicators.models import Indicator, Period, System, Target, TargetSource
from indicators.page_cache import BLOCKS, page_key
from ingest.services import extract_revert
from tests.cast import make_user
from tests.narratives import TEXT
from tests.review_scenario import CORRECTION, LIVE, process, values_file

PRV01 = "indicator=PRV01"
PAGES = {
    "framework summary": "/",
    "summary icons": "/summary/",
    "domain": "/domains/OVR/",
    "indicator": "/indicators/PRV01/",
    "compare": f"/explore/compare/?{PRV01}&area_type=local_authority",
    "area summary": "/explore/area/?area_type=icb&area=E54000039",
    "inequalities": f"/explore/inequalities/?{PRV01}&area_type=icb&area=E54000039",
    "trends": f"/explore/trends/?{PRV01}&area_type=local_authority&area=E06000023",
    "map": f"/explore/map/?{PRV01}&area_type=local_authority",
    "funnel": f"/explore/funnel/?{PRV01}&area_type=local_authority",
    "overview": "/explore/overview/?area_type=icb",
}
# What each kind of change shows on: the data on every page (the scenario has no deprivation
# breakdown, so inequalities shows none either way); a narrative on its indicator's page; a
# target on the pages that list each indicator against it (the summary's cards count SPC
# assurance, which five years are too few for); the system's name where the indicator page
# names the headline area's series.
DATA_PAGES = set(PAGES) - {"inequalities"}
TARGET_PAGES = {"summary icons", "domain", "indicator"}
NARRATIVE_PAGES = {"indicator"}
SYSTEM_PAGES = {"indicator"}


def main(html: str) -> str:
    """The page's own part: what the page cache keeps (the frame is per request)."""
    return re.search(r'<main[^>]*id="maincontent".*?</main>', html, re.S).group(0)


def pages(client) -> dict[str, str]:
    out = {}
    for name, url in PAGES.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        out[name] = main(response.content.decode())
    return out


def fresh(client) -> dict[str, str]:
    cache.clear()
    return pages(client)


@pytest.fixture
def live(framework, geography):
    extract = process(values_file(LIVE), "live.csv", publish=True)
    assert extract.status == "succeeded", extract.error_summary
    return extract


@pytest.fixture
def reader(live):
    client = Client()
    client.force_login(make_user("reader", "viewer"))
    return client


def reader_user():
    return User.objects.get(username="reader")


def changed(before: dict, after: dict) -> set[str]:
    return {name for name in PAGES if before[name] != after[name]}


def test_every_page_follows_each_kind_of_change(reader, live, geography, analyst, client):
    before = pages(reader)
    assert pages(reader) == before  # served from the cache, unchanged

    correction = process(values_file(CORRECTION), "correction.csv", publish=True)
    assert correction.status == "succeeded", correction.error_summary
    served = pages(reader)
    assert served == fresh(reader)
    assert changed(before, served) >= DATA_PAGES

    extract_revert(extract=correction)
    reverted = pages(reader)
    assert reverted == fresh(reader)
    assert changed(served, reverted) >= DATA_PAGES
    assert reverted == before  # exactly the old pages again

    client.force_login(analyst)
    saved = client.post(
        "/indicators/PRV01/narrative/", {"period": "2023/24", **TEXT, "publish": "1"}
    )
    assert saved.status_code == 302
    narrated = pages(reader)
    assert narrated == fresh(reader)
    assert changed(reverted, narrated) >= NARRATIVE_PAGES
    assert TEXT["what_data_shows"] in narrated["indicator"]

    Target.objects.create(
        indicator=Indicator.objects.get(code="PRV01"), area=geography["icb"], value=10.0,
        target_period=Period.objects.get(label="2023/24"), source=TargetSource.LOCAL_PLAN,
    )  # fmt: skip
    targeted = pages(reader)
    assert targeted == fresh(reader)
    assert changed(narrated, targeted) >= TARGET_PAGES

    system = System.objects.get()
    system.short_name = "Our ICS"
    system.save()
    configured = pages(reader)
    assert configured == fresh(reader)
    assert changed(targeted, configured) >= SYSTEM_PAGES
    assert "Our ICS" in configured["indicator"]


def test_each_audience_has_its_own_pages(live, analyst):
    """An analyst's page (unsuppressed small numbers, drafts) is never served to a viewer."""
    correction = process(values_file(CORRECTION), "correction.csv", publish=True)
    assert correction.status == "succeeded", correction.error_summary
    viewer = Client()
    viewer.force_login(make_user("reader", "viewer"))
    analyst_client = Client()
    analyst_client.force_login(analyst)
    protected = fresh(viewer)
    cache.clear()
    unprotected = pages(analyst_client)  # the analyst's pages fill the cache first
    assert pages(viewer) == protected
    assert changed(protected, unprotected) >= {"indicator", "trends"}  # the count of 5 shows


def test_the_frame_is_drawn_for_each_request(live):
    """The cached part is the page's own; who is signed in, and the log-out form's token,
    are the reader's."""
    first, second = Client(), Client()
    first.force_login(make_user("first_reader", "viewer"))
    second.force_login(make_user("second_reader", "viewer"))
    for url in PAGES.values():
        first.get(url)
        page = second.get(url).content.decode()
        assert "Signed in as second_reader" in page and "first_reader" not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    second_csrf = Client(enforce_csrf_checks=True)
    second_csrf.cookies = second.cookies
    assert second_csrf.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302


def test_htmx_asks_for_the_results_only_and_gets_them(reader):
    url = PAGES["compare"]
    whole = reader.get(url).content.decode()
    results = reader.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<main" in whole and "<main" not in results
    assert 'id="explorer-panel"' not in results and "explorer-results" in results
    assert reader.get(url).content.decode().count("<main") == 1


def test_a_page_from_the_cache_costs_a_few_fixed_queries(reader, django_assert_max_num_queries):
    for url in PAGES.values():
        reader.get(url)
        # Session and user, the user's roles, the system, the data version, the page's form
        # (periods), and the footer's data status (two).
        with django_assert_max_num_queries(8):
            assert reader.get(url).status_code == 200


def test_base_has_only_the_blocks_a_page_keeps():
    source = Path(settings.BASE_DIR, "templates", "base.html").read_text()
    assert tuple(re.findall(r"{% block (\w+) %}", source)) == BLOCKS


def test_a_cache_that_is_down_costs_speed_not_the_page(reader, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "outcomes_site.cache.ForgivingRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    assert pages(reader) == pages(reader)


def test_a_warning_is_given_each_time_the_page_is_served(reader):
    for _ in range(2):  # built, then served from the cache
        page = reader.get("/?period=1999/00").content.decode()
        assert re.search(r'role="status"><p>[^<]*1999/00', page)


def test_readers_wait_for_a_page_another_process_is_drawing(reader):
    """Many readers of a page not yet drawn: the first draws it, the others take its drawing."""
    url = PAGES["domain"]
    request = RequestFactory().get(url)
    request.user = reader_user()
    request.htmx = HtmxDetails(request)
    key = page_key(request)
    cache.set(key + ":drawing", True, 5)
    drawing = {
        "html": dict.fromkeys(BLOCKS, "") | {"content": "<p>Drawn by another process</p>"},
        "status": 200, "warnings": [], "push_url": "",
    }  # fmt: skip
    elsewhere = threading.Timer(0.3, lambda: cache.set(key, drawing))
    elsewhere.start()
    try:
        assert "Drawn by another process" in main(reader.get(url).content.decode())
    finally:
        elsewhere.join()
