import csv
import io
from pathlib import Path

import pytest

from indicators.models import Programme
from indicators.services import ImportFailed, programmes_import, registry_import

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "demo_programmes.csv"


def test_programmes_import_creates_links_and_is_idempotent(scenario):
    text = (
        "code,name,description,lead_partner,indicator_codes\n"
        "TDT,Tobacco dependency treatment,Opt-out treatment,LA Public Health,PRV01; OVR04\n"
    )
    report = programmes_import(programmes_file=io.StringIO(text))
    assert report.created == ["TDT"]
    programme = Programme.objects.get(code="TDT")
    assert programme.lead_partner.name == "LA Public Health"
    assert sorted(programme.indicators.values_list("code", flat=True)) == ["OVR04", "PRV01"]
    again = programmes_import(programmes_file=io.StringIO(text))
    assert again.changed == ["TDT"] and Programme.objects.count() == 1


def test_programmes_import_refuses_unknown_indicators(scenario):
    text = "code,name,description,lead_partner,indicator_codes\nX,X,,,PRV01;NOPE\n"
    with pytest.raises(ImportFailed) as failure:
        programmes_import(programmes_file=io.StringIO(text))
    assert "NOPE" in failure.value.errors[0]
    assert not Programme.objects.exists()


def test_the_shipped_programmes_import_onto_the_shipped_framework(db):
    registry_import(
        indicators_file=str(FIXTURE.parent / "demo_framework.csv"),
        domains_file=str(FIXTURE.parent / "demo_domains.csv"),
    )

    report = programmes_import(programmes_file=str(FIXTURE))

    with FIXTURE.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert sorted(report.created) == sorted(row["code"] for row in rows)
    for row in rows:
        linked = Programme.objects.get(code=row["code"]).indicators.values_list("code", flat=True)
        assert set(linked) == {code.strip() for code in row["indicator_codes"].split(";")}
