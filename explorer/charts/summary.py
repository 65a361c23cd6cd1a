"""The area summary's spine chart: each indicator's spread of areas, centred on England with
better to the right, and the area's value on it."""

from __future__ import annotations

from explorer.charts.style import (
    CONFIG,
    ENGLAND_COLOUR,
    colour_for,
    figure_layout,
    is_finite,
    ordered_labels,
    reference_line,
)
from indicators.chart_style import BAND_GREY, MID_GREY
from indicators.vocabulary import LOWER_BETTER


def spine_positions(*, value, england, minimum, maximum, q25, q75, polarity) -> dict | None:
    """Positions (0 to 1) on a spine centred on England, better always to the right.

    Fingertips' spine: the half-width is the larger distance from England to the lowest or
    highest area, so England sits at 0.5; for lower-is-better indicators the axis is flipped.
    No judgement keeps higher values to the right."""
    if not all(is_finite(v) for v in (england, minimum, maximum)):
        return None
    half_width = max(maximum - england, england - minimum)
    flip = -1 if polarity == LOWER_BETTER else 1

    def position(number):
        if not is_finite(number):
            return None
        if half_width == 0:
            return 0.5
        return 0.5 + flip * (number - england) / (2 * half_width)

    ends = sorted([position(minimum), position(maximum)])
    quartiles = sorted(p for p in (position(q25), position(q75)) if p is not None)
    return {
        "worst": ends[0],
        "best": ends[1],
        "inner_low": quartiles[0] if quartiles else ends[0],
        "inner_high": quartiles[-1] if quartiles else ends[1],
        "england": 0.5,
        "value": position(value),
    }


def spine_figure(rows: list[dict]) -> dict:
    """One row per indicator: the spread of areas (worst to best, interquartile darker),
    England in the middle, the area as a dot coloured by its comparison with England.

    ``rows``: dicts with name, value, england, minimum, q25, q75, maximum, polarity, label."""
    names, spans, markers = [], [], []
    for row in rows:
        positions = spine_positions(
            value=row["value"], england=row["england"], minimum=row["minimum"],
            maximum=row["maximum"], q25=row["q25"], q75=row["q75"], polarity=row["polarity"],
        )  # fmt: skip
        if positions is None:
            continue
        names.append(row["name"])
        spans.append(positions)
        if positions["value"] is not None:
            markers.append((row, positions["value"]))
    segments = [
        ("Lowest quarter of areas (worse side)", "worst", "inner_low", BAND_GREY),
        ("Middle half of areas", "inner_low", "inner_high", MID_GREY),
        ("Highest quarter of areas (better side)", "inner_high", "best", BAND_GREY),
    ]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": name,
            "y": names,
            "x": [span[end] - span[start] for span in spans],
            "base": [span[start] for span in spans],
            "marker": {"color": colour},
            "hoverinfo": "skip",
            "showlegend": index == 1,
        }  # fmt: skip
        for index, (name, start, end, colour) in enumerate(segments)
    ]
    for label in ordered_labels(row["label"] for row, _ in markers):
        members = [(row, x) for row, x in markers if row["label"] == label]
        data.append(
            {
                "type": "scatter", "mode": "markers", "name": f"Area: {label}",
                "y": [row["name"] for row, _ in members], "x": [x for _, x in members],
                "marker": {"color": colour_for(label), "size": 13, "symbol": "circle",
                           "line": {"color": ENGLAND_COLOUR, "width": 1}},
                "text": [f"{row['value']:.4g} ({label})" for row, _ in members],
                "hovertemplate": "%{y}<br>%{text}<extra></extra>",
            }
        )  # fmt: skip
    shape, note = reference_line(0.5, "England", ENGLAND_COLOUR, "solid", vertical=True)
    note["xanchor"] = "center"
    layout = figure_layout(
        height=max(320, 34 * len(names) + 140),
        barmode="overlay",
        xaxis={
            "range": [-0.02, 1.02],
            "tickvals": [0, 0.5, 1],
            "ticktext": ["Worse", "England", "Better"],
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
        },  # fmt: skip
        yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
        margin={"l": 10, "r": 40, "t": 60, "b": 40},
        shapes=[shape],
        annotations=[note],
    )
    return {"data": data, "layout": layout, "config": CONFIG}
