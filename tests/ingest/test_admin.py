"""The analysts' upload screens: upload, detail with progress, error report, revert, templates."""

import csv
import io

import pytest

from indicators.exports import FORMULA_STARTS
from indicators.models import Extract, Observation
from tests.extracts import SMOKING_2023, counts_file, upload


def test_upload_processes_and_shows_the_detail_page(signed_in):
    response = upload(signed_in, counts_file(SMOKING_2023))
    extract = Extract.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/indicators/extract/{extract.pk}/detail/"
    page = signed_in.get(response["Location"]).text
    assert "Status: Succeeded" in page and 'value="100"' in page
    assert "Revert this extract" in page
    assert Observation.objects.exists()


def test_the_same_file_again_is_refused_with_a_link(signed_in):
    upload(signed_in, counts_file(SMOKING_2023))
    earlier = Extract.objects.get()
    response = upload(signed_in, counts_file(SMOKING_2023), name="copy.csv")
    assert response.status_code == 200
    assert f"already uploaded as extract #{earlier.pk}" in response.text
    assert f"/admin/indicators/extract/{earlier.pk}/detail/" in response.text
    assert Extract.objects.count() == 1


def test_a_bad_file_shows_its_problems_and_a_report(signed_in):
    upload(
        signed_in,
        counts_file(SMOKING_2023[:-1] + ["PRV01,2023/24,E01014486,Female,All ages,x,205"]),
    )
    extract = Extract.objects.get()
    page = signed_in.get(f"/admin/indicators/extract/{extract.pk}/detail/").text
    assert "Status: Failed" in page and "Download the error report" in page
    # No full progress bar, which would read as done: it says what a failure means.
    assert "<progress" not in page and "Nothing from this file was written." in page
    report = signed_in.get(f"/admin/indicators/extract/{extract.pk}/errors.csv")
    assert report.status_code == 200
    body = b"".join(report.streaming_content).decode()
    assert body.startswith("row,column,value,message") and "numerator" in body


def test_progress_partial_polls_while_active_and_refreshes_when_done(signed_in):
    upload(signed_in, counts_file(SMOKING_2023))
    extract = Extract.objects.get()
    Extract.objects.filter(pk=extract.pk).update(
        status="processing", progress=40, step="Rolling up"
    )
    partial = signed_in.get(
        f"/admin/indicators/extract/{extract.pk}/progress/", HTTP_HX_REQUEST="true"
    )
    assert 'hx-trigger="every 1s"' in partial.text and 'value="40"' in partial.text
    assert "<html" not in partial.text  # just the fragment
    Extract.objects.filter(pk=extract.pk).update(status="succeeded", progress=100)
    done = signed_in.get(
        f"/admin/indicators/extract/{extract.pk}/progress/", HTTP_HX_REQUEST="true"
    )
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


def test_revert_from_the_detail_page(signed_in):
    upload(signed_in, counts_file(SMOKING_2023))
    extract = Extract.objects.get()
    response = signed_in.post(f"/admin/indicators/extract/{extract.pk}/revert/", follow=True)
    assert "reverted" in response.text
    assert not Observation.objects.exists()
    extract.refresh_from_db()
    assert extract.status == "reverted"


@pytest.mark.parametrize("kind, first_line", [
    ("counts", "indicator_code,period,area_code,sex,age_band,numerator,denominator,ethnic_group"),
    ("values", "Indicator ID,Indicator Name,Parent Code"),
])  # fmt: skip
def test_template_files(signed_in, kind, first_line):
    response = signed_in.get(f"/admin/indicators/extract/template/{kind}.csv")
    assert response.status_code == 200 and response.text.startswith(first_line)


def test_viewers_cannot_reach_the_upload_screen(client, viewer, framework):
    client.force_login(viewer)
    assert client.get("/admin/indicators/extract/upload/").status_code == 302  # to admin login


def error_report_rows(client, extract) -> list[list[str]]:
    report = client.get(f"/admin/indicators/extract/{extract.pk}/errors.csv")
    return list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode())))


DDE = "+cmd|' /C calc'!A0"


def test_the_error_report_neutralises_every_cell_a_spreadsheet_would_run(signed_in):
    upload(
        signed_in,
        counts_file(
            [
                "=1+1,2023/24,E01014485,Male,All ages,30,200",
                "PRV01,2023/24,@SUM(1+1)*cmd|' /C calc'!A0,Male,All ages,30,200",
                f"PRV01,2023/24,E01014486,{DDE},All ages,30,200",
                f"PRV01,2023/24,E01014486,Female,All ages,-2+3{DDE},205",
            ]
        ),
    )
    extract = Extract.objects.get()
    header, *rows = error_report_rows(signed_in, extract)
    assert header == ["row", "column", "value", "message"]
    assert [value for _, _, value, _ in rows] == [
        "'=1+1", "'@SUM(1+1)*cmd|' /C calc'!A0", f"'{DDE}", f"'-2+3{DDE}",
    ]  # fmt: skip
    for _, column, value, message in rows:
        for cell in (column, value, message):
            assert not cell.startswith(FORMULA_STARTS), cell


def test_a_5_mb_value_is_shortened_in_the_report_and_on_the_page(signed_in):
    huge = "E" * 5_242_880
    upload(signed_in, counts_file([f"PRV01,2023/24,{huge},Male,All ages,30,200"]))
    extract = Extract.objects.get()
    (row,) = error_report_rows(signed_in, extract)[1:]
    assert row[2] == "E" * 177 + "…(5,242,880 characters)"
    assert row[3].startswith(f"Area code '{'E' * 177}…(5,242,880 characters)' is not a known")
    page = signed_in.get(f"/admin/indicators/extract/{extract.pk}/detail/").text
    assert "…(5,242,880 characters)" in page and len(page) < 50_000
