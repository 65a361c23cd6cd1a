"""The framework, domain, indicator and programme pages' reads, and the counts a domain
report shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch

from indicators.models import (
    Domain,
    Indicator,
    Programme,
)
from indicators.selectors import (
    indicators_visible,
    indicators_visible_to,
    protects,
)
from reporting.selectors.headline import indicator_statuses
from reporting.selectors.status import (
    ASSURANCE_OUTCOMES,
    DIRECTIONS,
    ENGLAND_OUTCOMES,
    IndicatorStatus,
)


@dataclass
class DomainReport:
    domain: Domain
    statuses: list[IndicatorStatus]

    def count(self, attribute: str, value: str) -> int:
        return sum(1 for status in self.statuses if getattr(status, attribute) == value)

    @property
    def direction_counts(self) -> list[tuple[str, str, int]]:
        return [(key, label, self.count("direction", key)) for key, label in DIRECTIONS.items()]

    @property
    def assurance_counts(self) -> list[tuple[str, str, int]]:
        return [
            (key, label, self.count("assurance_outcome", key))
            for key, label in ASSURANCE_OUTCOMES.items()
        ]

    @property
    def england_counts(self) -> list[tuple[str, int]]:
        counts = [(label, self.count("england", label)) for label in ENGLAND_OUTCOMES]
        other = len(self.statuses) - sum(number for _, number in counts)
        return [*counts, ("Not compared", other)]

    @property
    def worse_and_worsening(self) -> list[IndicatorStatus]:
        return [status for status in self.statuses if status.worse_and_worsening]

    @property
    def statuses_attention_first(self) -> list[IndicatorStatus]:
        return sorted(self.statuses, key=lambda status: not status.worse_and_worsening)


def framework_report(
    *, user, as_at: date | None = None, domain_code: str | None = None
) -> list[DomainReport]:
    """Every domain (or one) with the status of each indicator the user may see, at ``as_at``.

    Raises Domain.DoesNotExist for an unknown domain code. Nine queries at most."""
    return framework_report_for(protect=protects(user), as_at=as_at, domain_code=domain_code)


def framework_report_for(
    *, protect: bool, as_at: date | None = None, domain_code: str | None = None
) -> list[DomainReport]:
    """``framework_report`` for an audience rather than a user: protected viewers (published
    indicators, disclosed values) or analysts (every indicator and value). The board pack is
    built once per audience and served to everyone in it."""
    domains = Domain.objects.order_by("order", "code")
    if domain_code is not None:
        domains = domains.filter(code=domain_code)
    visible = (
        indicators_visible(analyst=not protect).select_related("owner", "domain").order_by("code")
    )
    domains = list(
        domains.prefetch_related(Prefetch("indicators", queryset=visible, to_attr="visible"))
    )
    if domain_code is not None and not domains:
        raise Domain.DoesNotExist(domain_code)
    indicators = [indicator for domain in domains for indicator in domain.visible]
    statuses = indicator_statuses(indicators, as_at=as_at, protect=protect)
    return [
        DomainReport(domain=domain, statuses=[statuses[item.pk] for item in domain.visible])
        for domain in domains
    ]


def indicator_report(*, indicator: Indicator, user) -> IndicatorStatus:
    """The indicator page's reads: the whole headline series, England, SPC, baseline,
    target, inequality summaries and published narrative history."""
    return indicator_statuses([indicator], with_inequalities=True, protect=protects(user))[
        indicator.pk
    ]


@dataclass
class ProgrammeReport:
    programme: Programme
    statuses: list[IndicatorStatus]


def programmes_list(*, user) -> list[Programme]:
    """Every programme with its lead partner and the indicators the user may see."""
    visible = indicators_visible_to(user).select_related("domain").order_by("code")
    return list(
        Programme.objects.select_related("lead_partner").prefetch_related(
            Prefetch("indicators", queryset=visible, to_attr="visible")
        )
    )


def programme_report(*, code: str, user) -> ProgrammeReport:
    """One programme and the latest status of each outcome it aims to move; raises
    Programme.DoesNotExist."""
    visible = indicators_visible_to(user).select_related("domain", "owner").order_by("code")
    programme = (
        Programme.objects.select_related("lead_partner")
        .prefetch_related(Prefetch("indicators", queryset=visible, to_attr="visible"))
        .get(code=code)
    )
    statuses = indicator_statuses(programme.visible, protect=protects(user))
    return ProgrammeReport(
        programme=programme, statuses=[statuses[item.pk] for item in programme.visible]
    )
