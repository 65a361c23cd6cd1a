"""Board packs built once per version of the data: asked for, followed, downloaded, and
rebuilt only when what they show changes (a new extract, a revert, a narrative or target
edit). Bad requests are 400 pages; one audience never gets another's pack."""

import pytest
from django.db.models import QuerySet
from django.test import TestCase

from indicators.models import Observation, Target
from ingest.services import extract_create, extract_process, extract_revert
from reporting import packs, tasks
from reporting.models import BoardPack
from reporting.services import commentary_save
from tests.board_packs import (
    board_pack_ask,
    board_pack_download,
    board_pack_pdf,
    pdf_pages,
)

WHOLE = packs.PackScope(domain_code="", period_label="", protected=True)
SMOKING_2025 = (
    "Indicator ID,Area Code,Sex,Age,Time period,Value,Count,Denominator\n"
    "PRV01,E54000039,Persons,All ages,2025,16.5,1650,10000\n"
)


def build(scope=WHOLE) -> BoardPack:
    pack, needs_build = packs.board_pack_request(scope=scope)
    assert needs_build
    return packs.board_pack_build(pack_id=pack.pk)


# --- The data version -------------------------------------------------------------------------


def test_the_data_version_is_one_query(scenario, django_assert_num_queries):
    with django_assert_num_queries(1):
        packs.data_version()


def test_a_new_extract_and_its_revert_each_change_the_version(scenario, settings):
    settings.INGEST_AUTO_PUBLISH = True  # applied at once, not held for an analyst's review
    before = packs.data_version()
    extract = extract_create(data=SMOKING_2025.encode(), original_name="s.csv", kind="values")
    assert packs.data_version() == before  # an upload is only a file until it is applied
    extract = extract_process(extract_id=extract.pk)
    assert extract.status == "succeeded", extract.error_summary
    applied = packs.data_version()
    assert applied != before
    extract_revert(extract=extract)
    assert packs.data_version() not in {before, applied}


def test_narrative_and_target_edits_change_the_version(scenario, analyst):
    before = packs.data_version()
    commentary_save(
        indicator=scenario["indicators"]["mortality"], period=scenario["periods"]["2024"],
        editor=analyst, what_data_shows="Rising.", contribution="", limitations="",
        publish=True,
    )  # fmt: skip
    after_narrative = packs.data_version()
    assert after_narrative != before
    target = Target.objects.get(indicator=scenario["indicators"]["smoking"])
    target.value = 18.0
    target.save()
    assert packs.data_version() != after_narrative


def test_signing_in_does_not_change_the_version(client, scenario, viewer):
    before = packs.data_version()
    client.post(
        "/accounts/login/", {"username": viewer.username, "password": "correct-horse-battery"}
    )
    assert packs.data_version() == before


# --- Asking, building, serving -----------------------------------------------------------------


def test_a_pack_is_built_once_and_served_again_until_the_data_changes(scenario):
    pack = build()
    assert pack.status == "ready" and pack.progress == 100 and pack.pages > 3
    again, needs_build = packs.board_pack_request(scope=WHOLE)
    assert (again.pk, needs_build) == (pack.pk, False)
    assert packs.board_pack_current(scope=WHOLE).pk == pack.pk
    # A target edit is a new version: the old pack is no longer current, a new one is built.
    target = Target.objects.get(indicator=scenario["indicators"]["smoking"])
    target.value = 18.0
    target.save()
    assert packs.board_pack_current(scope=WHOLE) is None
    newer = build()
    assert newer.pk != pack.pk
    # The superseded pack and its file are gone once the newer one is built.
    assert not BoardPack.objects.filter(pk=pack.pk).exists()


def test_each_scope_and_audience_is_its_own_pack(scenario):
    viewers = build()
    analysts = build(packs.PackScope(domain_code="", period_label="", protected=False))
    domain = build(packs.PackScope(domain_code="OVR", period_label="2022", protected=True))
    assert len({viewers.pk, analysts.pk, domain.pk}) == 3
    assert "Unpublished flow measure" in "".join(pdf_pages(analysts.file.read()))
    assert "Unpublished flow measure" not in "".join(pdf_pages(viewers.file.read()))


def test_building_records_progress_as_it_goes(scenario, monkeypatch):
    seen = []
    real_update = QuerySet.update

    def watching(queryset, **fields):
        if queryset.model is BoardPack and "progress" in fields:
            seen.append((fields["progress"], fields.get("step", "")))
        return real_update(queryset, **fields)

    monkeypatch.setattr(QuerySet, "update", watching)
    build()
    progress = [number for number, _ in seen]
    assert progress == sorted(progress) and progress[0] < 50 and progress[-1] == 100
    assert any(step == "Drawing charts: 1 of 3 indicators" for _, step in seen)


def test_a_period_that_lost_its_data_fails_with_a_reason_and_can_be_asked_again(scenario):
    scope = packs.PackScope(domain_code="", period_label="2019", protected=True)
    pack, _ = packs.board_pack_request(scope=scope)
    Observation.objects.filter(period__label="2019").delete()  # as if reverted meanwhile
    assert tasks.build_board_pack.apply(args=[pack.pk]).get() == "failed"
    failed = BoardPack.objects.get(pk=pack.pk)
    assert failed.status == "failed" and "no longer any data for 2019" in failed.error
    again, needs_build = packs.board_pack_request(scope=scope)
    assert again.pk == pack.pk and needs_build and again.status == "queued"


def test_a_broker_that_does_not_answer_fails_the_pack_with_a_message(scenario, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.build_board_pack, "delay", refuse)
    pack, _ = packs.board_pack_request(scope=WHOLE)
    assert tasks.board_pack_enqueue(pack_id=pack.pk) is False
    failed = BoardPack.objects.get(pk=pack.pk)
    assert failed.status == "failed" and failed.error == tasks.QUEUE_DOWN
    again, needs_build = packs.board_pack_request(scope=WHOLE)
    assert again.pk == pack.pk and needs_build and again.status == "queued"


# --- The pages ----------------------------------------------------------------------------------


def test_asking_for_a_pack_leads_to_its_page_and_its_download(
    client, viewer, scenario, eager_tasks
):
    client.force_login(viewer)
    asked = board_pack_ask(client, {"domain": "OVR"})
    assert asked.status_code == 302
    page = client.get(asked["Location"])
    assert "Ready to download" in page.text and "Download the board pack (PDF)" in page.text
    download = client.get(f"{asked['Location']}download/")
    assert download["Content-Disposition"] == 'attachment; filename="board-pack-OVR-latest.pdf"'
    # The request page now offers the pack that is ready, and asking again builds nothing.
    assert "ready and up to date" in client.get("/board-pack/?domain=OVR").text
    with TestCase.captureOnCommitCallbacks() as queued:
        again = client.post("/board-pack/", {"domain": "OVR"})
    assert again["Location"] == asked["Location"] and queued == []


def test_the_page_shows_progress_while_the_pack_is_built(client, viewer, scenario):
    client.force_login(viewer)
    pack, _ = packs.board_pack_request(scope=WHOLE)
    BoardPack.objects.filter(pk=pack.pk).update(
        status="building", progress=40, step="Drawing charts: 1 of 3 indicators"
    )
    page = client.get(f"/board-pack/{pack.pk}/")
    assert (
        '<progress id="pack-progress-bar" class="rpt-progress" max="100" value="40">' in page.text
    )
    assert "Drawing charts: 1 of 3 indicators (40%)" in page.text
    assert f'hx-get="/board-pack/{pack.pk}/"' in page.text  # htmx polls while it builds
    assert "refresh it to see the progress" in page.text  # and without JavaScript
    partial = client.get(f"/board-pack/{pack.pk}/", headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<div id="pack-progress"')
    assert client.get(f"/board-pack/{pack.pk}/download/").status_code == 404


def test_a_finished_page_stops_polling_and_says_when_the_data_has_moved_on(
    client, viewer, scenario
):
    client.force_login(viewer)
    pack = build()
    page = client.get(f"/board-pack/{pack.pk}/").text
    assert "hx-get" not in page.split('id="pack-progress"')[1].split(">")[0]
    assert "The data has changed" not in page
    target = Target.objects.get(indicator=scenario["indicators"]["smoking"])
    target.value = 18.0
    target.save()
    assert (
        "The data has changed since this pack was built"
        in client.get(f"/board-pack/{pack.pk}/").text
    )


def test_a_viewer_never_gets_an_analysts_pack(client, viewer, scenario):
    analysts = build(packs.PackScope(domain_code="", period_label="", protected=False))
    client.force_login(viewer)
    assert client.get(f"/board-pack/{analysts.pk}/").status_code == 404
    assert client.get(f"/board-pack/{analysts.pk}/download/").status_code == 404


@pytest.mark.parametrize(
    ("method", "url", "params"),
    [
        ("get", "/board-pack/", {"domain": "NOPE"}),
        ("post", "/board-pack/", {"domain": "NOPE"}),
        ("post", "/board-pack/", {"period": "1999"}),
        ("get", "/board-pack.pdf", {"domain": "NOPE"}),
        ("get", "/board-pack.pdf", {"period": "<script>"}),
        ("get", "/board-pack.pdf", {"domain": "x" * 500}),
    ],
)
def test_bad_parameters_get_a_400_page_that_says_why(client, viewer, scenario, method, url, params):
    client.force_login(viewer)
    response = getattr(client, method)(url, params)
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "<script>" not in response.text
    assert BoardPack.objects.count() == 0


def test_the_old_url_serves_an_up_to_date_pack(client, viewer, scenario, eager_tasks):
    client.force_login(viewer)
    board_pack_download(client, {"domain": "OVR", "period": "2022"})
    response = client.get("/board-pack.pdf", {"domain": "OVR", "period": "2022"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "as it stood at 2022" in pdf_pages(b"".join(response.streaming_content))[0]


def test_the_old_url_asks_for_the_pack_when_a_worker_builds_it(
    client, viewer, scenario, monkeypatch
):
    monkeypatch.setitem(tasks.build_board_pack.app.conf, "task_always_eager", False)
    client.force_login(viewer)
    response = client.get("/board-pack.pdf", {"domain": "OVR"})
    assert response.status_code == 302 and response["Location"] == "/board-pack/?domain=OVR"


def test_with_no_broker_the_old_url_builds_the_pack_as_before(
    client, viewer, scenario, eager_tasks
):
    client.force_login(viewer)
    response = client.get("/board-pack.pdf", {"domain": "OVR"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_summary_pages_link_to_the_pack(client, viewer, scenario, eager_tasks):
    client.force_login(viewer)
    assert 'href="/board-pack/"' in client.get("/").text
    assert 'href="/board-pack/?domain=OVR"' in client.get("/domains/OVR/").text
    assert board_pack_pdf(client).startswith(b"%PDF")
