"""An extract whose every row is left out, as the analyst asked, says so: not "no data rows"."""

from indicators.models import ExtractStatus, Observation
from ingest.services import extract_create, extract_process


def test_an_extract_of_only_untracked_indicators_says_why_nothing_was_written(framework, geography):
    data = (
        b"Indicator ID,Area Code,Sex,Age,Time period,Value\n"
        b"93356,E92000001,Persons,All ages,2023,98.1\n"
        b"93356,E54000039,Persons,All ages,2023,101.4\n"
    )
    extract = extract_create(
        data=data, original_name="campylobacter.csv", kind="values", enqueue=False,
        skip_unknown_indicators=True,
    )  # fmt: skip
    extract = extract_process(extract_id=extract.pk)
    assert extract.status == ExtractStatus.FAILED
    assert extract.error_summary.startswith("None of the 2 rows was kept, so nothing was written.")
    assert "not in the registry were left out, as asked: 93356" in extract.error_summary
    assert not Observation.objects.exists()
