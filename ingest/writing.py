"""Write step: store a values frame as observations, keeping every replaced value in history;
and its inverse, revert.

Both run inside the caller's transaction, so a failure (or a worker killed mid-write) leaves
the database as it was. Writes are set operations on a temporary table: the number of SQL
statements is fixed whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from django.db import connection
from django.db.models import F
from django.utils import timezone

from indicators.models import (
    Area,
    AreaType,
    Extract,
    Indicator,
    IndicatorDataVersion,
    Observation,
    ObservationHistory,
    Period,
)
from indicators.periods import parse_period_label
from ingest.bulk import is_postgresql, load_temp_table
from ingest.lookups import area_type_for_fingertips_names

OBSERVATIONS = Observation._meta.db_table
HISTORY = ObservationHistory._meta.db_table
KEY = ["indicator_id", "area_id", "period_id", "sex", "age", "category_type", "category"]
MEASURES = [
    "value", "lower_95", "upper_95", "lower_998", "upper_998", "count", "denominator",
    "value_note", "suppressed",
]  # fmt: skip
INCOMING_COLUMNS = [
    ("indicator_id", "bigint"), ("area_id", "bigint"), ("period_id", "bigint"),
    ("sex", "varchar(10)"), ("age", "varchar(40)"), ("category_type", "varchar(120)"),
    ("category", "varchar(120)"), ("value", "double precision"), ("lower_95", "double precision"),
    ("upper_95", "double precision"), ("lower_998", "double precision"),
    ("upper_998", "double precision"), ("count", "double precision"),
    ("denominator", "double precision"), ("value_note", "varchar(300)"), ("suppressed", "boolean"),
    ("england_comparison", "varchar(20)"), ("parent_comparison", "varchar(20)"),
    ("target_comparison", "varchar(20)"),
]  # fmt: skip
# Derived columns (``ingest.derive``): blank until derived.
COMPARISONS = ["england_comparison", "parent_comparison", "target_comparison"]


class RevertRefused(Exception):
    """The extract cannot be reverted; the message says why and what to do."""


@dataclass(frozen=True)
class WriteSummary:
    created: int
    replaced: int
    indicator_ids: frozenset[int]
    period_ids: frozenset[int]


def periods_for_labels(labels) -> dict[str, int]:
    """Period ids for canonical labels, creating the periods that do not exist yet."""
    ids = {}
    for label in sorted(set(labels)):
        parsed = parse_period_label(label)
        period, _ = Period.objects.get_or_create(
            kind=parsed.kind,
            start=parsed.start,
            end=parsed.end,
            defaults={"label": parsed.label, "sort_key": parsed.sort_key},
        )
        ids[label] = period.pk
    return ids


def _key_match(left: str, right: str) -> str:
    return " AND ".join(f"{left}.{column} = {right}.{column}" for column in KEY)


def _key_text(alias: str) -> str:
    parts = [f"CAST({alias}.{column} AS TEXT)" for column in KEY[:3]]
    parts += [f"{alias}.{column}" for column in KEY[3:]]
    return " || '|' || ".join(parts)


def lock_indicators(indicator_ids) -> None:
    """Serialise writers per indicator for the rest of the transaction (PostgreSQL), so two
    extracts for the same indicator apply one after the other and history stays complete.
    Locks are taken in id order so two writers never wait on each other in a cycle."""
    if not is_postgresql():
        return  # SQLite serialises every write transaction already
    ids = sorted(int(item) for item in indicator_ids)
    with connection.cursor() as cursor:  # one statement, taking the locks in order
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, id) FROM (SELECT unnest(%s::int[]) AS id) ids",
            [74_001, ids],
        )


def data_versions(indicator_ids) -> dict[str, int]:
    """Each indicator's data version (``IndicatorDataVersion``; 0 before its first write),
    keyed by the id as text, as an extract's ``base_versions`` stores them."""
    ids = sorted({int(item) for item in indicator_ids})
    stored = dict(
        IndicatorDataVersion.objects.filter(indicator_id__in=ids).values_list(
            "indicator_id", "version"
        )
    )
    return {str(item): stored.get(item, 0) for item in ids}


def data_versions_bump(indicator_ids) -> None:
    """One more change to each indicator's live values; under the indicators' lock, in the
    write's transaction."""
    ids = sorted({int(item) for item in indicator_ids})
    IndicatorDataVersion.objects.bulk_create(
        [IndicatorDataVersion(indicator_id=item) for item in ids], ignore_conflicts=True
    )
    IndicatorDataVersion.objects.filter(indicator_id__in=ids).update(version=F("version") + 1)


def areas_create(new_areas) -> int:
    """Areas a Fingertips file names that the registry lacks (when the analyst asked).
    Created first and linked to their parents after, so a parent may be new too. Returns
    how many were created."""
    if new_areas is None or len(new_areas) == 0:
        return 0
    types = area_type_for_fingertips_names()
    fallback = AreaType.objects.get(code="local_authority")
    rows = [row for row in pd.DataFrame(new_areas).to_dict("records")
            if not Area.objects.filter(code=row["code"]).exists()]  # fmt: skip
    created = {}
    for row in rows:
        created[row["code"]] = Area.objects.create(
            code=row["code"],
            name=row.get("name") or row["code"],
            area_type=types.get(str(row.get("area_type", "")).strip().lower(), fallback),
        )
    for row in rows:
        parent = Area.objects.filter(code=row.get("parent_code") or "").first()
        if parent is not None and parent.code != row["code"]:
            created[row["code"]].parent = parent
            created[row["code"]].save(update_fields=["parent"])
    return len(created)


def observations_incoming(frame: pd.DataFrame) -> pd.DataFrame:
    """A values frame (VALUES_COLUMNS, by code) as rows to write: KEY by id, and MEASURES.

    Creates the periods it names that do not exist yet, so it runs inside the write's
    transaction."""
    indicator_ids = dict(Indicator.objects.values_list("code", "pk"))
    area_codes = frame["area_code"].unique().tolist()
    area_ids = dict(Area.objects.filter(code__in=area_codes).values_list("code", "pk"))
    period_ids = periods_for_labels(frame["period_label"].unique())
    incoming = pd.DataFrame(
        {
            "indicator_id": frame["indicator_code"].map(indicator_ids),
            "area_id": frame["area_code"].map(area_ids),
            "period_id": frame["period_label"].map(period_ids),
            "sex": frame["sex"],
            "age": frame["age"],
            "category_type": frame["category_type"].fillna(""),
            "category": frame["category"].fillna(""),
            **{column: frame[column] for column in MEASURES[:7]},
            "value_note": frame["value_note"].fillna("").astype(str),
            "suppressed": frame["suppressed"].fillna(False).astype(bool),
        }
    )
    if incoming[["indicator_id", "area_id", "period_id"]].isna().any().any():
        raise ValueError("Unknown indicator, area or period reached the write step")
    return incoming.astype({"indicator_id": "int64", "area_id": "int64", "period_id": "int64"})


def observations_write(incoming: pd.DataFrame, *, extract: Extract) -> WriteSummary:
    """Upsert ``incoming`` (from ``observations_incoming``) as observations set by ``extract``.

    Every observation that already existed is copied to history (``replaced``) before it is
    overwritten, and every new one gets a ``created`` history row, so a revert can restore
    exactly what was there. The derived comparisons are written as ``incoming`` gives them
    (``analytics_derive`` works them out before the write, so each row is written once) or
    left blank for the derive step to fill."""
    assert connection.in_atomic_block, "observations_write must run inside a transaction"
    incoming = incoming.assign(
        **{column: "" for column in COMPARISONS if column not in incoming.columns}
    )
    used_indicators = frozenset(int(item) for item in incoming["indicator_id"].unique())
    lock_indicators(used_indicators)
    data_versions_bump(used_indicators)
    now = timezone.now()
    measure_list = ", ".join(MEASURES)
    key_list = ", ".join(KEY)
    comparison_list = ", ".join(COMPARISONS)
    with connection.cursor() as cursor:
        load_temp_table(cursor, "incoming_observations", INCOMING_COLUMNS, incoming)
        cursor.execute(
            f"""INSERT INTO {HISTORY} (observation_key, {key_list}, {measure_list}, change,
                    previous_extract_id, replaced_by_id, replaced_at)
                SELECT {_key_text("o")}, {", ".join("o." + c for c in KEY + MEASURES)},
                    'replaced', o.extract_id, %s, %s
                FROM {OBSERVATIONS} o JOIN incoming_observations i ON {_key_match("o", "i")}""",
            [extract.pk, now],
        )
        replaced = cursor.rowcount
        cursor.execute(
            f"""INSERT INTO {HISTORY} (observation_key, {key_list}, value_note, suppressed,
                    change, previous_extract_id, replaced_by_id, replaced_at)
                SELECT {_key_text("i")}, {", ".join("i." + c for c in KEY)}, '', FALSE,
                    'created', NULL, %s, %s
                FROM incoming_observations i
                WHERE NOT EXISTS (SELECT 1 FROM {OBSERVATIONS} o WHERE {_key_match("o", "i")})""",
            [extract.pk, now],
        )
        created = cursor.rowcount
        updates = ", ".join(f"{column} = excluded.{column}" for column in MEASURES + COMPARISONS)
        cursor.execute(
            f"""INSERT INTO {OBSERVATIONS} ({key_list}, {measure_list}, {comparison_list},
                    extract_id)
                SELECT {key_list}, {measure_list}, {comparison_list}, %s FROM incoming_observations
                WHERE TRUE
                ON CONFLICT ({key_list}) DO UPDATE SET {updates}, extract_id = excluded.extract_id""",
            [extract.pk],
        )
        cursor.execute("DROP TABLE incoming_observations")
    return WriteSummary(
        created=created,
        replaced=replaced,
        indicator_ids=used_indicators,
        period_ids=frozenset(int(item) for item in incoming["period_id"].unique()),
    )


def observations_revert(extract: Extract) -> WriteSummary:
    """Restore exactly what ``extract`` replaced and remove what it created.

    Refused when a later extract has since changed any of the same observations: reverting
    out of order would silently undo that later extract's values too."""
    assert connection.in_atomic_block, "observations_revert must run inside a transaction"
    history = ObservationHistory.objects.filter(replaced_by=extract)
    indicator_ids = frozenset(history.values_list("indicator_id", flat=True).distinct())
    period_ids = frozenset(history.values_list("period_id", flat=True).distinct())
    lock_indicators(indicator_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT DISTINCT o.extract_id FROM {OBSERVATIONS} o JOIN {HISTORY} h
                ON {_key_match("o", "h")}
                WHERE h.replaced_by_id = %s AND (o.extract_id IS NULL OR o.extract_id <> %s)""",
            [extract.pk, extract.pk],
        )
        later = sorted(row[0] for row in cursor.fetchall() if row[0] is not None)
        if later:
            numbers = ", ".join(f"#{number}" for number in later)
            raise RevertRefused(
                f"Extract {numbers} later changed values that this extract set. "
                "Revert the later extract first, so each revert restores exactly what it replaced."
            )
        assignments = ", ".join(f"{column} = h.{column}" for column in MEASURES)
        cursor.execute(
            f"""UPDATE {OBSERVATIONS} SET {assignments}, extract_id = h.previous_extract_id,
                    england_comparison = '', parent_comparison = '', target_comparison = ''
                FROM {HISTORY} h
                WHERE h.replaced_by_id = %s AND h.change = 'replaced'
                  AND {_key_match(OBSERVATIONS, "h")}""",
            [extract.pk],
        )
        restored = cursor.rowcount
        cursor.execute(
            f"""DELETE FROM {OBSERVATIONS} WHERE extract_id = %s AND EXISTS (
                    SELECT 1 FROM {HISTORY} h WHERE h.replaced_by_id = %s AND h.change = 'created'
                    AND {_key_match(OBSERVATIONS, "h")})""",
            [extract.pk, extract.pk],
        )
        removed = cursor.rowcount
    data_versions_bump(indicator_ids)
    return WriteSummary(
        created=removed, replaced=restored, indicator_ids=indicator_ids, period_ids=period_ids
    )
