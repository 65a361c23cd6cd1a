"""Who may write an indicator's narrative, and the narratives (with revisions) to edit."""

from __future__ import annotations

from django.db.models import Prefetch

from indicators.models import (
    Commentary,
    CommentaryRevision,
    Indicator,
)
from indicators.system import system_current


def narrative_editable_by(*, user, indicator: Indicator) -> bool:
    """Analysts (and admins) write narrative for any indicator; owners for the indicators their
    partner owns; nobody else."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    groups = set(user.groups.values_list("name", flat=True))
    if groups & {"analyst", "admin"}:
        return True
    if "owner" not in groups or indicator.owner_id is None:
        return False
    membership = getattr(user, "membership", None)
    return membership is not None and membership.partner_id == indicator.owner_id


def narratives_for_editing(*, indicator: Indicator) -> dict[str, Commentary]:
    """The headline area's narratives of an indicator (drafts too), keyed by period label,
    each with its revisions prefetched."""
    headline_id = system_current().headline_area_id
    return {
        commentary.period.label: commentary
        for commentary in Commentary.objects.filter(indicator=indicator, area_id=headline_id)
        .select_related("period", "author")
        .prefetch_related(
            Prefetch(
                "revisions",
                queryset=CommentaryRevision.objects.select_related("editor"),
            )
        )
    }
