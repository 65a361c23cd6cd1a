"""Named reads of the registry and data that the feature apps use."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from indicators import disclosure
from indicators.models import Domain, Indicator, Status
from indicators.querysets import method_of
from indicators.roles import roles_of


def indicators_visible_to(user) -> QuerySet[Indicator]:
    """Published indicators for everyone; drafts and retired ones only for analysts."""
    queryset = Indicator.objects.all()
    if not user_is_analyst(user):
        queryset = queryset.filter(status=Status.PUBLISHED)
    return queryset


def user_is_analyst(user) -> bool:
    """Analysts and admins see unpublished indicators and unsuppressed small numbers."""
    return bool({"analyst", "admin"} & roles_of(user))


def protects(user) -> bool:
    """Whether disclosure control applies to what ``user`` sees: everyone but analysts."""
    return not user_is_analyst(user)


def disclose_rows(rows: list[dict], *, indicator, national: bool, protect: bool) -> list[dict]:
    """``values()`` rows of one indicator's observations as ``user`` may see them (see
    ``indicators.disclosure``); analysts get the rows unchanged."""
    if not protect:
        return rows
    replacements = disclosure.protect_rows(
        rows, methods=[method_of(indicator)] * len(rows), national=[national] * len(rows)
    )
    return [row | replaced for row, replaced in zip(rows, replacements, strict=True)]


def domains_with_indicators(*, user) -> list[Domain]:
    """Every domain in order, each with ``visible_indicators`` (with owner) prefetched."""
    indicators = indicators_visible_to(user).select_related("owner").order_by("code")
    return list(
        Domain.objects.order_by("order", "code").prefetch_related(
            Prefetch("indicators", queryset=indicators, to_attr="visible_indicators")
        )
    )


def indicator_for_page(*, code: str, user) -> Indicator:
    """The indicator with its domain and owner, or Indicator.DoesNotExist if the user may not
    see it (a draft shown to a non-analyst is as good as missing)."""
    return indicators_visible_to(user).select_related("domain", "owner").get(code=code)
