import pytest

from explorer import charts


def bar_colours(figure):
    return {
        trace["name"]: trace["marker"]["color"]
        for trace in figure["data"]
        if trace["type"] == "bar"
    }


def test_compare_bars_are_coloured_by_significance_with_error_bars_and_reference_lines():
    rows = [
        {"code": "A", "name": "Area A", "value": 70, "lower": 68, "upper": 72, "label": "Better"},
        {"code": "B", "name": "Area B", "value": 60, "lower": 58, "upper": 62, "label": "Similar"},
        {"code": "C", "name": "Area C", "value": 50, "lower": 49, "upper": 53, "label": "Worse"},
    ]
    figure = charts.compare_areas_figure(
        rows, unit="%", england=61, parent=("South West", 63), highlight="B"
    )
    assert bar_colours(figure) == {"Better": "#007f3b", "Similar": "#ffb81c", "Worse": "#d5281b"}
    worse = next(t for t in figure["data"] if t["name"] == "Worse")
    assert worse["error_x"]["array"] == [3] and worse["error_x"]["arrayminus"] == [1]
    assert [shape["x0"] for shape in figure["layout"]["shapes"]] == [61, 63]
    assert "<b>Area B</b>" in figure["layout"]["yaxis"]["categoryarray"]


def test_no_judgement_uses_higher_and_lower_blues():
    rows = [
        {"code": "A", "name": "A", "value": 70, "lower": 68, "upper": 72, "label": "Higher"},
        {"code": "B", "name": "B", "value": 50, "lower": 48, "upper": 52, "label": "Lower"},
    ]
    colours = bar_colours(charts.compare_areas_figure(rows, unit=""))
    assert colours == {"Higher": "#003087", "Lower": "#41b6e6"}


@pytest.mark.parametrize("polarity, better_value", [("higher_better", 80), ("lower_better", 40)])
def test_spine_puts_better_on_the_right_for_both_polarities(polarity, better_value):
    spread = {"england": 60, "minimum": 40, "q25": 55, "q75": 65, "maximum": 80}
    positions = charts.spine_positions(value=better_value, polarity=polarity, **spread)
    assert positions["england"] == 0.5
    assert positions["value"] == pytest.approx(1.0)
    assert positions["worst"] == pytest.approx(0.0) and positions["best"] == pytest.approx(1.0)
    worse_value = 40 if polarity == "higher_better" else 80
    assert charts.spine_positions(value=worse_value, polarity=polarity, **spread)[
        "value"
    ] == pytest.approx(0.0)


def test_spine_figure_marks_the_area_by_significance_on_flipped_axis():
    rows = [
        {"name": "Smoking", "value": 12, "england": 14, "minimum": 8, "q25": 11, "q75": 16,
         "maximum": 20, "polarity": "lower_better", "label": "Better"},
        {"name": "Screening", "value": 70, "england": 65, "minimum": 50, "q25": 60, "q75": 70,
         "maximum": 75, "polarity": "higher_better", "label": "Better"},
    ]  # fmt: skip
    figure = charts.spine_figure(rows)
    marker = next(t for t in figure["data"] if t["name"] == "Area: Better")
    assert marker["marker"]["color"] == "#007f3b"
    assert all(x > 0.5 for x in marker["x"])  # better is right for both polarities
    assert figure["layout"]["xaxis"]["ticktext"] == ["Worse", "England", "Better"]


def test_inequality_groups_compared_with_the_area_and_core20_marked():
    rows = [
        {
            "category": "Quintile 1 (most deprived)",
            "value": 40,
            "lower": 38,
            "upper": 42,
            "core20": True,
        },
        {
            "category": "Quintile 5 (least deprived)",
            "value": 60,
            "lower": 59,
            "upper": 61,
            "core20": False,
        },
    ]
    labels = charts.compare_with_area(rows, area_value=50, polarity="higher_better")
    assert labels == ["Worse", "Better"]
    figure = charts.inequality_figure(
        [dict(r, label=label) for r, label in zip(rows, labels, strict=True)],
        unit="%",
        area_name="Bristol",
        area_value=50,
    )
    assert any(note["text"] == "Core20" for note in figure["layout"]["annotations"])
    # Core20 bars are hatched in their own trace, out of the legend; the legend's "Worse"
    # swatch stays plain, and one legend entry explains the hatching.
    worse = [t for t in figure["data"] if t.get("legendgroup") == "Worse"]
    assert [(t["x"], t["showlegend"], "pattern" in t["marker"]) for t in worse] == [
        ([None], True, False),
        (["Quintile 1 (most deprived)"], False, True),
    ]
    assert worse[0]["name"].startswith("Worse")
    better = next(t for t in figure["data"] if t.get("legendgroup") == "Better")
    assert better["x"] == ["Quintile 5 (least deprived)"] and "pattern" not in better["marker"]
    key = next(t for t in figure["data"] if t["name"].startswith("Core20"))
    assert key["x"] == [None] and key["marker"]["pattern"]["shape"] == "/"


def test_quintile_classes_follow_polarity_and_need_five_values():
    assert charts.quintile_classes([1, 2, 3, 4, 5], polarity="lower_better") == [
        "Best", "Better", "Middle", "Worse", "Worst"
    ]  # fmt: skip
    assert charts.quintile_classes([1, 2, 3], polarity="no_judgement") == ["Not compared"] * 3


def test_map_is_offline_and_colours_by_label():
    rows = [
        {"location": "E1", "name": "A", "value": 1.0, "label": "Better"},
        {"location": "E2", "name": "B", "value": 2.0, "label": "Worse"},
    ]
    figure = charts.map_figure(
        rows, geojson_url="/static/b.geojson", topojson_url="/static/t/", unit="%"
    )
    trace = figure["data"][0]
    assert trace["geojson"] == "/static/b.geojson"
    assert figure["layout"]["geo"]["visible"] is False
    assert figure["layout"]["geo"]["fitbounds"] == "locations"
    assert figure["config"]["topojsonURL"] == "/static/t/"
    assert trace["colorbar"]["ticktext"] == ["Better", "Worse"]


def test_trend_has_bands_and_england_dashed():
    series = [
        {"code": "X", "name": "X", "is_england": False,
         "points": [{"period": "2020", "value": 1, "lower": 0.5, "upper": 1.5}]},
        {"code": "E", "name": "England", "is_england": True,
         "points": [{"period": "2020", "value": 1.2, "lower": None, "upper": None}]},
    ]  # fmt: skip
    figure = charts.trend_figure(series, unit="%", periods=["2020"])
    assert figure["data"][0]["fill"] == "toself"
    assert figure["data"][-1]["line"]["dash"] == "dash"
