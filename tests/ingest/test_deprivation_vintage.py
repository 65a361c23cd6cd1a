"""The deprivation index and its small-area vintage are data: an analyst who has LSOA 2021
codes with IMD 2025 deciles loads them with import_areas, the system chooses the edition,
extracts on that vintage are broken down by it, codes from another vintage are refused with
a message naming the vintage, and values computed before keep the edition they came from.

The second vintage is built for this test (codes and deciles are made up, not IMD 2025's)."""

import io

import pytest
from django.core.management import CommandError, call_command

from indicators.models import (
    Area,
    AreaDeprivation,
    DeprivationEdition,
    Domain,
    ExtractStatus,
    Indicator,
    InequalitySummary,
    Observation,
    System,
)
from ingest.services import extract_create, extract_process
from tests.cast import make_user

AREAS_2011 = """code,name,area_type,parent_code,imd_decile,population,also_in
E92000001,England,england,,,,
E40000099,Test region,region,E92000001,,,
E54000099,Test ICB,icb,E40000099,,,
E06000099,Test town,local_authority,E54000099,,,
E01090001,Town 001A,lsoa,E06000099,1,,
E01090002,Town 001B,lsoa,E06000099,3,,
E01090003,Town 001C,lsoa,E06000099,5,,
E01090004,Town 001D,lsoa,E06000099,7,,
E01090005,Town 001E,lsoa,E06000099,9,,
"""
# LSOA 2021: 001E was split into 001F and 001G; the others kept their codes, re-ranked.
AREAS_2021 = """code,name,area_type,parent_code,imd_decile,population,also_in
E01090001,Town 001A,lsoa,E06000099,2,,
E01090002,Town 001B,lsoa,E06000099,4,,
E01090003,Town 001C,lsoa,E06000099,6,,
E01090004,Town 001D,lsoa,E06000099,8,,
E01099006,Town 001F,lsoa,E06000099,9,,
E01099007,Town 001G,lsoa,E06000099,10,,
"""
SYSTEM = """[system]
name = "Test system"
short_name = "Test"
headline_area = "E54000099"
"""


def counts(period: str, codes: list[str]) -> bytes:
    rows = ["indicator_code,period,area_code,sex,age_band,numerator,denominator"]
    for number, code in enumerate(codes):
        for sex in ("Male", "Female"):
            rows.append(f"VIN01,{period},{code},{sex},All ages,{60 + 10 * number},500")
    return ("\n".join(rows) + "\n").encode()


def ingest(data: bytes):
    extract = extract_create(data=data, original_name="lsoa.csv", kind="counts", enqueue=False)
    return extract_process(extract_id=extract.pk)


def command(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def shipped(db, tmp_path):
    """The shipped arrangement: IMD 2019 on LSOA 2011, and a year of data computed with it."""
    (tmp_path / "areas2011.csv").write_text(AREAS_2011)
    (tmp_path / "system.toml").write_text(SYSTEM)
    command("import_areas", str(tmp_path / "areas2011.csv"))
    command("import_system", str(tmp_path / "system.toml"))
    domain = Domain.objects.create(code="VIN", name="Vintages", reporting_question="?", order=1)
    Indicator.objects.create(
        code="VIN01", name="Screening coverage", domain=domain, definition="Test.",
        value_type="proportion", multiplier=100, unit_label="%", polarity="higher_better",
        ci_method="wilson", frequency="annual", status="published",
        breakdowns=["imd_quintile"],
    )  # fmt: skip
    codes = [f"E0109000{number}" for number in range(1, 6)]
    assert ingest(counts("2022/23", codes)).status == ExtractStatus.SUCCEEDED
    return tmp_path


def load_2021(folder) -> str:
    (folder / "areas2021.csv").write_text(AREAS_2021)
    return command(
        "import_areas", str(folder / "areas2021.csv"),
        "--deprivation", "IMD 2025", "--small-areas", "LSOA 2021",
    )  # fmt: skip


def choose(folder, edition: str) -> None:
    (folder / "system.toml").write_text(SYSTEM + f'deprivation = "{edition}"\n')
    command("import_system", str(folder / "system.toml"))


def test_the_shipped_edition_labels_breakdowns(shipped):
    types = set(
        Observation.objects.exclude(category_type="").values_list("category_type", flat=True)
    )
    assert types == {"IMD 2019 quintile (national)"}
    assert DeprivationEdition.objects.get().small_areas == "LSOA 2011"


def test_a_second_vintage_loads_beside_the_first_and_the_system_chooses_it(shipped):
    output = load_2021(shipped)
    assert "6 small areas of IMD 2025 on LSOA 2021" in output
    edition = DeprivationEdition.objects.get(name="IMD 2025")
    assert edition.small_areas == "LSOA 2021"
    deciles = dict(edition.areas.values_list("area__code", "decile"))
    assert deciles["E01090001"] == 2 and deciles["E01099007"] == 10
    # The older edition keeps its own deciles.
    assert AreaDeprivation.objects.get(edition__name="IMD 2019", area__code="E01090001").decile == 1
    assert System.objects.get().deprivation_edition.name == "IMD 2019"  # not chosen yet
    choose(shipped, "IMD 2025")
    assert System.objects.get().deprivation_edition == edition


def test_an_extract_on_the_new_vintage_is_broken_down_by_the_new_edition(shipped):
    load_2021(shipped)
    choose(shipped, "IMD 2025")
    codes = ["E01090001", "E01090002", "E01090003", "E01090004", "E01099006", "E01099007"]
    extract = ingest(counts("2023/24", codes))
    assert extract.status == ExtractStatus.SUCCEEDED, extract.error_summary
    by_period = {
        label: set(
            Observation.objects.filter(period__label=label, area__code="E06000099")
            .exclude(category_type="").values_list("category_type", flat=True)
        )
        for label in ("2022/23", "2023/24")
    }  # fmt: skip
    # Stored values keep the edition they were computed with.
    assert by_period == {"2022/23": {"IMD 2019 quintile (national)"},
                         "2023/24": {"IMD 2025 quintile (national)"}}  # fmt: skip
    # The new LSOAs' deciles (9, 10) put both in quintile 5: 0 and 9 are IMD 2025's, not 2019's.
    fifth = Observation.objects.get(
        period__label="2023/24", area__code="E06000099", sex="Persons",
        category_type="IMD 2025 quintile (national)", category="Quintile 5 (least deprived)",
    )  # fmt: skip
    assert fifth.denominator == 4 * 500
    summaries = InequalitySummary.objects.filter(area__code="E06000099", basis="all")
    assert dict(summaries.values_list("period__label", "category_type")) == {
        "2022/23": "IMD 2019 quintile (national)",
        "2023/24": "IMD 2025 quintile (national)",
    }


def test_codes_from_another_vintage_are_refused_naming_the_vintage(shipped):
    load_2021(shipped)
    choose(shipped, "IMD 2025")
    before = Observation.objects.count()
    codes = ["E01090001", "E01090002", "E01090003", "E01090004", "E01090005"]
    extract = ingest(counts("2023/24", codes))
    assert extract.status == ExtractStatus.FAILED
    errors = extract.error_report.open().read().decode() if extract.error_report else ""
    text = extract.error_summary + errors
    assert "E01090005" in text and "LSOA 2021" in text and "IMD 2025" in text
    assert Observation.objects.count() == before


def test_pages_name_the_edition_the_system_uses(shipped, client):
    load_2021(shipped)
    choose(shipped, "IMD 2025")
    codes = ["E01090001", "E01090002", "E01090003", "E01090004", "E01099006", "E01099007"]
    ingest(counts("2023/24", codes))
    client.force_login(make_user("viewer", "viewer"))
    page = client.get("/explore/inequalities/?indicator=VIN01&area_type=local_authority"
                      "&area=E06000099").content.decode()  # fmt: skip
    assert "Deprivation: IMD 2025 quintile" in page
    assert "IMD 2019" not in page
    areas = client.get("/api/areas/?area=E01090001").json()["results"][0]
    assert (areas["imd_decile"], areas["deprivation_edition"]) == (2, "IMD 2025")


def test_bad_edition_arguments_change_nothing(shipped):
    (shipped / "areas2021.csv").write_text(AREAS_2021)
    with pytest.raises(CommandError):
        command("import_areas", str(shipped / "areas2021.csv"), "--deprivation", "IMD 2025")
    with pytest.raises(CommandError):
        command("import_areas", str(shipped / "areas2021.csv"),
                "--deprivation", "IMD 2019", "--small-areas", "LSOA 2021")  # fmt: skip
    assert not Area.objects.filter(code="E01099006").exists()
    assert list(DeprivationEdition.objects.values_list("name", flat=True)) == ["IMD 2019"]
    (shipped / "system.toml").write_text(SYSTEM + 'deprivation = "IMD 2031"\n')
    with pytest.raises(CommandError):
        command("import_system", str(shipped / "system.toml"))
    assert System.objects.get().deprivation_edition.name == "IMD 2019"
