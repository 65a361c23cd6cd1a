"""Derive step: everything pages read besides the values themselves.

For each affected indicator, recompute from the stored observations: the comparison of every
value with England and with its parent area (95% CI against the comparator, Fingertips §9.1)
and with its target (RAG, §9.5); each series' recent trend (§10) and XmR chart (§11); and
each area-period's inequality summary across national IMD quintiles (§6). Recomputing the
whole indicator is what makes a new England value, a new period or a revert correct
everywhere it matters. In the pipeline it runs before the write, over the stored rows with
the extract's rows in their place, so each new row is written once with its derived columns
(``observations_apply``).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection

from indicators.disclosure import disclosed_frame, suppression_flags
from indicators.models import (
    AnalyticsBasis,
    Area,
    ChangePoint,
    Indicator,
    InequalitySummary,
    Observation,
    Period,
    SeriesAnalytics,
    Target,
)
from indicators.statistics.benchmark import (
    compare_with_reference,
    compare_with_target,
    compare_with_target_range,
)
from indicators.statistics.inequality import slope_index_of_inequality_by_group
from indicators.statistics.spc import (
    MINIMUM_POINTS,
    POOLED_PERIODS_NOTE,
    TOO_FEW_POINTS_NOTE,
    periods_overlap,
    xmr_charts_by_series,
)
from indicators.statistics.trend import recent_trend, recent_trend_for_shape
from indicators.vocabulary import ENGLAND_CODE, is_deprivation_quintile_type
from ingest.bulk import insert_columns, insert_instances, load_temp_table
from ingest.lookups import area_parents
from ingest.writing import (
    WriteSummary,
    lock_indicators,
    observations_incoming,
    observations_write,
)

SERIES = ["indicator_id", "area_id", "sex", "age", "category_type", "category"]
MATCH = ["indicator_id", "period_id", "sex", "age", "category_type", "category"]
TREND_VALUE_TYPES = {"proportion": "proportion", "crude_rate": "crude_rate", "dsr": "dsr"}


@dataclass(frozen=True)
class DeriveSummary:
    observations: int
    series: int
    inequality_summaries: int
    updated: int = 0  # stored observations whose suppression or comparisons changed
    # The rows given as ``incoming``, with their derived suppression and comparisons.
    incoming: pd.DataFrame | None = None


def analytics_derive(*, indicator_ids, incoming: pd.DataFrame | None = None) -> DeriveSummary:
    """Recompute comparisons, series analytics and inequality summaries for the indicators.

    ``incoming`` holds rows about to be written (``ingest.writing.observations_incoming``):
    the indicators are derived as they will be once it is, and it comes back with its
    suppression and comparisons worked out, so each new row is written once, whole. Stored
    rows are updated only where a derived column changed."""
    derivation = observations_derive(indicator_ids, incoming=incoming)
    return series_write(derivation, series_derive(derivation))


def observations_apply(frame: pd.DataFrame, *, extract) -> tuple[WriteSummary, DeriveSummary]:
    """Write a values frame (VALUES_COLUMNS) with history, and derive what depends on it.

    Derived first, on the indicators as they will be, so each new row is written once with
    its suppression and comparisons. The series' trends, SPC and inequality summaries are
    computed on another thread while the database writes the rows (``series_derive`` reads
    nothing from the database). Runs inside the caller's transaction; the indicators are
    locked before their stored rows are read, so concurrent extracts apply in turn."""
    incoming = observations_incoming(frame)
    lock_indicators(incoming["indicator_id"].unique())
    derivation = observations_derive(incoming["indicator_id"].unique(), incoming=incoming)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="derive") as pool:
        series = pool.submit(series_derive, derivation)
        written = observations_write(derivation.incoming, extract=extract)
        derived = series_write(derivation, series.result())
    return written, derived


@dataclass(frozen=True, eq=False)
class Derivation:
    """The indicators' observations as derived (stored rows updated already), and what the
    series step needs, read beforehand so that it runs without the database."""

    indicator_ids: list[int]
    shown: pd.DataFrame  # the observations, suppressed values blanked
    indicators: pd.DataFrame  # by id: INDICATOR_COLUMNS but the id
    periods: pd.DataFrame  # PERIOD_COLUMNS
    targets: pd.DataFrame  # indicator_id, area_id, sex, value, range_lower, range_upper
    updated: int
    incoming: pd.DataFrame | None  # with its derived suppression and comparisons
    full: pd.DataFrame  # the observations with every value as stored
    change_points: pd.DataFrame | None = None  # CHANGE_POINT_COLUMNS: where SPC phases start
    # Each observation's suppression and comparisons as stored (``before``) and as derived
    # (``derived``, with its id; INCOMING for new rows): what a review compares.
    before: pd.DataFrame | None = None
    derived: pd.DataFrame | None = None


@dataclass(frozen=True, eq=False)
class SeriesResults:
    columns: dict[str, list]  # SeriesAnalytics rows as columns
    summaries: list[InequalitySummary]


def observations_derive(indicator_ids, *, incoming=None, write: bool = True) -> Derivation:
    """Suppression and comparisons for every observation of the indicators (``incoming`` in
    place of the rows it replaces); stored rows whose derived columns changed are updated,
    unless ``write`` is False (a review, which changes nothing)."""
    indicator_ids = sorted(int(item) for item in indicator_ids)
    observations = observations_frame(indicator_ids, incoming=incoming)
    indicators = pd.DataFrame(
        Indicator.objects.filter(pk__in=indicator_ids).values(*INDICATOR_COLUMNS),
        columns=INDICATOR_COLUMNS,
    ).set_index("id")
    periods = pd.DataFrame(Period.objects.values_list(*PERIOD_COLUMNS), columns=PERIOD_COLUMNS)
    targets = pd.DataFrame(
        Target.objects.filter(indicator_id__in=indicator_ids).values(*TARGET_COLUMNS),
        columns=TARGET_COLUMNS,
    )
    if observations.empty:  # e.g. the only extract was reverted: nothing left to derive
        return Derivation(
            indicator_ids, observations, indicators, periods, targets, 0, incoming, observations
        )
    observations["polarity"] = observations["indicator_id"].map(indicators["polarity"])
    before = observations[["suppressed", *DERIVED_COMPARISONS]].copy()
    policy = {
        "value_type": observations["indicator_id"].map(indicators["value_type"]),
        "rule": observations["indicator_id"].map(indicators["disclosure_rule"]),
        "multiplier": observations["indicator_id"].map(indicators["multiplier"]),
        "ci_method": observations["indicator_id"].map(indicators["ci_method"]),
    }
    observations["suppressed"] = suppression_flags(
        observations.assign(**policy), area_parents=area_parents()
    )
    # Everything derived is computed from the values as a protected viewer sees them, so it
    # carries nothing more than they do (indicators/disclosure.py, rule 4).
    full = observations.copy()  # every value as stored: analysts' analytics
    observations = disclosed_frame(observations.assign(**policy)).drop(columns=list(policy))
    derived = observations[["id", "suppressed"]].join(comparisons_frame(observations, targets))
    updated = derived_write(derived, before=before) if write else 0
    if incoming is not None:
        new = derived[observations["id"].to_numpy() == INCOMING]
        incoming = incoming.assign(
            suppressed=new["suppressed"].to_numpy(),
            **{column: new[column].to_numpy() for column in DERIVED_COMPARISONS},
        )
    # Trends, SPC and inequality summaries leave suppressed values out (docs/disclosure.md).
    shown = observations
    shown.loc[shown["suppressed"], ["value", "lower_95", "upper_95", "count", "denominator"]] = (
        np.nan
    )
    return Derivation(
        indicator_ids, shown, indicators, periods, targets, updated, incoming, full,
        change_points=change_points_frame(indicator_ids), before=before, derived=derived,
    )  # fmt: skip


def series_derive(derivation: Derivation, bases=tuple(AnalyticsBasis)) -> SeriesResults:
    """Each series' trend and SPC, and the inequality summaries, for each basis: from the
    values as protected roles see them, and from every value for analysts
    (docs/disclosure.md). No database access."""
    if derivation.shown.empty:
        return SeriesResults({}, [])
    columns: dict[str, list] = {}
    summaries: list[InequalitySummary] = []
    frames = {AnalyticsBasis.SHOWN: derivation.shown, AnalyticsBasis.ALL: derivation.full}
    for basis in bases:
        part = series_analytics_columns(
            frames[basis], derivation.indicators, derivation.periods, derivation.targets,
            change_points=derivation.change_points,
        )  # fmt: skip
        part["basis"] = [basis] * len(part["indicator_id"])
        for name, values in part.items():
            columns.setdefault(name, []).extend(list(values))
        summaries += inequality_summaries(frames[basis], basis=basis)
    return SeriesResults(columns, summaries)


def series_write(derivation: Derivation, results: SeriesResults) -> DeriveSummary:
    """Replace the indicators' series analytics and inequality summaries."""
    SeriesAnalytics.objects.filter(indicator_id__in=derivation.indicator_ids).delete()
    insert_columns(SeriesAnalytics, results.columns)
    InequalitySummary.objects.filter(indicator_id__in=derivation.indicator_ids).delete()
    insert_instances(InequalitySummary, results.summaries)
    return DeriveSummary(
        len(derivation.shown), len(results.columns.get("indicator_id", [])),
        len(results.summaries), derivation.updated, derivation.incoming,
    )  # fmt: skip


PERIOD_COLUMNS = ["id", "sort_key", "label", "start", "end"]
INDICATOR_COLUMNS = [
    "id", "polarity", "value_type", "frequency", "disclosure_rule", "multiplier", "ci_method",
]  # fmt: skip
TARGET_COLUMNS = ["indicator_id", "area_id", "sex", "value", "range_lower", "range_upper"]
CHANGE_POINT_COLUMNS = ["indicator_id", "area_id", "period_id", "reason"]
OBSERVATION_COLUMNS = [
    "id", *SERIES, "period_id", "value", "lower_95", "upper_95", "count", "denominator",
    "suppressed", "england_comparison", "parent_comparison", "target_comparison",
]  # fmt: skip
KEY = [*MATCH, "area_id"]
TEXT_KEY = ["sex", "age", "category_type", "category"]
DERIVED_COMPARISONS = ["england_comparison", "parent_comparison", "target_comparison"]
INCOMING = -1  # the id of a row not stored yet


def change_points_frame(indicator_ids: list[int]) -> pd.DataFrame:
    """The indicators' change points (CHANGE_POINT_COLUMNS; area_id NaN: every area)."""
    rows = ChangePoint.objects.filter(indicator_id__in=indicator_ids).values_list(
        *CHANGE_POINT_COLUMNS
    )
    return pd.DataFrame.from_records(list(rows), columns=CHANGE_POINT_COLUMNS)


def observations_frame(indicator_ids: list[int], *, incoming=None) -> pd.DataFrame:
    """The indicators' stored observations (OBSERVATION_COLUMNS, plus each row's parent area
    and whether it is England's), with ``incoming`` rows in place of those they replace."""
    rows = Observation.objects.filter(indicator_id__in=indicator_ids).values_list(
        *OBSERVATION_COLUMNS
    )
    frame = pd.DataFrame.from_records(list(rows), columns=OBSERVATION_COLUMNS)
    if incoming is not None and len(incoming):
        new = incoming.reindex(columns=OBSERVATION_COLUMNS).assign(id=INCOMING)
        new = new.astype({column: object for column in TEXT_KEY})
        if len(frame):
            replaced = frame[KEY].merge(new[KEY].drop_duplicates(), how="left", indicator=True)
            frame = frame[(replaced["_merge"] == "left_only").to_numpy()]
        frame = pd.concat([frame, new], ignore_index=True) if len(frame) else new
    for column in ["value", "lower_95", "upper_95", "count", "denominator"]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["suppressed"] = frame["suppressed"].fillna(False).astype(bool)
    areas = pd.DataFrame(
        Area.objects.values_list("id", "parent_id", "code"), columns=["id", "parent_id", "code"]
    )
    frame["parent_id"] = frame["area_id"].map(areas.set_index("id")["parent_id"])
    england = areas.loc[areas["code"] == ENGLAND_CODE, "id"]
    frame["is_england"] = frame["area_id"].isin(england)
    return frame.reset_index(drop=True)


def derived_write(derived: pd.DataFrame, *, before: pd.DataFrame) -> int:
    """Update the stored observations whose suppression or comparisons changed from
    ``before`` (the same rows as stored); returns how many."""
    is_stored = derived["id"].to_numpy() != INCOMING
    changed = np.zeros(len(derived), dtype=bool)
    for column in ["suppressed", *DERIVED_COMPARISONS]:
        changed |= derived[column].to_numpy() != before[column].to_numpy()
    update = derived[is_stored & changed]
    if update.empty:
        return 0
    table = Observation._meta.db_table
    columns = [
        ("id", "bigint"), ("suppressed", "boolean"), ("england_comparison", "varchar(20)"),
        ("parent_comparison", "varchar(20)"), ("target_comparison", "varchar(20)"),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        load_temp_table(cursor, "derived_observations", columns, update)
        cursor.execute(
            f"""UPDATE {table} SET suppressed = d.suppressed,
                    england_comparison = d.england_comparison,
                    parent_comparison = d.parent_comparison, target_comparison = d.target_comparison
                FROM derived_observations d WHERE {table}.id = d.id"""
        )
        cursor.execute("DROP TABLE derived_observations")
    return len(update)


# --- Comparisons -----------------------------------------------------------------------------


def comparisons_frame(observations: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """england_comparison, parent_comparison and target_comparison for every observation
    (indexed as ``observations``)."""
    frame = observations
    england = frame.loc[frame["is_england"], MATCH + ["value"]].rename(
        columns={"value": "england_value"}
    )
    merged = frame.merge(england, on=MATCH, how="left")
    parents = frame[MATCH + ["area_id", "value"]].rename(
        columns={"area_id": "parent_id", "value": "parent_value"}
    )
    merged = merged.merge(parents, on=MATCH + ["parent_id"], how="left")
    england_label = compare_with_reference(
        merged["value"].to_numpy(), merged["lower_95"].to_numpy(), merged["upper_95"].to_numpy(),
        merged["england_value"].to_numpy(), polarity=merged["polarity"].to_numpy(),
    )  # fmt: skip
    parent_label = compare_with_reference(
        merged["value"].to_numpy(), merged["lower_95"].to_numpy(), merged["upper_95"].to_numpy(),
        merged["parent_value"].to_numpy(), polarity=merged["polarity"].to_numpy(),
    )  # fmt: skip
    # Fingertips never benchmarks an area against itself; an area with no parent has none.
    england_label = np.where(merged["is_england"], "", england_label)
    parent_label = np.where(merged["parent_id"].isna(), "", parent_label)
    return pd.DataFrame(
        {
            "england_comparison": england_label,
            "parent_comparison": parent_label,
            "target_comparison": target_labels(merged, targets),
        },
        index=frame.index,
    )


def target_labels(frame: pd.DataFrame, targets: pd.DataFrame) -> np.ndarray:
    """RAG against the area's target, for headline values (no category) of the target's sex.
    ``targets``: the indicators' targets (TARGET_COLUMNS)."""
    targets = targets.rename(columns={"value": "target_value"})
    labels = np.full(len(frame), "", dtype=object)
    if targets.empty:
        return labels
    merged = frame[["indicator_id", "area_id", "sex", "category_type", "value", "polarity"]].merge(
        targets, on=["indicator_id", "area_id", "sex"], how="left"
    )
    headline = (merged["category_type"] == "").to_numpy()
    single = headline & merged["target_value"].notna().to_numpy()
    ranged = headline & merged["range_lower"].notna().to_numpy()
    if single.any():
        labels[single] = compare_with_target(
            merged.loc[single, "value"].to_numpy(),
            target=merged.loc[single, "target_value"].to_numpy(),
            polarity=merged.loc[single, "polarity"].to_numpy(),
        )
    if ranged.any():
        labels[ranged] = compare_with_target_range(
            merged.loc[ranged, "value"].to_numpy(),
            target_lower=merged.loc[ranged, "range_lower"].to_numpy(),
            target_upper=merged.loc[ranged, "range_upper"].to_numpy(),
            polarity=merged.loc[ranged, "polarity"].to_numpy(),
        )
    return labels


# --- Series: recent trend and SPC ------------------------------------------------------------


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
        "value": _numbers(points["value"]),
        "mean": _numbers(points["mean"]),
        "lower": _numbers(points["lower_process_limit"]),
        "upper": _numbers(points["upper_process_limit"]),
        "type": [_text(item) for item in points["point_type"]],
        "rule": [_text(item) for item in points["special_cause_type"]],
        "phase_start": [labels.get(key, key) for key in points["phase_start"]],
        "change_point": points["change_point"].tolist(),
        "phase_points": points["phase_size"].astype(int).tolist(),
        "median": _numbers(points["phase_median"]),
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
            "spc_variation_icon": _text(row.variation_icon),
            "spc_variation_label": _text(row.variation_label),
            "spc_assurance_icon": _text(row.assurance_icon),
            "spc_assurance_label": _text(row.assurance_label),
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


def _numbers(series: pd.Series) -> list[float | None]:
    array = series.to_numpy(dtype=float)
    return [None if np.isnan(item) else float(item) for item in array]


def _text(item) -> str:
    return (
        ""
        if item is None or (isinstance(item, float) and np.isnan(item)) or item is pd.NA
        else str(item)
    )


def _number(item) -> float | None:
    return None if item is None or pd.isna(item) else float(item)


# --- Inequality summaries --------------------------------------------------------------------


def _withheld_for_suppression(rows: pd.DataFrame, groups: list[str]) -> dict[tuple, str]:
    """For protected roles: the summaries with a suppressed quintile are withheld, and say
    truthfully which quintiles and why (one wording for a small count and a cell hidden to
    protect one, as everywhere)."""
    suppressed = rows[rows["suppressed"].astype(bool)]
    notes = {}
    for key, part in suppressed.groupby(groups, sort=False):
        numbers = sorted(int(number) for number in part["quantile"])
        which = " and ".join(map(str, numbers))
        which = f"quintiles {which} are" if len(numbers) > 1 else f"quintile {which} is"
        notes[key] = (
            f"Not shown: {which} suppressed to protect small numbers (disclosure control), "
            "and a summary without them would mislead"
        )
    return notes


def inequality_summaries(
    observations: pd.DataFrame, *, basis: str = AnalyticsBasis.ALL
) -> list[InequalitySummary]:
    """SII, RII, gap and ratio across national deprivation quintiles for each area and
    period, per edition (the quintile category type says which, and the summary keeps it).

    docs/design.md §4.4: populations are the denominators and values are on the indicator's own
    scale with multiplier 1 and no transform; the limits come from the quintiles' own 95%
    CIs (PHE "normal" value type), which has a closed form, so every summary is
    deterministic."""
    types = observations["category_type"]
    quintile_types = [kind for kind in types.unique() if is_deprivation_quintile_type(kind)]
    rows = observations[types.isin(quintile_types)].copy()
    if rows.empty:
        return []
    rows["quantile"] = rows["category"].str.extract(r"Quintile (\d)", expand=False).astype(float)
    rows = rows[rows["quantile"].between(1, 5)]
    groups = ["indicator_id", "area_id", "period_id", "sex", "age", "category_type"]
    table = slope_index_of_inequality_by_group(
        rows, group_columns=groups, quantile_column="quantile", population_column="denominator",
        value_column="value", lower_column="lower_95", upper_column="upper_95",
        value_type="normal", multiplier=1, confidence=0.95,
    )  # fmt: skip
    withheld = _withheld_for_suppression(rows, groups) if basis == AnalyticsBasis.SHOWN else {}
    summaries = []
    for row in table.itertuples(index=False):
        note = withheld.get(tuple(getattr(row, column) for column in groups))
        if note is not None:  # a summary without a suppressed quintile would mislead
            row = row._replace(sii=None, sii_lower=None, sii_upper=None, rii=None,
                               rii_lower=None, rii_upper=None, gap=None, ratio=None, reason=note)  # fmt: skip
        summaries.append(
            InequalitySummary(
                indicator_id=row.indicator_id, area_id=row.area_id, period_id=row.period_id,
                sex=row.sex, age=row.age, category_type=row.category_type,
                sii=_number(row.sii), sii_lower=_number(row.sii_lower), sii_upper=_number(row.sii_upper),
                rii=_number(row.rii), rii_lower=_number(row.rii_lower), rii_upper=_number(row.rii_upper),
                gap=_number(row.gap), ratio=_number(row.ratio), note=_text(row.reason)[:300],
                basis=basis,
            )
        )  # fmt: skip
    return summaries
