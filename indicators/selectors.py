"""Named reads of the registry and data that the feature apps use."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from indicators.models import Domain, Indicator, Status


def indicators_visible_to(user) -> QuerySet[Indicator]:
    """Published indicators for everyone; drafts and retired ones only for analysts."""
    queryset = Indicator.objects.all()
    if not user_is_analyst(user):
        queryset = queryset.filter(status=Status.PUBLISHED)
    return queryset


def user_is_analyst(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.groups.filter(name__in=["analyst", "admin"]).exists())
    )


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
