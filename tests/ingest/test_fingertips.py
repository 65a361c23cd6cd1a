"""Refreshing indicators from the Fingertips API, against a stand-in on loopback serving the
real Fingertips download in tests/ingest/data (never the internet): the answer goes through
the pipeline like an upload, and any answer Fingertips cannot give becomes a failed extract
that says why and changes nothing."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from indicators.models import Area, AreaType, Domain, Extract, Indicator, Observation
from ingest.fingertips import FingertipsUnavailable, fingertips_csv
from ingest.publishing import extract_publish
from ingest.tasks import fingertips_refresh as fingertips_refresh_task
from tests.fingertips_server import COUNTY_UA, Answer, FakeFingertips, start, stop

AREA_TYPES = {"Country": "england", "Region": "ons_region", "County & UA": "local_authority"}
ROWS = 852  # in indicators-CountyUA.data.csv


@pytest.fixture
def fingertips(settings):
    """The stand-in API, with the settings pointed at it."""
    fake = FakeFingertips()
    server, thread = start(fake)
    settings.FINGERTIPS_API_URL = f"{fake.url}/api"
    settings.FINGERTIPS_PROXY = ""
    settings.FINGERTIPS_TIMEOUT_SECONDS = 5
    settings.FINGERTIPS_AREA_TYPES = {"ons_region": 6, "local_authority": 502, "icb": 221}
    settings.INGEST_AUTO_PUBLISH = False
    yield fake
    stop(server, thread)


@pytest.fixture
def campylobacter(db, eager_tasks):
    """Fingertips indicator 93356 in the registry, with the areas its download names."""
    domain = Domain.objects.create(code="HP", name="Health protection", reporting_question="?")
    indicator = Indicator.objects.create(
        code="HP01", domain=domain, name="Campylobacter", definition="Rate per 100,000.",
        value_type="crude_rate", multiplier=100000, polarity="no_judgement",
        ci_method="byar_exact", frequency="annual", fingertips_id=93356, status="published",
    )  # fmt: skip
    types = {area_type.code: area_type for area_type in AreaType.objects.all()}
    with open(COUNTY_UA, encoding="utf-8-sig", newline="") as handle:
        areas = {row["Area Code"]: row for row in csv.DictReader(handle)}
    created = {
        code: Area.objects.create(
            code=code, name=row["Area Name"], area_type=types[AREA_TYPES[row["Area Type"]]]
        )
        for code, row in areas.items()
    }
    for code, row in areas.items():
        if row["Parent Code"] in created:
            created[code].parent = created[row["Parent Code"]]
            created[code].save(update_fields=["parent"])
    return indicator


def refresh(*arguments) -> str:
    out = io.StringIO()
    call_command("fingertips_refresh", *arguments, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_refresh_fetches_each_area_type_and_waits_for_review(fingertips, campylobacter):
    out = refresh()
    extract = Extract.objects.get()
    assert extract.status == "awaiting_review", extract.error_summary
    assert f"HP01: Extract #{extract.pk}:" in out and "Now awaiting review." in out
    # One question per area type the registry uses (no ICBs here), for indicator 93356.
    assert sorted(request["query"]["child_area_type_id"] for request in fingertips.requests) == [
        "502", "6",
    ]  # fmt: skip
    assert {request["query"]["indicator_ids"] for request in fingertips.requests} == {"93356"}
    assert {request["query"]["parent_area_type_id"] for request in fingertips.requests} == {"15"}
    # Both answers hold every row; each is kept once.
    assert extract.rows_read == ROWS and extract.review["added"] == ROWS
    assert extract.original_name.startswith("fingertips-93356-HP01-")
    assert not Observation.objects.exists()
    assert extract_publish(extract=extract).status == "succeeded"
    assert Observation.objects.count() == ROWS


def test_an_instance_that_publishes_automatically_publishes_a_refresh(
    fingertips, campylobacter, settings
):
    settings.INGEST_AUTO_PUBLISH = True
    refresh("--indicator", "HP01")
    assert Extract.objects.get().status == "succeeded"
    assert Observation.objects.count() == ROWS


def test_the_same_answer_again_is_not_offered_again(fingertips, campylobacter):
    refresh()
    first = Extract.objects.get()
    out = refresh()
    assert f"Nothing new: Fingertips' answer is the same as extract #{first.pk}" in out
    assert Extract.objects.count() == 1


def test_the_request_goes_through_the_proxy_when_one_is_set(fingertips, campylobacter, settings):
    settings.FINGERTIPS_API_URL = "http://fingertips.invalid/api"  # not resolvable: only the proxy
    settings.FINGERTIPS_PROXY = fingertips.url
    refresh()
    assert Extract.objects.get().status == "awaiting_review"
    assert all(request["via_proxy"] for request in fingertips.requests)
    assert {request["host"] for request in fingertips.requests} == {"fingertips.invalid"}


@pytest.mark.parametrize(
    "answer, message",
    [
        (Answer(status=500, body=b"Server error"),
         "Fingertips answered HTTP 500 Internal Server Error when asked for indicator 93356 at area type 502."),
        (Answer(body=b""), "Fingertips sent an empty answer for indicator 93356 at area type 502."),
        (Answer(body=b"<html><body><h1>Service unavailable</h1></body></html>"),
         "is not its data download: it has no 'Indicator ID', 'Area Code', 'Sex', 'Age', "
         "'Time period', 'Value' column"),
        (Answer(body=b'"unterminated,quote\nIndicator ID,Area Code\n'), "is not a CSV file"),
        (Answer(delay=3, body=COUNTY_UA.read_bytes()),
         "Fingertips did not answer within 1 second (asked for indicator 93356 at area type 502)."),
    ],
    ids=["http-500", "empty", "html", "malformed", "timeout"],
)  # fmt: skip
def test_an_answer_fingertips_cannot_give_is_a_failed_extract_and_changes_nothing(
    fingertips, campylobacter, settings, answer, message
):
    settings.FINGERTIPS_TIMEOUT_SECONDS = 1
    fingertips.answers[502] = answer
    with pytest.raises(CommandError, match="1 of 1 indicators could not be refreshed: HP01"):
        refresh()
    extract = Extract.objects.get()
    assert extract.status == "failed"
    assert extract.error_summary.startswith("Fingertips refresh of HP01 (Fingertips 93356): ")
    assert message in extract.error_summary
    assert not extract.stored_file and not Observation.objects.exists()


def test_no_rows_at_any_area_type_is_a_failed_extract(fingertips, campylobacter):
    header = COUNTY_UA.read_bytes().split(b"\r\n")[0] + b"\r\n"
    fingertips.default = Answer(body=header)
    with pytest.raises(CommandError):
        refresh()
    assert "Fingertips has no data for indicator 93356 at area types 6, 502." in (
        Extract.objects.get().error_summary
    )


def test_the_page_of_a_failed_refresh_says_why(client, analyst, fingertips, campylobacter):
    fingertips.answers[6] = Answer(status=503, body=b"")
    with pytest.raises(CommandError):
        refresh()
    extract = Extract.objects.get()
    client.force_login(analyst)
    page = client.get(f"/admin/indicators/extract/{extract.pk}/detail/").text
    assert "Fingertips answered HTTP 503" in page and "nothing was received" in page
    assert client.get(f"/admin/indicators/extract/{extract.pk}/file/").status_code == 404


def test_only_indicators_with_a_fingertips_id_are_refreshed(fingertips, campylobacter):
    with pytest.raises(CommandError, match="No indicator with a Fingertips id has the code NOPE"):
        refresh("--indicator", "NOPE")
    assert not fingertips.requests and not Extract.objects.exists()


def test_icb_codes_lose_fingertips_leading_n(fingertips):
    """Fingertips writes ICB codes as nE54000039; the registry has E54000039."""
    lines = COUNTY_UA.read_bytes().decode("utf-8-sig").split("\r\n")
    bristol = next(line for line in lines if ",E06000023," in line)
    fingertips.default = Answer(
        body=(lines[0] + "\r\n" + bristol.replace(",E06000023,", ",nE54000039,")).encode()
    )
    data = fingertips_csv(fingertips_id=93356, area_type_ids=[221], api_url=f"{fingertips.url}/api")
    assert ",E54000039," in data.decode() and "nE54000039" not in data.decode()


def test_an_unreachable_api_says_which_settings_to_check(db):
    with pytest.raises(FingertipsUnavailable, match="check FINGERTIPS_API_URL") as failure:
        fingertips_csv(fingertips_id=1, area_type_ids=[502], api_url="http://127.0.0.1:9/api")
    assert "could not be reached at http://127.0.0.1:9/api" in failure.value.message


def test_the_beat_task_refreshes_and_queues(fingertips, campylobacter):
    messages = fingertips_refresh_task.apply().get()
    extract = Extract.objects.get()
    assert messages == [
        f"Extract #{extract.pk}: {extract.stored_file.size:,} bytes from Fingertips."
    ]
    assert extract.status == "awaiting_review"
