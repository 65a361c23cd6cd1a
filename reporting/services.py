"""Writes that reporting owns: owners' narratives, with a revision per save."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from indicators.models import (
    Commentary,
    CommentaryRevision,
    CommentaryStatus,
    Indicator,
    Period,
)
from indicators.system import system_current


class NarrativeLocked(Exception):
    """A published narrative cannot go back to draft; publish a correction instead."""


@transaction.atomic
def commentary_save(
    *,
    indicator: Indicator,
    period: Period,
    editor,
    what_data_shows: str,
    contribution: str,
    limitations: str,
    publish: bool,
) -> Commentary:
    """Create or update the headline area's narrative for ``indicator`` and ``period`` and record
    the saved text as a revision. Publishing stamps the date; a published narrative stays
    published (an edit to it is republished, keeping the history)."""
    area = system_current().headline_area
    commentary = (
        Commentary.objects.select_for_update()
        .filter(indicator=indicator, area=area, period=period)
        .first()
    )
    if commentary is None:
        commentary = Commentary(indicator=indicator, area=area, period=period)
    was_published = commentary.status == CommentaryStatus.PUBLISHED
    if was_published and not publish:
        raise NarrativeLocked(
            "This narrative is already published, so it cannot go back to draft. "
            "Edit it and publish again; the earlier text is kept in its history."
        )
    commentary.author = editor
    commentary.what_data_shows = what_data_shows
    commentary.contribution = contribution
    commentary.limitations = limitations
    if publish:
        commentary.status = CommentaryStatus.PUBLISHED
        commentary.published_at = timezone.now()
    commentary.full_clean()
    commentary.save()
    CommentaryRevision.objects.create(
        commentary=commentary, editor=editor, status=commentary.status,
        what_data_shows=what_data_shows, contribution=contribution, limitations=limitations,
    )  # fmt: skip
    return commentary
