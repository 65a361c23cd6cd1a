"""The derive step's entry points: derive the indicators' observations, then their series
and inequality summaries, and write what changed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.disclosure import disclosed_frame, suppression_flags
from indicators.models import (
    AnalyticsBasis,
    Indicator,
    InequalitySummary,
    Period,
    SeriesAnalytics,
    Target,
)
from ingest.bulk import insert_columns, insert_instances
from ingest.derive.comparisons import comparisons_frame
from ingest.derive.frames import (
    DERIVED_COMPARISONS,
    INCOMING,
    INDICATOR_COLUMNS,
    PERIOD_COLUMNS,
    TARGET_COLUMNS,
    change_points_frame,
    derived_write,
    observations_frame,
)
from ingest.derive.inequality import inequality_summaries
from ingest.derive.series import series_analytics_columns
from ingest.lookups import area_parents
from ingest.writing import (
    WriteSummary,
    lock_indicators,
    observations_incoming,
    observations_write,
)


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
