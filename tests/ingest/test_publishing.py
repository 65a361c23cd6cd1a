"""Review before publishing: an extract that validates waits for an analyst, who publishes it
now or at a set time, or discards it; a review computed against data that has since changed
is worked out again rather than applied."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from indicators.models import (
    AuditEvent,
    Extract,
    IndicatorDataVersion,
    Observation,
    ObservationHistory,
    Period,
)
from ingest.publishing import (
    PublishRefused,
    extract_discard,
    extract_publish,
    extract_schedule,
    extract_unschedule,
    extracts_publish_due,
)
from ingest.services import extract_revert
from ingest.tasks import publish_due_extracts
from tests.review_scenario import CORRECTION, LIVE, live_values, process, row, values_file


@pytest.fixture(autouse=True)
def review_first(settings):
    """The instance's default: extracts wait for review (the suite's setting turns it on)."""
    settings.INGEST_AUTO_PUBLISH = False


@pytest.fixture
def live(framework, geography):
    extract = process(values_file(LIVE), "live.csv", publish=True)
    assert extract.status == "succeeded", extract.error_summary
    return extract


def test_an_extract_that_validates_waits_for_review_and_changes_nothing(live):
    before, periods = live_values(), Period.objects.count()
    extract = process(values_file(CORRECTION), "correction.csv")
    assert extract.status == "awaiting_review", extract.error_summary
    assert (extract.progress, extract.step) == (100, "Awaiting review")
    assert live_values() == before
    # The new year's period existed only while the review was worked out.
    assert Period.objects.count() == periods
    assert not ObservationHistory.objects.filter(replaced_by=extract).exists()
    assert extract.staged_values and extract.base_versions
    assert AuditEvent.objects.filter(action="review", object_id=str(extract.pk)).exists()


def test_the_review_says_what_publishing_would_change(live):
    review = process(values_file(CORRECTION), "correction.csv").review
    assert (review["added"], review["replaced"], review["changed"]) == (1, 3, 3)
    assert {(item["indicator"], item["area_type"]): (item["added"], item["replaced"])
            for item in review["by_indicator"]} == {
        ("PRV01", "England"): (0, 1),
        ("PRV01", "Integrated care board"): (0, 1),
        ("PRV01", "Local authority (county or unitary)"): (1, 1),
    }  # fmt: skip
    bristol = next(item for item in review["largest_changes"] if "E06000023" in item["area"])
    assert (bristol["was"], bristol["now"], bristol["period"]) == (17.0, 25.0, "2023/24")
    assert bristol["outside_ci"] and (bristol["was_lower_95"], bristol["was_upper_95"]) == (16, 18)
    england = next(item for item in review["largest_changes"] if "E92000001" in item["area"])
    assert england["outside_ci"]  # 17.5 is far beyond 14.98 to 15.02
    # England's new value turns the ICB's stored comparison, though its row is not in the file.
    assert {"indicator": "PRV01", "area": "BNSSG ICB (E54000039)", "period": "2023/24",
            "breakdown": "Persons, All ages", "was": "Worse", "now": "Better"} in review["england"]["rows"]  # fmt: skip
    # A count of 5 is suppressed for viewers.
    assert review["suppression"]["rows"] == [
        {"indicator": "PRV01", "area": "BNSSG ICB (E54000039)", "period": "2022/23",
         "breakdown": "Persons, All ages", "change": "Newly suppressed"}
    ]  # fmt: skip
    assert review["suppression"]["applied"] == 1 and review["suppression"]["lifted"] == 0
    trends = {
        item["area"]: item for item in review["series"]["rows"] if item["what"] == "Recent trend"
    }
    bristol = trends["Bristol, City of (E06000023)"]
    assert bristol["was"] == "No significant change" and bristol["now"] != bristol["was"]


def test_publishing_applies_exactly_what_the_pipeline_would(live):
    reviewed = process(values_file(CORRECTION), "correction.csv")
    published = extract_publish(extract=reviewed)
    assert published.status == "succeeded" and published.published_at is not None
    assert published.report["observations_created"] == reviewed.review["added"]
    assert published.report["observations_replaced"] == reviewed.review["replaced"]
    icb = Observation.objects.get(area__code="E54000039", period__label="2023/24")
    assert icb.england_comparison == "Better"  # as the review said
    assert Observation.objects.get(area__code="E54000039", period__label="2022/23").suppressed
    after_review = live_values()
    # The same file applied at once, the way the pipeline always has, gives the same rows.
    extract_revert(extract=published)
    direct = process(values_file(CORRECTION), "again.csv", publish=True)
    assert direct.status == "succeeded"
    assert live_values() == after_review


def test_publishing_over_changed_data_works_the_review_out_again(live):
    reviewed = process(values_file(CORRECTION[:1]), "bristol.csv")
    assert reviewed.review["england"]["count"] == 0
    # Another extract for the same indicator goes live first: England rises.
    england = process(values_file(CORRECTION[1:2]), "england.csv", publish=True)
    bristol_before = Observation.objects.get(area__code="E06000023", period__label="2023/24")
    again = extract_publish(extract=reviewed)
    assert again.status == "awaiting_review"
    assert f"extract #{england.pk} changed the same indicators" in again.review_notice
    assert again.base_versions != reviewed.base_versions
    # Nothing of the reviewed extract was applied.
    assert Observation.objects.get(pk=bristol_before.pk).value == 17.0
    assert AuditEvent.objects.filter(
        action="review", object_id=str(reviewed.pk), details__recomputed=True
    ).exists()
    # Reviewed again, it publishes.
    published = extract_publish(extract=again)
    assert published.status == "succeeded" and published.review_notice == ""
    assert Observation.objects.get(pk=bristol_before.pk).value == 25.0


def test_another_indicators_extract_leaves_the_review_standing(live):
    reviewed = process(values_file(CORRECTION[:1]), "bristol.csv")
    other = [row("E06000023", "2023/24", 60.0, 60_000, code="LTC03")]
    assert process(values_file(other), "screening.csv", publish=True).status == "succeeded"
    assert extract_publish(extract=reviewed).status == "succeeded"


def test_a_revert_also_changes_the_base(live):
    reviewed = process(values_file(CORRECTION[:1]), "bristol.csv")
    version = IndicatorDataVersion.objects.get(indicator__code="PRV01").version
    extract_revert(extract=live)
    assert IndicatorDataVersion.objects.get(indicator__code="PRV01").version == version + 1
    assert extract_publish(extract=reviewed).status == "awaiting_review"


def test_a_scheduled_extract_is_published_by_the_beat_task_when_due(live, analyst):
    extract = process(values_file(CORRECTION), "correction.csv")
    at = timezone.now() + timedelta(minutes=10, seconds=17)
    scheduled = extract_schedule(extract=extract, at=at, user=analyst)
    assert scheduled.status == "scheduled"
    assert scheduled.publish_at == at.replace(second=0, microsecond=0)  # to the minute
    assert extracts_publish_due() == []  # not yet
    assert Observation.objects.get(area__code="E06000023", period__label="2023/24").value == 17
    # Ten minutes on, beat's task finds it due (the time is in the database: a restarted
    # worker or beat misses nothing).
    Extract.objects.filter(pk=extract.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    assert publish_due_extracts.apply().get() == [[extract.pk, "succeeded"]]
    assert Observation.objects.get(area__code="E06000023", period__label="2023/24").value == 25
    event = AuditEvent.objects.get(action="publish", object_id=str(extract.pk))
    assert event.username == "" and "scheduled_for" in event.details  # beat, on the analyst's word
    schedule = AuditEvent.objects.get(action="schedule", object_id=str(extract.pk))
    assert schedule.username == analyst.username and schedule.details["publish_at"]


def test_beat_runs_the_publication_task_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["publish-due-extracts"]
    assert entry["task"] == publish_due_extracts.name
    assert entry["schedule"].minute == set(range(60)) and entry["schedule"].hour == set(range(24))


def test_a_scheduled_extract_whose_base_changed_goes_back_to_review(live):
    extract = process(values_file(CORRECTION[:1]), "bristol.csv")
    extract_schedule(extract=extract, at=timezone.now() + timedelta(hours=1))
    process(values_file(CORRECTION[1:2]), "england.csv", publish=True)
    Extract.objects.filter(pk=extract.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    assert extracts_publish_due() == [(extract.pk, "awaiting_review")]
    extract.refresh_from_db()
    assert extract.publish_at is None
    assert extract.review_notice.startswith("Its publication at ")
    assert "was stopped" in extract.review_notice
    assert Observation.objects.get(area__code="E06000023", period__label="2023/24").value == 17


def test_a_schedule_can_be_cancelled_and_a_past_time_is_refused(live, analyst):
    extract = process(values_file(CORRECTION), "correction.csv")
    with pytest.raises(PublishRefused, match="has passed"):
        extract_schedule(extract=extract, at=timezone.now() - timedelta(minutes=5))
    extract_schedule(extract=extract, at=timezone.now() + timedelta(days=1))
    cancelled = extract_unschedule(extract=extract, user=analyst)
    assert (cancelled.status, cancelled.publish_at) == ("awaiting_review", None)
    assert AuditEvent.objects.get(action="schedule", details__cancelled=True).username == (
        analyst.username
    )
    assert extracts_publish_due(now=timezone.now() + timedelta(days=2)) == []


def test_discard_publishes_nothing_and_lets_the_file_come_again(
    live, analyst, django_capture_on_commit_callbacks
):
    before = live_values()
    extract = process(values_file(CORRECTION), "correction.csv")
    staged = extract.staged_values.name
    storage = extract.staged_values.storage
    with django_capture_on_commit_callbacks(execute=True):
        discarded = extract_discard(extract=extract, user=analyst)
    assert discarded.status == "discarded" and not discarded.staged_values
    assert not storage.exists(staged)
    assert live_values() == before
    assert AuditEvent.objects.get(action="discard").username == analyst.username
    with pytest.raises(PublishRefused, match="this one is discarded"):
        extract_publish(extract=discarded)
    assert process(values_file(CORRECTION), "correction again.csv").status == "awaiting_review"


def test_only_reviewable_extracts_can_be_published_or_discarded(live):
    with pytest.raises(PublishRefused, match="this one is succeeded"):
        extract_publish(extract=live)
    with pytest.raises(PublishRefused):
        extract_discard(extract=live)
    with pytest.raises(PublishRefused, match="no publication to cancel"):
        extract_unschedule(extract=live)


def test_publishing_removes_the_staged_values_and_records_who(
    live, analyst, django_capture_on_commit_callbacks
):
    extract = process(values_file(CORRECTION), "correction.csv")
    staged, storage = extract.staged_values.name, extract.staged_values.storage
    with django_capture_on_commit_callbacks(execute=True):
        published = extract_publish(extract=extract, user=analyst)
    assert not storage.exists(staged) and not published.staged_values
    event = AuditEvent.objects.get(action="publish", object_id=str(extract.pk))
    assert event.username == analyst.username
    assert event.details["observations_replaced"] == 3


def test_auto_publish_keeps_todays_behaviour(framework, geography, settings):
    settings.INGEST_AUTO_PUBLISH = True
    extract = process(values_file(LIVE), "feed.csv")
    assert extract.status == "succeeded" and extract.published_at is not None
    assert Observation.objects.count() == len(LIVE)
    assert AuditEvent.objects.get(action="publish").details["automatic"] is True


def test_ingest_waits_for_review_and_exits_0_without_publish(
    framework, geography, tmp_path, eager_tasks
):
    path = tmp_path / "values.csv"
    path.write_bytes(values_file(LIVE))
    out = io.StringIO()
    call_command("ingest", str(path), "--wait", stdout=out)
    extract = Extract.objects.get()
    assert extract.status == "awaiting_review"
    assert f"Extract #{extract.pk} is awaiting review" in out.getvalue()
    assert f"manage.py publish_extract {extract.pk}" in out.getvalue()
    assert not Observation.objects.exists()
    call_command("publish_extract", str(extract.pk), stdout=out)
    assert Observation.objects.count() == len(LIVE)
    assert f"Extract #{extract.pk} published: {len(LIVE)} values added" in out.getvalue()


def test_ingest_publish_applies_one_file_at_once(framework, geography, tmp_path, eager_tasks):
    path = tmp_path / "values.csv"
    path.write_bytes(values_file(LIVE))
    call_command("ingest", str(path), "--wait", "--publish", stdout=io.StringIO())
    assert Extract.objects.get().status == "succeeded"
    assert Observation.objects.count() == len(LIVE)


def test_publish_extract_schedules_with_at_and_refuses_what_it_cannot(live):
    extract = process(values_file(CORRECTION), "correction.csv")
    out = io.StringIO()
    call_command("publish_extract", str(extract.pk), "--at", "2099-03-04T09:30", stdout=out)
    extract.refresh_from_db()
    assert extract.status == "scheduled"
    assert timezone.localtime(extract.publish_at).strftime("%Y-%m-%d %H:%M") == "2099-03-04 09:30"
    assert "09:30 on 4 March 2099" in out.getvalue()
    with pytest.raises(CommandError, match="such as 2027-03-04T09:30"):
        call_command("publish_extract", str(extract.pk), "--at", "next Tuesday")
    with pytest.raises(CommandError, match="has passed"):
        call_command("publish_extract", str(extract.pk), "--at", "2001-01-01T00:00")
    with pytest.raises(CommandError, match="There is no extract #999999"):
        call_command("publish_extract", "999999")
    with pytest.raises(CommandError, match="this one is succeeded"):
        call_command("publish_extract", str(live.pk))
