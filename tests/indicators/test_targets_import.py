import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.models import Baseline, Target

HEADER = (
    "indicator_code,area_code,sex,baseline_period,baseline_value,baseline_lower_95,"
    "baseline_upper_95,target_value,target_lower,target_upper,target_period,target_source,"
    "target_source_detail\n"
)


def test_baselines_and_targets_import_idempotently(framework, geography, tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text(
        HEADER
        + "PRV01,E54000039,Persons,2020/21,15.2,14.8,15.6,12,,,2027/28,local_plan,Tobacco plan\n"
        + "LTC03,E54000039,Persons,2020/21,68.0,67.1,68.9,,70,75,2025/26,national,Screening ambition\n"
    )
    out = io.StringIO()
    call_command("import_targets", str(path), stdout=out)
    assert "Baselines: 2 created" in out.getvalue() and "Targets: 2 created" in out.getvalue()
    ranged = Target.objects.get(indicator__code="LTC03")
    assert (ranged.value, ranged.range_lower, ranged.range_upper) == (None, 70, 75)
    assert Baseline.objects.get(indicator__code="PRV01").period.label == "2020/21"
    out = io.StringIO()
    call_command("import_targets", str(path), stdout=out)
    assert "Targets: 0 created, 0 changed, 2 unchanged" in out.getvalue()


def test_bad_rows_are_reported_and_nothing_written(framework, geography, tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text(
        HEADER
        + "PRV01,E54000039,Persons,2020/21,15.2,,,12,,,2027/28,local_plan,\n"
        + "NOPE,E54000039,Persons,someday,x,,,12,,,2027/28,wishful,\n"
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_targets", str(path), stderr=err)
    messages = err.getvalue()
    for expected in ["Line 3: indicator 'NOPE'", "Line 3: baseline_period", "Line 3: target_source 'wishful'",
                     "Line 3: baseline_value 'x' is not a number"]:  # fmt: skip
        assert expected in messages
    assert not Baseline.objects.exists() and not Target.objects.exists()
