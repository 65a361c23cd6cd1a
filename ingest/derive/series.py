"""Each series' recent trend and XmR (SPC) chart, with its phases from the change points."""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.statistics.spc import (
    MINIMUM_POINTS,
    POOLED_PERIODS_NOTE,
    TOO_FEW_POINTS_NOTE,
    periods_overlap,
    xmr_charts_by_series,
)
from indicators.statistics.trend import recent_trend, recent_trend_for_shape
from ingest.derive.cells import floats_or_none, text_or_blank
from ingest.derive.frames import SERIES

TREND_VALUE_TYPES = {"proportion": "proportion", "crude_rate": "crude_rate", "dsr": "dsr"}


def series_analytics_columns(
    observations: pd.DataFrame,
    indicators: pd.DataFrame,
    periods: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    change_points: pd.DataFrame | None = None,
) -> dict[str, list | np.ndarray]:
    """SeriesAnalytics rows, as columns: per series, the recent trend on the indicator's run
    of periods (gaps as NaN) and the XmR chart of the values it has. Arrays, not per-series
    pandas, so tens of thousands of series take seconds; a series whose shape rules a trend
    out (too few periods, say) gets its indicator's one answer without a call per series."""
    frame = observations.copy()
    frame["sort_key"] = frame["period_id"].map(periods.set_index("id")["sort_key"])
    frame = frame.sort_values([*SERIES, "sort_key"], kind="stable").reset_index(drop=True)
    # Position of each row's period in its indicator's sorted run of periods.
    frame["position"] = (
        frame.groupby("indicator_id")["sort_key"].rank(method="dense").astype(int) - 1
    )
    runs = frame.groupby("indicator_id")["position"].max().add(1).to_dict()
    series_number = frame.groupby(SERIES, sort=False).ngroup().to_numpy()
    firsts = np.flatnonzero(np.r_[True, series_number[1:] != series_number[:-1]])
    columns: dict[str, list | np.ndarray] = {
        name: frame[name].to_numpy()[firsts].tolist() for name in SERIES
    }
    columns["latest_period_id"] = _latest_periods(frame, series_number).tolist()
    trends = _trends_by_series(frame, series_number, columns["indicator_id"], indicators, runs)
    columns["trend_marker"] = [trend.marker for trend in trends]
    columns["trend_label"] = [trend.label for trend in trends]
    columns["trend_reason"] = [(trend.reason or "")[:200] for trend in trends]
    charts = _spc_by_series(frame, series_number, targets, periods, change_points)
    keys = list(zip(*(columns[name] for name in SERIES), strict=True))
    for name, default in SPC_DEFAULTS.items():
        columns[name] = [charts[key][name] if key in charts else default for key in keys]
    return columns


SPC_DEFAULTS = {
    "spc_variation_icon": "", "spc_variation_label": "", "spc_assurance_icon": "",
    "spc_assurance_label": "", "spc_trial_limits": False, "spc_notes": "", "spc_points": [],
}  # fmt: skip


def _trends_by_series(frame, series_number, series_indicators, indicators, runs) -> list:
    """The recent trend of each series, oldest period first on its indicator's run."""
    meta = indicators.to_dict("index")
    by_shape = {
        indicator: recent_trend_for_shape(points=runs[indicator], **_trend_kind(meta[indicator]))
        for indicator in runs
    }
    pending = [number for number, indicator in enumerate(series_indicators)
               if by_shape[indicator] is None]  # fmt: skip
    trends = [by_shape[indicator] for indicator in series_indicators]
    if not pending:
        return trends
    width = max(runs.values())
    grid = {
        name: np.full((len(series_indicators), width), np.nan)
        for name in ["value", "lower_95", "upper_95", "count", "denominator"]
    }
    for name, array in grid.items():
        array[series_number, frame["position"].to_numpy()] = frame[name].to_numpy(dtype=float)
    for number in pending:
        indicator = series_indicators[number]
        run = slice(0, runs[indicator])
        arrays = {name: array[number, run] for name, array in grid.items()}
        trends[number] = recent_trend(
            arrays["value"], lower_ci95=arrays["lower_95"], upper_ci95=arrays["upper_95"],
            counts=arrays["count"], denominators=arrays["denominator"],
            polarity=meta[indicator]["polarity"], **_trend_kind(meta[indicator]),
        )  # fmt: skip
    return trends


def _trend_kind(indicator: dict) -> dict:
    return {
        "method": "ci_weighted",
        "value_type": TREND_VALUE_TYPES.get(indicator["value_type"], "other"),
        "period_years": 1 if indicator["frequency"] == "annual" else 0,
    }


def _latest_periods(frame: pd.DataFrame, series_number: np.ndarray) -> np.ndarray:
    """Each series' latest period with a value (its latest period at all if none has one)."""
    latest = np.zeros(int(series_number.max()) + 1, dtype=np.int64)
    latest[series_number] = frame["period_id"].to_numpy()  # rows are in period order: last wins
    with_value = frame["value"].notna().to_numpy()
    latest[series_number[with_value]] = frame["period_id"].to_numpy()[with_value]
    return latest


def _spc_by_series(
    frame: pd.DataFrame,
    series_number: np.ndarray,
    targets: pd.DataFrame,
    periods: pd.DataFrame,
    change_points: pd.DataFrame | None = None,
) -> dict[tuple, dict]:
    """XmR results for every series with at least two values, keyed by series key.

    A change point starts a new phase (an NHSRplotthedots rebase group) at the series' first
    value on or after its period: each phase gets its own mean and limits, and the icons come
    from the latest phase. Each point carries ``phase_start`` (the label of its phase's first
    period) and, on a phase's first point, ``change_point`` (the analysts' reason)."""
    has_value = frame["value"].notna().to_numpy()
    values_per_series = np.bincount(series_number[has_value], minlength=series_number.max() + 1)
    values = frame[has_value & (values_per_series[series_number] >= 2)]
    if values.empty:
        return {}
    targets = targets.loc[targets["value"].notna(), ["indicator_id", "area_id", "sex", "value"]]
    targets = targets.rename(columns={"value": "target"})
    values = values.merge(targets, on=["indicator_id", "area_id", "sex"], how="left")
    values.loc[values["category_type"] != "", "target"] = np.nan
    values = values.sort_values([*SERIES, "sort_key"], kind="stable").reset_index(drop=True)
    values["change_point"] = _phase_starts(values, change_points, periods)
    values["phase_start"] = values["change_point"] != ""
    tables = xmr_charts_by_series(
        values, series_keys=SERIES, period_column="sort_key", value_column="value",
        polarity_column="polarity", target_column="target", rebase_column="phase_start",
    )  # fmt: skip
    labels = dict(zip(periods["sort_key"], periods["label"], strict=True))
    # The core keeps this order (sorted by series then period), so rows align with ``values``.
    points = tables.points.sort_values([*SERIES, "sort_key"], kind="stable").reset_index(drop=True)
    points["change_point"] = values["change_point"].to_numpy()
    phase = [*SERIES, "group"]
    points["phase_start"] = points.groupby(phase, sort=False)["sort_key"].transform("first")
    points["phase_size"] = points.groupby(phase, sort=False)["sort_key"].transform("size")
    points["phase_median"] = points.groupby(phase, sort=False)["value"].transform("median")
    numbers = points.groupby(SERIES, sort=False).ngroup().to_numpy()
    bounds = np.flatnonzero(np.r_[True, numbers[1:] != numbers[:-1], True])
    point_keys = list(points.loc[bounds[:-1], SERIES].itertuples(index=False, name=None))
    columns = {
        "period": [labels.get(key, key) for key in points["sort_key"]],
        "value": floats_or_none(points["value"]),
        "mean": floats_or_none(points["mean"]),
        "lower": floats_or_none(points["lower_process_limit"]),
        "upper": floats_or_none(points["upper_process_limit"]),
        "type": [text_or_blank(item) for item in points["point_type"]],
        "rule": [text_or_blank(item) for item in points["special_cause_type"]],
        "phase_start": [labels.get(key, key) for key in points["phase_start"]],
        "change_point": points["change_point"].tolist(),
        "phase_points": points["phase_size"].astype(int).tolist(),
        "median": floats_or_none(points["phase_median"]),
    }
    names = list(columns)
    rows = list(zip(*columns.values(), strict=True))
    series_points = {
        key: [dict(zip(names, row, strict=True)) for row in rows[bounds[i] : bounds[i + 1]]]
        for i, key in enumerate(point_keys)
    }
    sort_keys = points["sort_key"].tolist()
    series_sort_keys = {
        key: sort_keys[bounds[i] : bounds[i + 1]] for i, key in enumerate(point_keys)
    }
    spans = dict(zip(periods["sort_key"], zip(periods["start"], periods["end"], strict=True),
                     strict=True))  # fmt: skip
    results: dict[tuple, dict] = {}
    for row in tables.series.itertuples(index=False):
        key = tuple(getattr(row, column) for column in SERIES)
        run = _run_chart(series_points[key], series_sort_keys[key], spans)
        if run is not None:
            results[key] = run
            continue
        results[key] = {
            "spc_variation_icon": text_or_blank(row.variation_icon),
            "spc_variation_label": text_or_blank(row.variation_label),
            "spc_assurance_icon": text_or_blank(row.assurance_icon),
            "spc_assurance_label": text_or_blank(row.assurance_label),
            # The core flags trial limits when any phase is short; the icons come from the
            # latest phase, which has MINIMUM_POINTS here (earlier short phases show no limits).
            "spc_trial_limits": False,
            "spc_notes": "Too little variation for reliable process limits."
            if row.insufficient_variation
            else "",
            "spc_points": _phases_without_limits(series_points[key]),
        }
    return results


def _phase_starts(
    values: pd.DataFrame, change_points: pd.DataFrame | None, periods: pd.DataFrame
) -> np.ndarray:
    """The change points' reasons on the first value of each phase they start, "" elsewhere.

    ``values`` is sorted by series then period. A change point applies to its indicator's
    series in its area (every area when it has none) and starts the phase at the series'
    first value in or after its period, when the series has a value before it: a change
    point before a series begins, or after its latest value, changes nothing yet."""
    reasons = np.full(len(values), "", dtype=object)
    if change_points is None or change_points.empty or values.empty:
        return reasons
    rank = {key: number for number, key in enumerate(sorted(periods["sort_key"]))}
    by_id = periods.set_index("id")["sort_key"].map(rank)
    points = pd.DataFrame(
        {
            "row": np.arange(len(values)),
            "indicator_id": values["indicator_id"].to_numpy(),
            "area_id": values["area_id"].to_numpy(),
            "rank": values["sort_key"].map(rank).to_numpy(),
        }
    )
    new_series = values[SERIES].ne(values[SERIES].shift()).any(axis=1).to_numpy()
    points["previous"] = points["rank"].shift().where(~new_series)
    marks = change_points.assign(change_rank=change_points["period_id"].map(by_id))
    hits = points.merge(
        marks.rename(columns={"area_id": "change_area_id"}), on="indicator_id", how="inner"
    )
    applies = (hits["change_area_id"].isna() | (hits["change_area_id"] == hits["area_id"])) & (
        hits["previous"] < hits["change_rank"]
    ) & (hits["change_rank"] <= hits["rank"])  # fmt: skip
    hits = hits[applies].sort_values(["row", "change_rank"])
    for row, group in hits.groupby("row", sort=False):
        reasons[row] = "; ".join(dict.fromkeys(group["reason"]))
    return reasons


def _phases_without_limits(points: list[dict]) -> list[dict]:
    """An SPC series whose latest phase has enough points may have an earlier phase that has
    too few: it gets no limits or special causes (MINIMUM_POINTS), only its median."""
    shaped = []
    for point in points:
        size = point.pop("phase_points")
        if size < MINIMUM_POINTS:
            point |= {"mean": None, "lower": None, "upper": None, "type": "", "rule": ""}
        else:
            point["median"] = None
        shaped.append(point)
    return shaped


def _run_chart(points: list[dict], keys: list, spans: dict) -> dict | None:
    """No SPC verdict without enough points: a series whose latest phase has fewer than
    MINIMUM_POINTS values, or of overlapping pooled periods (not independent points), keeps
    only its values and each phase's median — no limits, no special causes, no icons. None
    for a series that gets SPC."""
    pooled = periods_overlap([spans[key][0] for key in keys], [spans[key][1] for key in keys])
    # With change points, the latest phase is what needs the points (its limits give icons).
    if points[-1]["phase_points"] >= MINIMUM_POINTS and not pooled:
        return None
    return SPC_DEFAULTS | {
        "spc_trial_limits": True,
        "spc_notes": POOLED_PERIODS_NOTE if pooled else TOO_FEW_POINTS_NOTE,
        "spc_points": [
            {
                "period": point["period"],
                "value": point["value"],
                "median": point["median"],  # of the point's phase: one median per phase
                "mean": None,
                "lower": None,
                "upper": None,
                "type": "",
                "rule": "",
                "phase_start": point["phase_start"],
                "change_point": point["change_point"],
            }
            for point in points
        ],  # fmt: skip
    }
