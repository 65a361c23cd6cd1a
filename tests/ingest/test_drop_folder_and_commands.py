"""Extracts that arrive as files, and the ingest and export commands."""

import csv
import io
import os
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.exports import EXPORT_HEADER, INEQUALITY_HEADER
from indicators.models import Extract, Observation
from ingest.drop_folder import drop_folder_scan, guess_kind
from tests.extracts import SMOKING_2023, counts_file


def age(path, seconds=60):
    old = time.time() - seconds
    os.utime(path, (old, old))


def test_drop_folder_queues_good_files_and_sets_broken_ones_aside(
    framework, geography, tmp_path, eager_tasks, django_capture_on_commit_callbacks
):
    (tmp_path / "a-empty.csv").write_bytes(b"")
    (tmp_path / "b-counts.csv").write_bytes(counts_file(SMOKING_2023))
    (tmp_path / "c-garbage.csv").write_bytes(b"\x00\x01\x02 not a table")
    (tmp_path / "d-duplicate-counts.csv").write_bytes(counts_file(SMOKING_2023))
    (tmp_path / "e-fresh.csv").write_bytes(counts_file(SMOKING_2023[:2]))
    for name in ["a-empty.csv", "b-counts.csv", "c-garbage.csv", "d-duplicate-counts.csv"]:
        age(tmp_path / name)
    with django_capture_on_commit_callbacks(execute=True):
        scan = drop_folder_scan(tmp_path)
    assert scan.queued == ["b-counts.csv", "c-garbage.csv"]  # garbage fails in the pipeline
    assert scan.failed == ["a-empty.csv", "d-duplicate-counts.csv"]
    assert (tmp_path / "processed" / "b-counts.csv").exists()
    assert "empty" in (tmp_path / "failed" / "a-empty.csv.reason.txt").read_text()
    assert (
        "already uploaded"
        in (tmp_path / "failed" / "d-duplicate-counts.csv.reason.txt").read_text()
    )
    assert (tmp_path / "e-fresh.csv").exists()  # still being written: left for the next scan
    statuses = dict(Extract.objects.values_list("original_name", "status"))
    assert statuses == {"b-counts.csv": "succeeded", "c-garbage.csv": "failed"}


def test_kind_is_guessed_from_the_header_or_name():
    assert guess_kind(counts_file(SMOKING_2023), "x.csv") == "counts"
    assert guess_kind(b"\xef\xbb\xbfIndicator ID,Area Code\n", "x.csv") == "values"
    assert guess_kind(b"PK\x03\x04", "monthly-counts.xlsx") == "counts"


def test_ingest_command_waits_and_reports(framework, geography, tmp_path, eager_tasks):
    path = tmp_path / "smoking.csv"
    path.write_bytes(counts_file(SMOKING_2023))
    out = io.StringIO()
    call_command("ingest", str(path), "--wait", stdout=out)
    assert "succeeded: 4 rows read" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(counts_file(["PRV01,2023/24,E01014485,Male,All ages,-3,200"]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="failed: 1 of 1 rows have problems"):
        call_command("ingest", str(bad), "--wait", "--kind", "counts", stderr=err)
    assert "Row 2" in err.getvalue()
    with pytest.raises(CommandError, match="already uploaded"):
        call_command("ingest", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("ingest", str(tmp_path / "missing.csv"))


def test_export_data_round_trips_what_was_ingested(framework, geography, tmp_path, eager_tasks):
    path = tmp_path / "values.csv"
    path.write_text(
        "Indicator ID,Area Code,Sex,Age,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Value note\n"
        'PRV01,E06000023,Persons,All ages,2023/24,15.123456789,14.2,16.05,=HYPERLINK("x")\n'
        "PRV01,E92000001,Persons,All ages,2023/24,12.9,12.8,13.0,\n"
    )
    call_command("ingest", str(path), "--wait", "--kind", "values", stdout=io.StringIO())
    out = io.StringIO()
    call_command("export_data", "--indicator", "PRV01", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == EXPORT_HEADER
    bristol = dict(
        zip(rows[0], next(row for row in rows[1:] if row[4] == "E06000023"), strict=True)
    )
    assert bristol["Value"] == "15.123456789" and bristol["Upper CI 95.0 limit"] == "16.05"
    assert bristol["Compared to England value or percentiles"] == "Worse"
    assert bristol["Parent Code"] == "E54000039" and bristol["Time period"] == "2023/24"
    assert bristol["Value note"].startswith("'=")  # formula neutralised
    out = io.StringIO()
    call_command("export_data", "--indicator", "PRV01", "--area", "E92000001", stdout=out)
    assert len(out.getvalue().strip().splitlines()) == 2
    with pytest.raises(CommandError, match="Unknown indicator code"):
        call_command("export_data", "--indicator", "NOPE")


def test_export_inequalities(framework, geography, tmp_path, eager_tasks):
    path = tmp_path / "smoking.csv"
    path.write_bytes(counts_file(SMOKING_2023))
    call_command("ingest", str(path), "--wait", stdout=io.StringIO())
    out = io.StringIO()
    call_command("export_inequalities", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == INEQUALITY_HEADER
    # Two LSOAs in quintiles 1 and 2 only: summaries exist, with the reason they are empty.
    assert len(rows) > 1 and all(row[-1] for row in rows[1:])
    assert Observation.objects.exists()
