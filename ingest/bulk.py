"""Move a pandas frame into a temporary table fast: COPY on PostgreSQL, executemany on SQLite.

The pipeline writes through SQL set operations (upsert, history, updates from a join) on a
temporary table, so the number of statements does not grow with the number of rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.db import connection


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def load_temp_table(cursor, name: str, columns: list[tuple[str, str]], frame: pd.DataFrame) -> None:
    """Create temporary table ``name`` with ``columns`` (name, SQL type) and fill it from
    ``frame``'s columns of the same names. NaN and None become NULL."""
    column_sql = ", ".join(f"{column} {sql_type}" for column, sql_type in columns)
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    if is_postgresql():
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ({column_sql}) ON COMMIT DROP")
    else:
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ({column_sql})")
    names = [column for column, _ in columns]
    if frame.empty:
        return
    rows = _rows(frame[names])
    if is_postgresql():
        with cursor.cursor.copy(f"COPY {name} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        markers = ", ".join(["%s"] * len(names))
        cursor.executemany(f"INSERT INTO {name} ({', '.join(names)}) VALUES ({markers})", rows)


def _rows(frame: pd.DataFrame):
    """Python rows with NULL for missing values (COPY and sqlite3 both want None)."""
    columns = []
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_bool_dtype(series):
            columns.append(series.to_numpy(dtype=bool).tolist())
        elif pd.api.types.is_float_dtype(series):
            values = series.to_numpy(dtype=float).tolist()
            columns.append([None if item != item else item for item in values])  # NaN ≠ NaN
        else:
            values = series.to_numpy(dtype=object)
            columns.append(np.where(pd.isna(values), None, values).tolist())
    return list(zip(*columns, strict=True))


def insert_instances(model, instances: list) -> None:
    """Insert unsaved model instances (see ``insert_columns``)."""
    if not instances:
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    insert_columns(
        model,
        {field.attname: [getattr(instance, field.attname) for instance in instances]
         for field in fields},
    )  # fmt: skip


def insert_columns(model, columns: dict[str, list]) -> None:
    """Insert rows given as columns (attribute name → one value per row): COPY on
    PostgreSQL (derived tables can hold tens of thousands of rows per extract), bulk_create
    elsewhere. A field without a column gets its default; auto_now fields get now. Building
    no model instances: for thousands of rows they cost more than the COPY."""
    length = len(next(iter(columns.values()), []))
    if length == 0:
        return
    from django.utils import timezone

    now = timezone.now()
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    values = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append([now] * length)
        elif field.attname in columns:
            values.append(columns[field.attname])
        else:
            values.append([field.get_default()] * length)
    if not is_postgresql():
        names = [field.attname for field in fields]
        model.objects.bulk_create(
            [model(**dict(zip(names, row, strict=True))) for row in zip(*values, strict=True)],
            batch_size=2000,
        )
        return
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    values = [_prepared(field, column) for field, column in zip(fields, values, strict=True)]
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
            for row in zip(*values, strict=True):
                copy.write_row(row)


# Python values COPY writes as the field would store them; Django's per-value preparation
# costs more than the COPY itself for thousands of rows.
PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


def _prepared(field, values: list) -> list:
    """A column's values as COPY takes them: plain values as they are, anything else (JSON,
    dates, numpy numbers) prepared by the field. Decided per column, not per cell."""
    if field.get_internal_type() == "JSONField":  # a str or a number is JSON text to encode
        return [field.get_db_prep_save(value, connection) for value in values]
    if {type(value) for value in values} <= PLAIN_TYPES:
        return values
    return [
        value if type(value) in PLAIN_TYPES else field.get_db_prep_save(value, connection)
        for value in values
    ]
