"""Change points: analysts' SPC rebases, imported or added in the admin, re-derived at once."""

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from indicators.models import (
    AnalyticsBasis,
    AuditEvent,
    ChangePoint,
    Indicator,
    Observation,
    Period,
    SeriesAnalytics,
)
from indicators.services import ImportFailed
from indicators.statistics.spc import MINIMUM_POINTS, TOO_FEW_POINTS_NOTE, xmr_chart
from ingest.change_points import change_points_import
from ingest.derive import analytics_derive
from tests.series import REASON, load_series, rebase_case_values, rebased_values


def analytics(area="E54000039") -> SeriesAnalytics:
    return SeriesAnalytics.objects.get(area__code=area, category="", basis=AnalyticsBasis.SHOWN)


def write_csv(tmp_path, text: str) -> str:
    path = tmp_path / "change_points.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- Derive: the pipeline agrees with the rebase oracle ------------------------------------


def test_a_change_point_gives_each_phase_the_oracles_limits(framework, geography, tmp_path):
    values, start = rebased_values()
    periods = load_series(values)
    polarity = Indicator.objects.get(code="PRV01").polarity
    before = analytics().spc_points
    assert len({point["mean"] for point in before}) == 1  # one phase before the change point

    report = change_points_import(change_points_file=write_csv(
        tmp_path, f"indicator_code,area_code,period,reason\nPRV01,,{periods[start]},\"{REASON}\"\n"
    ))  # fmt: skip
    assert report.created == [f"PRV01 all areas {periods[start]}"]

    series = analytics()
    oracle = xmr_chart(values, polarity=polarity, rebase_at=[start])
    points = series.spc_points
    np.testing.assert_allclose([p["mean"] for p in points], oracle.mean, rtol=1e-9)
    np.testing.assert_allclose([p["lower"] for p in points], oracle.lower_process_limit, rtol=1e-9)
    np.testing.assert_allclose([p["upper"] for p in points], oracle.upper_process_limit, rtol=1e-9)
    assert [p["type"] for p in points] == list(oracle.point_type)
    assert series.spc_variation_icon == oracle.variation_icon
    assert [p["phase_start"] for p in points] == [periods[0]] * start + [periods[start]] * start
    assert [p["change_point"] for p in points] == [""] * start + [REASON] + [""] * (start - 1)


def test_the_reference_case_has_too_few_points_in_its_latest_phase(framework, geography):
    """synthetic_rebase_at_13: 12 points after the change point are too few for limits, so
    the series is a run chart with one median per phase and no icons."""
    values = rebase_case_values()
    periods = load_series(values)
    assert analytics().spc_variation_icon  # 24 points in one phase: SPC
    ChangePoint.objects.create(
        indicator=Indicator.objects.get(code="PRV01"), reason=REASON,
        period=Period.objects.get(label=periods[12]),
    )  # fmt: skip
    with transaction.atomic():
        analytics_derive(indicator_ids=[Indicator.objects.get(code="PRV01").pk])
    series = analytics()
    assert series.spc_trial_limits and series.spc_notes == TOO_FEW_POINTS_NOTE
    assert not series.spc_variation_icon and not series.spc_assurance_icon
    medians = [point["median"] for point in series.spc_points]
    assert medians == [np.median(values[:12])] * 12 + [np.median(values[12:])] * 12
    assert all(point["mean"] is None for point in series.spc_points)
    assert series.spc_points[12]["change_point"] == REASON


def test_an_earlier_phase_too_short_for_limits_keeps_only_its_median(framework, geography):
    values = [10.0, 12.0, 11.0, 13.0, 12.0] + [20.0 + (n % 4) for n in range(MINIMUM_POINTS)]
    periods = load_series(values)
    ChangePoint.objects.create(
        indicator=Indicator.objects.get(code="PRV01"), reason=REASON,
        period=Period.objects.get(label=periods[5]),
    )  # fmt: skip
    with transaction.atomic():
        analytics_derive(indicator_ids=[Indicator.objects.get(code="PRV01").pk])
    series = analytics()
    assert not series.spc_trial_limits and series.spc_variation_icon
    early, late = series.spc_points[:5], series.spc_points[5:]
    assert all(p["mean"] is None and p["median"] == 12.0 and p["type"] == "" for p in early)
    oracle = xmr_chart(values[5:], polarity=Indicator.objects.get(code="PRV01").polarity)
    np.testing.assert_allclose([p["upper"] for p in late], oracle.upper_process_limit)


def test_a_change_point_for_one_area_leaves_the_others_alone(framework, geography, tmp_path):
    values, start = rebased_values()
    periods = load_series(values, areas=("E54000039", "E06000023"))
    change_points_import(change_points_file=write_csv(
        tmp_path, f"indicator_code,area_code,period,reason\nPRV01,E06000023,{periods[start]},\"{REASON}\"\n"
    ))  # fmt: skip
    assert len({point["phase_start"] for point in analytics("E06000023").spc_points}) == 2
    assert {point["phase_start"] for point in analytics("E54000039").spc_points} == {periods[0]}
    assert not any(point["change_point"] for point in analytics("E54000039").spc_points)


# --- Import ----------------------------------------------------------------------------------


def test_import_is_idempotent_and_updates_the_reason(framework, geography, tmp_path):
    values, start = rebased_values()
    periods = load_series(values)
    text = f'indicator_code,area_code,period,reason\nPRV01,,{periods[start]},"{REASON}"\n'
    change_points_import(change_points_file=write_csv(tmp_path, text))
    again = change_points_import(change_points_file=write_csv(tmp_path, text))
    assert again.unchanged and not again.created and not again.changed
    changed = change_points_import(change_points_file=write_csv(
        tmp_path, f"indicator_code,area_code,period,reason\nPRV01,,{periods[start]},Pathway\n"
    ))  # fmt: skip
    assert changed.changed and ChangePoint.objects.get().reason == "Pathway"
    assert analytics().spc_points[start]["change_point"] == "Pathway"


def test_bad_rows_are_refused_with_line_numbers_and_nothing_is_written(
    framework, geography, tmp_path
):
    values, start = rebased_values()
    periods = load_series(values)
    stored = analytics().spc_points
    text = (
        "indicator_code,area_code,period,reason\n"
        f'PRV01,,{periods[start]},"{REASON}"\n'  # line 2: good
        f'NOPE1,,{periods[start]},"{REASON}"\n'  # line 3
        f'PRV01,E99999999,{periods[start]},"{REASON}"\n'  # line 4
        f'PRV01,,1990/91,"{REASON}"\n'  # line 5: no such period
        f"PRV01,,{periods[3]},\n"  # line 6: no reason
        f"PRV01,,{periods[start]},Again\n"  # line 7: repeats line 2
    )
    with pytest.raises(ImportFailed) as failure:
        change_points_import(change_points_file=write_csv(tmp_path, text))
    errors = failure.value.errors
    assert [error.split(":")[0] for error in errors] == [
        "Line 3", "Line 4", "Line 5", "Line 6", "Line 7",
    ]  # fmt: skip
    assert "NOPE1" in errors[0] and "E99999999" in errors[1] and "1990/91" in errors[2]
    assert "reason is empty" in errors[3] and "repeats line 2" in errors[4]
    assert not ChangePoint.objects.exists()
    assert analytics().spc_points == stored


def test_the_command_reports_and_refuses(framework, geography, tmp_path, capsys):
    values, start = rebased_values()
    periods = load_series(values)
    good = write_csv(
        tmp_path, f'indicator_code,area_code,period,reason\nPRV01,,{periods[start]},"{REASON}"\n'
    )
    call_command("import_change_points", good)
    assert "Change points: 1 created" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator_code,area_code,period,reason\nPRV01,,2099/00,x\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_change_points", str(bad))
    assert "Line 2: period '2099/00'" in capsys.readouterr().err
    assert ChangePoint.objects.count() == 1


# --- Admin: permissions, re-derive, audit -------------------------------------------------


ADD = "/admin/indicators/changepoint/add/"


def test_viewers_and_owners_cannot_add_change_points(client, viewer, owner, framework):
    for user in (viewer, owner):
        user.is_staff = True  # even with admin access, the role grants no change points
        user.save()
        client.force_login(user)
        assert client.get(ADD).status_code == 403
        assert client.post(ADD, {"reason": "x"}).status_code == 403
    assert not ChangePoint.objects.exists()


def test_an_analyst_adds_and_removes_one_and_the_spc_follows(client, analyst, framework, geography):
    values, start = rebased_values()
    periods = load_series(values)
    client.force_login(analyst)
    period = Period.objects.get(label=periods[start])
    response = client.post(ADD, {
        "indicator": Indicator.objects.get(code="PRV01").pk, "area": "",
        "period": period.pk, "reason": REASON,
    })  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    change_point = ChangePoint.objects.get()
    assert change_point.created_by == analyst
    assert analytics().spc_points[start]["change_point"] == REASON
    created = AuditEvent.objects.get(action="created", object_type="indicators.ChangePoint")
    assert created.user == analyst and created.object_id == str(change_point.pk)

    response = client.post(
        f"/admin/indicators/changepoint/{change_point.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not ChangePoint.objects.exists()
    assert {point["phase_start"] for point in analytics().spc_points} == {periods[0]}
    deleted = AuditEvent.objects.get(action="deleted", object_type="indicators.ChangePoint")
    assert deleted.user == analyst and REASON in deleted.object_repr


def test_an_empty_reason_is_refused_in_the_admin(client, analyst, framework, geography):
    periods = load_series([10.0, 11.0, 12.0])
    client.force_login(analyst)
    response = client.post(ADD, {
        "indicator": Indicator.objects.get(code="PRV01").pk, "area": "",
        "period": Period.objects.get(label=periods[1]).pk, "reason": "",
    })  # fmt: skip
    assert response.status_code == 200 and not ChangePoint.objects.exists()
    assert Observation.objects.count() == 3
