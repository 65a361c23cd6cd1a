"""Review step: what publishing an extract would change, worked out without changing anything.

The extract's values are derived over the indicators' stored observations with the new rows
in their place, exactly as publishing will derive them (``observations_derive`` without its
write), inside a transaction that is rolled back: the periods and areas the extract would
create exist only while it runs. The review compares the outcome with what is live:

- rows added and replaced, per indicator and area type;
- the largest changes of value, flagging any replaced value that moves beyond its own 95%
  confidence interval;
- comparisons with England that would flip (a new England value changes other areas' too);
- recent trends and SPC icons that would change, as protected viewers will see them;
- suppression newly applied or lifted (new data can lift a secondary suppression).

It also returns the indicators' data versions, read before anything else: publishing checks
them, so a review is never applied over data it did not see.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import transaction

from indicators.models import (
    AnalyticsBasis,
    Area,
    Indicator,
    Observation,
    Period,
    SeriesAnalytics,
)
from ingest.derive import observations_derive, series_derive
from ingest.derive.frames import INCOMING, SERIES
from ingest.writing import KEY, areas_create, data_versions, observations_incoming

EXAMPLES = 20  # rows kept per section of a review; the counts cover every row
SERIES_LABELS = {
    "trend_label": "Recent trend",
    "spc_variation_label": "SPC variation",
    "spc_assurance_label": "SPC assurance",
}


@dataclass(frozen=True)
class Review:
    summary: dict  # JSON: what the extract's page shows
    base_versions: dict[str, int]  # ``ingest.writing.data_versions`` when it was computed


def review_compute(values: pd.DataFrame, *, new_areas=None) -> Review:
    """What writing ``values`` (VALUES_COLUMNS) would change, and the data it was computed
    against. Nothing is changed: the work runs in a transaction (a savepoint, inside the
    caller's) that is rolled back."""
    with transaction.atomic():
        try:
            return _review(values, new_areas)
        finally:
            transaction.set_rollback(True)


def _review(values: pd.DataFrame, new_areas) -> Review:
    codes = sorted(str(code) for code in pd.unique(values["indicator_code"]))
    indicator_ids = Indicator.objects.filter(code__in=codes).values_list("pk", flat=True)
    # Read first: anything published after this changes the base, and publishing notices.
    base = data_versions(indicator_ids)
    areas = _areas_to_create(new_areas)
    areas_create(areas)
    incoming = observations_incoming(values)
    derivation = observations_derive(
        incoming["indicator_id"].unique(), incoming=incoming, write=False
    )
    series = series_derive(derivation, bases=(AnalyticsBasis.SHOWN,))
    rows = _incoming_against_stored(derivation.incoming)
    stored = _stored_changes(derivation)
    labels = _Labels(rows, stored)
    summary = {
        "indicators": codes,
        "added": int((~rows["replaced"]).sum()),
        "replaced": int(rows["replaced"].sum()),
        "changed": int(rows["value_changed"].sum()),
        "by_indicator": _by_indicator(rows, labels),
        "largest_changes": _largest_changes(rows, labels),
        "outside_ci": int(rows["outside_ci"].sum()),
        "england": _england_flips(rows, stored, labels),
        "series": _series_changes(series.columns, labels),
        "suppression": _suppression_changes(rows, stored, labels),
        "areas_to_create": areas,
    }
    return Review(summary=summary, base_versions=base)


# --- The staged values, kept between review and publication ---------------------------------


def values_to_parquet(values: pd.DataFrame) -> bytes:
    """The values frame as stored for publication: parquet keeps every number exactly."""
    buffer = io.BytesIO()
    values.reset_index(drop=True).to_parquet(buffer, index=False)
    return buffer.getvalue()


def values_from_parquet(data: bytes) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(data))


def _areas_to_create(new_areas) -> list[dict]:
    if new_areas is None or len(new_areas) == 0:
        return []
    frame = pd.DataFrame(new_areas)
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


# --- Comparing with what is live ------------------------------------------------------------


def _incoming_against_stored(incoming: pd.DataFrame) -> pd.DataFrame:
    """The extract's rows (derived) beside the stored rows they would replace."""
    columns = ["value", "lower_95", "upper_95", "suppressed", "england_comparison"]
    ids = [int(item) for item in incoming["indicator_id"].unique()]
    stored = pd.DataFrame.from_records(
        list(Observation.objects.filter(indicator_id__in=ids).values_list(*KEY, *columns)),
        columns=[*KEY, *(f"old_{column}" for column in columns)],
    )
    rows = incoming.merge(stored, on=KEY, how="left", indicator=True)
    rows["replaced"] = (rows.pop("_merge") == "both").to_numpy()
    for column in ["value", "lower_95", "upper_95", "old_value", "old_lower_95", "old_upper_95"]:
        rows[column] = pd.to_numeric(rows[column], errors="coerce").astype(float)
    new, old = rows["value"].to_numpy(), rows["old_value"].to_numpy()
    same = (new == old) | (np.isnan(new) & np.isnan(old))
    rows["value_changed"] = rows["replaced"] & ~same
    lower, upper = rows["old_lower_95"].to_numpy(), rows["old_upper_95"].to_numpy()
    with np.errstate(invalid="ignore"):
        rows["outside_ci"] = rows["value_changed"] & ((new < lower) | (new > upper))
    return rows


def _stored_changes(derivation) -> pd.DataFrame:
    """Stored rows the extract does not replace whose suppression or England comparison
    would change: a new England value, or new members of an additive group."""
    if derivation.derived is None or derivation.derived.empty:
        return pd.DataFrame(columns=[*KEY, "was", "now", "was_suppressed", "now_suppressed"])
    derived = derivation.derived.reset_index(drop=True)
    before = derivation.before.reset_index(drop=True)
    full = derivation.full.reset_index(drop=True)
    stored = (derived["id"] != INCOMING).to_numpy()
    frame = full.loc[stored, KEY].copy()
    frame["was"] = before.loc[stored, "england_comparison"].to_numpy()
    frame["now"] = derived.loc[stored, "england_comparison"].to_numpy()
    frame["was_suppressed"] = before.loc[stored, "suppressed"].astype(bool).to_numpy()
    frame["now_suppressed"] = derived.loc[stored, "suppressed"].astype(bool).to_numpy()
    changed = (frame["was"] != frame["now"]) | (frame["was_suppressed"] != frame["now_suppressed"])
    return frame[changed.to_numpy()].reset_index(drop=True)


class _Labels:
    """Codes and names for the ids the review shows, read once."""

    def __init__(self, rows: pd.DataFrame, stored: pd.DataFrame):
        area_ids = set(rows["area_id"].astype(int)) | set(stored["area_id"].astype(int))
        period_ids = set(rows["period_id"].astype(int)) | set(stored["period_id"].astype(int))
        indicator_ids = set(rows["indicator_id"].astype(int))
        self.indicators = dict(
            Indicator.objects.filter(pk__in=indicator_ids).values_list("pk", "code")
        )
        self.areas = {
            pk: (code, name, area_type)
            for pk, code, name, area_type in Area.objects.filter(pk__in=area_ids).values_list(
                "pk", "code", "name", "area_type__name"
            )
        }
        self.periods = {
            pk: (label, sort_key)
            for pk, label, sort_key in Period.objects.filter(pk__in=period_ids).values_list(
                "pk", "label", "sort_key"
            )
        }

    def row(self, item) -> dict:
        """Where a value sits, in words: indicator, area, period and breakdown."""
        code, name, _ = self.areas.get(int(item["area_id"]), ("?", "?", ""))
        described = {
            "indicator": self.indicators.get(int(item["indicator_id"]), "?"),
            "area": f"{name} ({code})",
            "breakdown": breakdown(item["sex"], item["age"], item["category"]),
        }
        if "period_id" in item:
            described["period"] = self.periods.get(int(item["period_id"]), ("?", ""))[0]
        return described


def breakdown(sex: str, age: str, category: str) -> str:
    return ", ".join(part for part in [sex, age, category] if part)


def _number(item) -> float | None:
    return None if item is None or pd.isna(item) else float(item)


def _by_indicator(rows: pd.DataFrame, labels: _Labels) -> list[dict]:
    frame = rows.assign(
        indicator=rows["indicator_id"].map(labels.indicators),
        area_type=rows["area_id"].map(lambda pk: labels.areas.get(pk, ("", "", "?"))[2]),
        sort_key=rows["period_id"].map(lambda pk: labels.periods.get(pk, ("", ""))[1]),
    )
    table = []
    for (indicator, area_type), part in frame.groupby(["indicator", "area_type"], sort=True):
        periods = part.drop_duplicates("period_id").sort_values("sort_key")["period_id"]
        names = [labels.periods[pk][0] for pk in periods]
        table.append(
            {
                "indicator": indicator, "area_type": area_type,
                "periods": names[0] if len(names) == 1 else f"{names[0]} to {names[-1]}",
                "added": int((~part["replaced"]).sum()), "replaced": int(part["replaced"].sum()),
                "changed": int(part["value_changed"].sum()),
            }
        )  # fmt: skip
    return table


def _largest_changes(rows: pd.DataFrame, labels: _Labels) -> list[dict]:
    changed = rows[rows["value_changed"] & rows["value"].notna() & rows["old_value"].notna()]
    if changed.empty:
        return []
    difference = (changed["value"] - changed["old_value"]).abs()
    relative = difference / changed["old_value"].abs().replace(0, np.nan)
    order = changed.assign(relative=relative.fillna(np.inf), difference=difference)
    order = order.sort_values(["relative", "difference"], ascending=False).head(EXAMPLES)
    return [
        labels.row(item) | {
            "was": _number(item["old_value"]), "now": _number(item["value"]),
            "was_lower_95": _number(item["old_lower_95"]),
            "was_upper_95": _number(item["old_upper_95"]),
            "change": _number(item["value"] - item["old_value"]),
            "outside_ci": bool(item["outside_ci"]),
        }
        for item in order.to_dict("records")
    ]  # fmt: skip


def _england_flips(rows: pd.DataFrame, stored: pd.DataFrame, labels: _Labels) -> dict:
    """Comparisons with England that would change from one verdict to another (a value
    compared for the first time is not a flip)."""
    replaced = rows[rows["replaced"]]
    frames = [
        replaced[[*KEY]].assign(
            was=replaced["old_england_comparison"].fillna("").to_numpy(),
            now=replaced["england_comparison"].fillna("").to_numpy(),
        ),
        stored[[*KEY, "was", "now"]],
    ]
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        return {"count": 0, "rows": []}
    flips = pd.concat(frames, ignore_index=True)
    flips = flips[(flips["was"] != "") & (flips["now"] != "") & (flips["was"] != flips["now"])]
    return {
        "count": len(flips),
        "rows": [labels.row(item) | {"was": item["was"], "now": item["now"]}
                 for item in flips.head(EXAMPLES).to_dict("records")],
    }  # fmt: skip


def _suppression_changes(rows: pd.DataFrame, stored: pd.DataFrame, labels: _Labels) -> dict:
    replaced = rows[rows["replaced"]]
    frames = [
        replaced[[*KEY]].assign(
            was_suppressed=replaced["old_suppressed"].astype(bool).to_numpy(),
            now_suppressed=replaced["suppressed"].astype(bool).to_numpy(),
        ),
        stored[[*KEY, "was_suppressed", "now_suppressed"]],
    ]
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        return {"applied": 0, "lifted": 0, "rows": []}
    changes = pd.concat(frames, ignore_index=True)
    changes = changes[changes["was_suppressed"] != changes["now_suppressed"]]
    applied = changes["now_suppressed"].astype(bool)
    return {
        "applied": int(applied.sum()),
        "lifted": int((~applied).sum()),
        "rows": [
            labels.row(item) | {"change": "Newly suppressed" if item["now_suppressed"] else "Shown again"}
            for item in changes.head(EXAMPLES).to_dict("records")
        ],
    }  # fmt: skip


def _series_changes(columns: dict, labels: _Labels) -> dict:
    """Recent trends and SPC verdicts that would change, as protected viewers see them."""
    names = list(SERIES_LABELS)
    after = pd.DataFrame({name: columns.get(name, []) for name in [*SERIES, *names]})
    if after.empty:
        return {"trends": 0, "spc": 0, "rows": []}
    indicator_ids = [int(item) for item in after["indicator_id"].unique()]
    before = pd.DataFrame.from_records(
        list(
            SeriesAnalytics.objects.filter(
                indicator_id__in=indicator_ids, basis=AnalyticsBasis.SHOWN
            ).values_list(*SERIES, *names)
        ),
        columns=[*SERIES, *(f"old_{name}" for name in names)],
    )
    both = after.merge(before, on=SERIES, how="inner")
    changes = []
    counts = {"trend_label": 0, "spc_variation_label": 0, "spc_assurance_label": 0}
    for name, label in SERIES_LABELS.items():
        differ = both[both[name].fillna("") != both[f"old_{name}"].fillna("")]
        counts[name] = len(differ)
        changes += [
            labels.row(item) | {"what": label, "was": item[f"old_{name}"] or "None",
                                "now": item[name] or "None"}
            for item in differ.head(EXAMPLES).to_dict("records")
        ]  # fmt: skip
    return {
        "trends": counts["trend_label"],
        "spc": counts["spc_variation_label"] + counts["spc_assurance_label"],
        "rows": changes[:EXAMPLES],
    }
