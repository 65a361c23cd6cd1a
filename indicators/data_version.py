"""The version of what the pages show: a key that changes whenever anything a page or a board
pack draws may have changed, so work keyed by it (cached pages, stored packs) is never stale.
It is made of two parts, read in one statement of two index lookups:

- the newest derived-analytics row: the derive step replaces an indicator's
  ``SeriesAnalytics`` rows whenever an extract is published or reverted or a change point is
  recorded, so new data means new, higher ids;
- the newest audit event that edits what is shown: registry rows (targets, baselines,
  indicators, domains, partners, programmes, areas, comparator groups, the system and its
  configuration, change points...), narratives, publications and reverts. The audit log
  already records each such write with who and when (``indicators.audit``), so no counter
  has to be bumped by every service that writes.

So every write of what is shown must replace derived analytics or leave an audit event; a
bulk write, which sends no signal, records its event itself (``areas_import``,
``comparator_groups``). Otherwise cached pages would not see it.

It is read once per request (the request's memo, ``indicators.system``): the pages that use it
only read, so the version they start with is the version they show.

Sign-ins, role and account changes are not part of it: who sees what is the audience's part
of a key, not the data's.
"""

from __future__ import annotations

from django.db import connection

from indicators.models import AuditAction, AuditEvent, SeriesAnalytics
from indicators.system import request_memo

# Audit actions that change what is shown (an upload is only a file until it is published,
# which replaces derived analytics; a review or a schedule changes nothing live).
DATA_ACTIONS = [
    AuditAction.CREATED, AuditAction.CHANGED, AuditAction.DELETED, AuditAction.NARRATIVE,
    AuditAction.PUBLISH, AuditAction.REVERT,
]  # fmt: skip


def data_version() -> str:
    """The key of the data as it is now (module docstring): one query, once per request."""
    memo = request_memo()
    if memo is not None and "data_version" in memo:
        return memo["data_version"]
    parts = [
        SeriesAnalytics.objects.order_by("-id").values("id")[:1],
        AuditEvent.objects.filter(action__in=DATA_ACTIONS).order_by("-id").values("id")[:1],
    ]
    compiled = [part.query.sql_with_params() for part in parts]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"({sql})" for sql, _ in compiled),
            [param for _, params in compiled for param in params],
        )
        analytics_id, edit_id = cursor.fetchone()
    version = f"{analytics_id or 0}.{edit_id or 0}"
    if memo is not None:
        memo["data_version"] = version
    return version
