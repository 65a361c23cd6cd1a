from dataclasses import replace
from datetime import date

from indicators.models import Baseline, Indicator, Period, Target
from reporting.charts import (
    Table,
    csv_safe,
    figure_as_dict,
    sparkline,
    spc_chart,
    table_csv,
    trend_chart,
    trend_table,
)
from reporting.selectors import IndicatorStatus, SeriesPoint, Signal
from reporting.templatetags.reporting_format import cell

NAMES = {"headline": "BNSSG", "benchmark": "England"}  # what the pages pass for the demo system


def _status(**overrides) -> IndicatorStatus:
    indicator = Indicator(code="PRV01", name="Smoking", unit_label="%", polarity="lower_better")
    periods = ["2022", "2023", "2024"]
    points = [
        SeriesPoint(period=label, sort_key=label, end=date(int(label), 12, 31), value=value,
                    lower_95=value - 1, upper_95=value + 1, count=10, denominator=100,
                    value_note="", suppressed=False, england_comparison="Better",
                    target_comparison="Green", england_value=19.0)
        for label, value in zip(periods, [20.0, 18.0, 17.0], strict=True)
    ]  # fmt: skip
    spc = [
        {"period": "2022", "value": 20.0, "mean": 18.3, "lower": 15.0, "upper": 21.6,
         "type": "common_cause", "rule": "Common Cause"},
        {"period": "2023", "value": 18.0, "mean": 18.3, "lower": 15.0, "upper": 21.6,
         "type": "special_cause_concern", "rule": "Above UCL"},
        {"period": "2024", "value": 17.0, "mean": 18.3, "lower": 15.0, "upper": 21.6,
         "type": "special_cause_improvement", "rule": "Below LCL"},
    ]  # fmt: skip
    values = {
        "indicator": indicator, "points": points, "spc_points": spc,
        "variation": Signal("improvement_low", "Special cause improvement – low"),
        "assurance": Signal("pass", "Consistently hits target"), "trend_label": "",
        "trend_marker": "", "spc_trial_limits": False, "spc_notes": "",
        "baseline": Baseline(value=21.0, period=Period(label="2022")),
        "target": Target(value=18.5, target_period=Period(label="2025"),
                         trajectory=[{"period": "2024", "value": 19.0},
                                     {"period": "2025", "value": 18.5}]),
    }  # fmt: skip
    values.update(overrides)
    return IndicatorStatus(**values)


def _trace(figure, name):
    return next(trace for trace in figure.data if trace.name == name)


def test_trend_chart_has_ci_band_england_target_trajectory_and_baseline():
    figure = trend_chart(_status(), **NAMES)
    band = _trace(figure, "95% confidence interval")
    assert band.fill == "tonexty" and list(band.y) == [19.0, 17.0, 16.0]
    assert list(_trace(figure, "BNSSG").y) == [20.0, 18.0, 17.0]
    england = _trace(figure, "England")
    assert england.line.dash == "dash" and list(england.y) == [19.0] * 3
    target = _trace(figure, "Target by 2025")
    assert target.line.dash == "dot" and set(target.y) == {18.5}
    trajectory = _trace(figure, "Trajectory to target")
    assert list(trajectory.x) == ["2024", "2025"] and trajectory.line.dash == "dashdot"
    baseline = _trace(figure, "Baseline (2022)")
    assert baseline.marker.symbol == "star" and list(baseline.y) == [21.0]
    assert figure.layout.xaxis.type == "category"
    assert figure_as_dict(figure)["data"][0]["y"] == [21.0, 19.0, 18.0]  # JSON-ready


def test_trend_chart_for_a_range_target_draws_both_edges():
    status = _status(
        target=Target(range_lower=10, range_upper=12, target_period=Period(label="2025"))
    )
    names = [trace.name for trace in trend_chart(status, **NAMES).data]
    assert "Target range bottom by 2025" in names and "Target range top by 2025" in names


def test_spc_chart_marks_special_cause_points_by_shape_and_shows_limits():
    figure = spc_chart(_status())
    assert list(_trace(figure, "Upper process limit").y) == [21.6] * 3
    assert _trace(figure, "Lower process limit").line.dash == "dash"
    improvement = _trace(figure, "Special cause: improvement")
    concern = _trace(figure, "Special cause: concern")
    assert list(improvement.x) == ["2024"] and improvement.marker.symbol == "circle"
    assert list(concern.x) == ["2023"] and concern.marker.symbol == "diamond"
    title = figure.layout.title.text.replace("<br>", " ")
    assert "Special cause improvement – low" in title
    assert "Consistently hits target" in title


def test_a_long_chart_title_wraps_between_words_with_room_above_the_plot():
    status = _status()
    status.indicator.name = "Bowel cancer screening coverage (60-74, tested in the last 30 months)"
    figure = spc_chart(status)
    lines = figure.layout.title.text.split("<br>")
    assert len(lines) == 2 and all(len(line) <= 88 for line in lines)
    assert " ".join(lines).startswith("SPC chart: Bowel cancer screening coverage (60-74,")
    assert figure.layout.margin.t == 68
    assert "<br>" not in trend_chart(_status(), **NAMES).layout.title.text


def test_sparkline_scales_values_into_the_box_and_describes_itself():
    line = sparkline([10.0, None, 20.0], periods=["2022", "2023", "2024"])
    xs, ys = zip(*[map(float, pair.split(",")) for pair in line.points.split()], strict=True)
    assert xs[0] == 3.0 and xs[-1] == 117.0 and ys[0] == 29.0 and ys[-1] == 3.0
    assert line.description == "2 periods, from 10.0 in 2022 to 20.0 in 2024"
    assert sparkline([5.0], periods=["2024"]) is None


def test_csv_safe_prefixes_formula_text_but_keeps_numbers():
    assert csv_safe("=SUM(A1)") == "'=SUM(A1)"
    assert csv_safe("+1") == "'+1" and csv_safe("-x") == "'-x" and csv_safe("@x") == "'@x"
    assert csv_safe(-1.5) == -1.5 and csv_safe(None) == "" and csv_safe("Better") == "Better"
    text = table_csv(trend_table(_status(), **NAMES))
    assert text.splitlines()[1].startswith("2022,20.0,19.0,21.0")


def test_counts_stored_as_floats_show_as_whole_numbers_in_the_table_and_csv():
    status = _status()
    status.points[0:2] = [
        replace(status.points[0], count=94845.0, denominator=141290.0),
        replace(status.points[1], count=12.5),  # a modelled count keeps its fraction
    ]
    table = trend_table(status, **NAMES)
    first, second = table.cells[0], table.cells[1]
    assert cell(*first[4]) == "94,845" and cell(*first[5]) == "141,290"
    assert cell(*first[1]) == "20.0" and cell(*second[4]) == "12.5"
    assert table_csv(table).splitlines()[1].startswith("2022,20.0,19.0,21.0,94845,141290,")


def test_a_table_column_can_carry_its_own_decimal_places():
    table = Table(caption="c", headers=["Period", "Ratio", "Gap"], rows=[["2024", 0.8, -15.84]],
                  places={1: 2})  # fmt: skip
    assert [cell(*pair) for pair in table.cells[0][1:]] == ["0.80", "-15.8"]
    assert cell(None, 2) == "–" and cell("Better", 2) == "Better"
