"""The pipeline end to end, in-process: accept, validate, roll up, write, derive, revert."""

import pytest

from indicators.models import AreaAlias, Extract, Observation, ObservationHistory
from ingest.services import ExtractRefused, extract_create, extract_process, extract_revert
from tests.extracts import SMOKING_2023, counts_file


def run(data: bytes, *, kind="counts", name="extract.csv", **options) -> Extract:
    extract = extract_create(data=data, original_name=name, kind=kind, enqueue=False, **options)
    return extract_process(extract_id=extract.pk)


def test_a_granular_extract_is_rolled_up_computed_and_derived(framework, geography):
    extract = run(counts_file(SMOKING_2023))
    assert extract.status == "succeeded", extract.error_summary
    assert (extract.progress, extract.rows_read, extract.rows_rejected) == (100, 4, 0)
    bristol = Observation.objects.get(area__code="E06000023", category="", sex="Persons")
    assert bristol.count == 140 and bristol.denominator == 805
    assert bristol.value == pytest.approx(100 * 140 / 805)
    assert bristol.lower_95 < bristol.value < bristol.upper_95
    assert bristol.lower_998 < bristol.lower_95 and bristol.upper_998 > bristol.upper_95
    assert bristol.extract_id == extract.pk
    # the LSOAs' deciles (4 and 2) put them in quintiles 2 and 1
    quintiles = set(
        Observation.objects.filter(
            area__code="E06000023", category_type__startswith="IMD 2019 quintile"
        ).values_list("category", flat=True)
    )
    assert quintiles == {"Quintile 1 (most deprived)", "Quintile 2"}
    assert extract.report["observations_created"] > 0
    assert ObservationHistory.objects.filter(replaced_by=extract, change="created").count() == (
        Observation.objects.count()
    )


def test_an_error_on_the_last_row_writes_nothing(framework, geography):
    rows = SMOKING_2023[:-1] + ["PRV01,2023/24,E01014486,Female,All ages,240,205"]
    extract = run(counts_file(rows))
    assert extract.status == "failed"
    assert "1 of 4 rows have problems" in extract.error_summary
    assert (extract.rows_rejected, extract.rows_accepted) == (1, 3)
    assert not Observation.objects.exists() and not ObservationHistory.objects.exists()
    report = extract.error_report.open("rb").read().decode()
    assert report.splitlines()[0] == "row,column,value,message"
    assert report.splitlines()[1].startswith("5,")


def test_the_same_file_twice_is_refused_with_the_earlier_extract(framework, geography):
    first = run(counts_file(SMOKING_2023))
    with pytest.raises(ExtractRefused, match=f"already uploaded as extract #{first.pk}") as refusal:
        extract_create(data=counts_file(SMOKING_2023), original_name="again.csv", kind="counts")
    assert refusal.value.earlier == first


@pytest.mark.parametrize(
    "data, message",
    [(b"", "empty"), (b"x" * 2048, "the limit is 1,024 bytes")],
)
def test_empty_and_oversized_files_are_refused(db, settings, data, message):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ExtractRefused, match=message):
        extract_create(data=data, original_name="a.csv", kind="counts")
    assert not Extract.objects.exists()


def test_stored_file_name_is_never_the_users(framework, geography):
    extract = run(counts_file(SMOKING_2023), name="../../etc/passwd.csv")
    assert extract.original_name == "passwd.csv"
    assert "passwd" not in extract.stored_file.name and ".." not in extract.stored_file.name


def test_revert_restores_the_previous_values_and_derivations(framework, geography):
    first = run(counts_file(SMOKING_2023))
    before = sorted(
        Observation.objects.values_list(
            "area__code", "category", "sex", "value", "england_comparison"
        )
    )
    changed = [row.replace(",30,200", ",60,200") for row in SMOKING_2023]
    second = run(counts_file(changed), name="second.csv")
    assert second.report["observations_replaced"] > 0
    assert (
        sorted(
            Observation.objects.values_list(
                "area__code", "category", "sex", "value", "england_comparison"
            )
        )
        != before
    )
    reverted = extract_revert(extract=second)
    assert reverted.status == "reverted"
    after = sorted(
        Observation.objects.values_list(
            "area__code", "category", "sex", "value", "england_comparison"
        )
    )
    assert after == before
    assert first.pk in set(Observation.objects.values_list("extract_id", flat=True))


def test_values_from_a_fingertips_file_are_stored_exactly(framework, geography):
    data = (
        b"Indicator ID,Area Code,Sex,Age,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Value note\n"
        b"PRV01,E06000023,Persons,All ages,2023/24,15.123456789,14.2,16.05,\n"
        b"PRV01,E92000001,Persons,All ages,2023/24,12.9,12.8,13.0,\n"
        b"PRV01,E54000039,Persons,All ages,2023/24,,,,Value suppressed for disclosure control\n"
    )
    extract = run(data, kind="values")
    assert extract.status == "succeeded", extract.error_summary
    bristol = Observation.objects.get(area__code="E06000023")
    assert bristol.value == 15.123456789 and bristol.upper_95 == 16.05
    assert bristol.england_comparison == "Worse"
    icb = Observation.objects.get(area__code="E54000039")
    assert icb.value is None and icb.suppressed and "suppressed" in icb.value_note


def test_an_extract_may_name_an_area_by_an_alias(framework, geography):
    AreaAlias.objects.create(code="QUY", area=geography["icb"])  # the ICB's ODS code
    data = (
        b"Indicator ID,Area Code,Sex,Age,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Value note\n"
        b"PRV01,QUY,Persons,All ages,2023/24,15.1,14.2,16.05,\n"
        b"PRV01,E92000001,Persons,All ages,2023/24,12.9,12.8,13.0,\n"
    )
    extract = run(data, kind="values")
    assert extract.status == "succeeded", extract.error_summary
    assert Observation.objects.get(area__code="E54000039").value == 15.1
    assert "Area codes read through their aliases: QUY as E54000039." in extract.report["notes"]


DATA = __import__("pathlib").Path(__file__).parent / "data"


def test_a_real_fingertips_download_ingests_with_its_quirks(db):
    """indicators-CountyUA.data.csv: 25 fields under a 26-column header, an embedded newline,
    empty values with value notes. Areas come from the file when the analyst asks."""
    from indicators.models import Domain, Indicator

    domain = Domain.objects.create(code="HP", name="Health protection", reporting_question="?")
    Indicator.objects.create(
        code="HP01", domain=domain, name="Campylobacter", definition="Rate per 100,000.",
        value_type="crude_rate", multiplier=100000, polarity="no_judgement", ci_method="byar_exact",
        frequency="annual", fingertips_id=93356, status="published",
    )  # fmt: skip
    data = (DATA / "indicators-CountyUA.data.csv").read_bytes()
    extract = run(data, kind="values", name="indicators-CountyUA.data.csv", create_areas=True)
    assert extract.status == "succeeded", (extract.error_summary, extract.report)
    assert extract.rows_read == 852
    assert Observation.objects.count() == 852
    assert extract.report["areas_created"] == 162
    bristol = Observation.objects.filter(area__code="E06000023", age="All ages").order_by(
        "period__label"
    )
    assert [o.period.label for o in bristol] == ["2015", "2016", "2017"]
    assert bristol[0].area.parent.code == "E12000009"
    suppressed = Observation.objects.filter(value__isnull=True)
    assert suppressed.count() == 10
    assert all(o.value_note for o in suppressed)
    # Values are stored exactly as the file gives them.
    line = next(
        line for line in data.decode().splitlines() if ",E06000023," in line and ",2016," in line
    )
    assert (
        str(
            Observation.objects.get(
                area__code="E06000023", period__label="2016", age="All ages"
            ).value
        )
        in line
    )


def fingertips_areas_csv(codes: set[str]) -> str:
    """The import_areas file for ``codes`` and their ancestors, from the FingertipsNext
    hierarchy kept in fixtures/sources."""
    import csv as csv_module

    from tests.environment import FIXTURES

    types = {"england": "england", "regions": "ons_region", "nhs-regions": "region",
             "combined-authorities": "ons_region", "nhs-integrated-care-boards": "icb",
             "nhs-sub-integrated-care-boards": "sub_icb", "nhs-primary-care-networks": "pcn",
             "gps": "practice"}  # fmt: skip
    with open(FIXTURES / "sources" / "fingertips_areas.csv", encoding="utf-8-sig") as handle:
        rows = {row["AreaCode"]: row for row in csv_module.DictReader(handle)}
    parent = {}
    for code, row in rows.items():
        for child in filter(None, row["Children"].split("|")):
            if child not in parent or row["AreaTypeCode"] not in {
                "combined-authorities",
                "regions",
            }:
                parent.setdefault(child, code)
    wanted, pending = set(), [code for code in codes if code in rows]
    while pending:
        code = pending.pop()
        if code not in wanted:
            wanted.add(code)
            if parent.get(code):
                pending.append(parent[code])
    lines = ["code,name,area_type,parent_code"]
    for code in sorted(wanted):
        row = rows[code]
        area_type = types.get(row["AreaTypeCode"], "local_authority")
        name = row["AreaName"].replace('"', "")
        lines.append(
            f'{code},"{name}",{area_type},{parent.get(code, "") if parent.get(code) in wanted else ""}'
        )
    # Practices the partial hierarchy lacks are registered as bare practices.
    lines += [f"{code},{code},practice," for code in sorted(codes - set(rows))]
    return "\n".join(lines) + "\n"


def test_fingertips_next_healthdata_ingests_the_indicators_we_track(db):
    """healthdata.csv: BOM, swapped category columns, literal quotes, blank values with no
    value-note column, repeated rows, and 31 indicators of which the demo framework tracks a
    few (matched by their Fingertips ids)."""
    import io as io_module

    from indicators.areas_import import areas_import
    from indicators.services import registry_import
    from tests.environment import FIXTURES

    registry_import(
        indicators_file=str(FIXTURES / "demo_framework.csv"),
        domains_file=str(FIXTURES / "demo_domains.csv"), publish=True,
    )  # fmt: skip
    # The demo reports some measures monthly or quarterly (dementia diagnosis, readmissions,
    # smoking at delivery); FingertipsNext
    # holds their annual series, which an analyst would load into annual indicators.
    from indicators.models import Indicator

    Indicator.objects.filter(fingertips_id__in=[92949, 41101, 93085]).update(frequency="annual")
    data = (DATA / "healthdata.csv").read_bytes()
    codes = {line.split(b",")[4].decode().strip('"') for line in data.splitlines()[1:] if line}
    areas_import(areas_file=io_module.StringIO(fingertips_areas_csv(codes)))
    extract = run(data, kind="values", name="healthdata.csv", skip_unknown_indicators=True)
    assert extract.status == "succeeded", (
        extract.error_summary,
        extract.report.get("errors_shown"),
    )
    notes = " ".join(extract.report["notes"])
    assert "swapped" in notes.lower()
    assert "not in the registry were left out" in notes
    smoking = Observation.objects.get(
        indicator__code="CYP01", area__code="E92000001", period__label="2023/24", category=""
    )
    assert smoking.value == 7.4  # README: England smoking at delivery 2023/24
    assert Observation.objects.filter(category_type__icontains="deprivation deciles").exists()


def test_an_unexpected_error_is_recorded_not_raised(framework, geography, monkeypatch, eager_tasks):
    from ingest import queue

    extract = extract_create(
        data=counts_file(SMOKING_2023), original_name="x.csv", kind="counts", enqueue=False
    )

    def broken(**kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(queue.services, "extract_process", broken)
    assert queue.process_extract.delay(extract.pk).get() == "failed"
    extract.refresh_from_db()
    assert extract.status == "failed"
    assert "unexpected error (ZeroDivisionError)" in extract.error_summary
    assert not Observation.objects.exists()


def test_only_failed_or_interrupted_extracts_run_again(framework, geography):
    from datetime import timedelta

    from django.utils import timezone

    from ingest.services import extract_can_rerun, extract_rerun
    from ingest.writing import RevertRefused

    extract = extract_create(
        data=counts_file(SMOKING_2023), original_name="x.csv", kind="counts", enqueue=False
    )
    Extract.objects.filter(pk=extract.pk).update(status="processing", started_at=timezone.now())
    extract.refresh_from_db()
    assert not extract_can_rerun(
        extract
    )  # a worker is on it: running it again would apply it twice
    with pytest.raises(RevertRefused, match="interrupted for more than 15 minutes"):
        extract_rerun(extract=extract)
    Extract.objects.filter(pk=extract.pk).update(started_at=timezone.now() - timedelta(minutes=20))
    extract.refresh_from_db()
    assert extract_can_rerun(extract)
    assert extract_rerun(extract=extract).status == "queued"
    assert extract_process(extract_id=extract.pk).status == "succeeded"
    assert not extract_can_rerun(Extract.objects.get(pk=extract.pk))
