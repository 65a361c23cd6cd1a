"""The extract's page for review: what publishing would change, then publish now, schedule,
cancel or discard; the extract list's notice when a review was worked out again; and the
list of indicators whose data is due."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from indicators.models import Extract, Observation
from ingest.publishing import extract_publish, extract_schedule
from tests.review_scenario import CORRECTION, LIVE, process, values_file


@pytest.fixture(autouse=True)
def review_first(settings):
    settings.INGEST_AUTO_PUBLISH = False


@pytest.fixture
def live(framework, geography):
    return process(values_file(LIVE), "live.csv", publish=True)


def upload(client, data, name="correction.csv"):
    with client.on_commit(execute=True):
        return client.post(
            "/admin/indicators/extract/upload/",
            {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "kind": "values"},
        )


def detail(client, extract) -> str:
    return client.get(f"/admin/indicators/extract/{extract.pk}/detail/").text


def test_an_upload_shows_what_publishing_would_change(signed_in, live):
    upload(signed_in, values_file(CORRECTION))
    extract = Extract.objects.latest("pk")
    page = detail(signed_in, extract)
    assert "Status: Awaiting review" in page and "Nothing from this file is live yet" in page
    assert "Publishing would add <strong>1</strong> values and replace <strong>3</strong>" in page
    assert "Values added and replaced, by indicator and area type" in page
    assert "Largest changes of value" in page and "Yes: check it" in page
    assert "Comparisons with England that would change" in page
    assert "Recent trends and SPC icons that would change" in page
    assert "Suppression newly applied or lifted" in page and "Newly suppressed" in page
    for button in ["Publish now", "Schedule publication", "Discard this extract"]:
        assert f'value="{button}"' in page
    assert "Revert this extract" not in page
    # The progress poll stops: the extract is no longer being worked on.
    partial = signed_in.get(
        f"/admin/indicators/extract/{extract.pk}/progress/", HTTP_HX_REQUEST="true"
    )
    assert partial.status_code == 204


def test_publish_now_from_the_page(signed_in, live):
    extract = process(values_file(CORRECTION))
    response = signed_in.post(f"/admin/indicators/extract/{extract.pk}/publish/", follow=True)
    assert "published: its values are live" in response.text
    assert "Status: Succeeded" in response.text and "Revert this extract" in response.text
    assert Observation.objects.get(area__code="E06000023", period__label="2023/24").value == 25


def test_schedule_and_cancel_from_the_page(signed_in, live):
    extract = process(values_file(CORRECTION))
    at = timezone.localtime() + timedelta(days=1)
    response = signed_in.post(
        f"/admin/indicators/extract/{extract.pk}/schedule/",
        {"publish_at": at.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    when = f"{at:%H:%M} on {at.day} {at:%B %Y}"
    assert f"will be published at {when}" in response.text
    assert "Status: Scheduled" in response.text
    assert f"Scheduled to be published at {when}" in response.text
    assert 'value="Cancel the scheduled publication"' in response.text
    extract.refresh_from_db()
    assert extract.status == "scheduled"
    response = signed_in.post(f"/admin/indicators/extract/{extract.pk}/unschedule/", follow=True)
    assert "Publication cancelled" in response.text and "Status: Awaiting review" in response.text


def test_a_bad_or_past_time_is_refused_on_the_page(signed_in, live):
    extract = process(values_file(CORRECTION))
    response = signed_in.post(
        f"/admin/indicators/extract/{extract.pk}/schedule/", {"publish_at": "soon"}, follow=True
    )
    assert "Give the date and time to publish at" in response.text
    past = timezone.localtime() - timedelta(hours=1)
    response = signed_in.post(
        f"/admin/indicators/extract/{extract.pk}/schedule/",
        {"publish_at": past.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    assert "has passed" in response.text
    extract.refresh_from_db()
    assert extract.status == "awaiting_review"


def test_discard_from_the_page(signed_in, live):
    extract = process(values_file(CORRECTION))
    response = signed_in.post(f"/admin/indicators/extract/{extract.pk}/discard/", follow=True)
    assert "discarded: none of its values were published" in response.text
    assert "Status: Discarded" in response.text and 'value="Publish now"' not in response.text


def test_the_list_says_which_extracts_came_back_for_review(signed_in, live):
    extract = process(values_file(CORRECTION[:1]))
    extract_schedule(extract=extract, at=timezone.now() + timedelta(hours=2))
    process(values_file(CORRECTION[1:2]), "england.csv", publish=True)
    extract_publish(extract=extract)  # as beat would: the base changed
    page = signed_in.get("/admin/indicators/extract/").text
    assert "Back for review" in page
    assert f"/admin/indicators/extract/{extract.pk}/detail/" in page
    assert "was stopped" in page
    assert "Worked out again" in detail(signed_in, extract)


def test_only_analysts_publish(client, viewer, live):
    extract = process(values_file(CORRECTION))
    client.force_login(viewer)
    response = client.post(f"/admin/indicators/extract/{extract.pk}/publish/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    extract.refresh_from_db()
    assert extract.status == "awaiting_review"


def test_publish_needs_a_post(signed_in, live):
    extract = process(values_file(CORRECTION))
    assert signed_in.get(f"/admin/indicators/extract/{extract.pk}/publish/").status_code == 405


def test_the_data_due_page_lists_overdue_indicators(signed_in, live):
    # PRV01's latest period is 2023/24 (ends 31 March 2024): with the default year's lag,
    # 2024/25's data was expected by 31 March 2026, which has passed.
    page = signed_in.get("/admin/indicators/extract/due/").text
    assert "PRV01" in page and "31 March 2026" in page and "<strong>Overdue</strong>" in page
    assert "12 months (default)" in page
    assert "No data yet" in page and "LTC03" in page
    assert "Data due" in signed_in.get("/admin/indicators/extract/").text


def test_the_data_due_page_with_nothing_due(signed_in, framework):
    page = signed_in.get("/admin/indicators/extract/due/").text
    assert "Nothing is overdue or due in the next month." in page
