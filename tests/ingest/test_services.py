"""The pipeline end to end, in-process: accept, validate, roll up, write, derive, revert."""

import pytest

from indicators.models import Extract, Observation, ObservationHistory
from ingest.services import ExtractRefused, extract_create, extract_process, extract_revert

HEADER = "indicator_code,period,area_code,sex,age_band,numerator,denominator\n"


def counts_file(rows: list[str]) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


SMOKING_2023 = [
    "PRV01,2023/24,E01014485,Male,All ages,30,200",
    "PRV01,2023/24,E01014485,Female,All ages,25,210",
    "PRV01,2023/24,E01014486,Male,All ages,45,190",
    "PRV01,2023/24,E01014486,Female,All ages,40,205",
]


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
