"""Observation querysets that apply disclosure control as rows are read, so every output
built on them — pages, charts, tables, CSV and API — shows a protected viewer the same
thing (``indicators.disclosure`` holds the rules)."""

from __future__ import annotations

from django.db import models
from django.db.models.query import ModelIterable

from indicators import disclosure
from indicators.vocabulary import ENGLAND_CODE

FIELDS = (*disclosure.VALUE_FIELDS, *disclosure.COUNT_FIELDS, "value_note", "suppressed")
BATCH = 2000


def method_of(indicator) -> disclosure.Method:
    """What the disclosure policy needs to know of an indicator."""
    return disclosure.Method(
        value_type=indicator.value_type,
        rule=indicator.disclosure_rule,
        multiplier=float(indicator.multiplier or 1),
        ci_method=indicator.ci_method,
    )


def mask_observations(observations: list) -> list:
    """Apply the policy to observations read for display (never saved afterwards)."""
    replacements = disclosure.protect_rows(
        [{name: getattr(observation, name) for name in FIELDS} for observation in observations],
        methods=[method_of(observation.indicator) for observation in observations],
        national=[observation.area.code == ENGLAND_CODE for observation in observations],
    )
    for observation, replaced in zip(observations, replacements, strict=True):
        for name, value in replaced.items():
            setattr(observation, name, value)
        observation.disclosed = True
    return observations


class ProtectedIterable(ModelIterable):
    def __iter__(self):
        batch = []
        for observation in super().__iter__():
            batch.append(observation)
            if len(batch) == BATCH:
                yield from mask_observations(batch)
                batch = []
        yield from mask_observations(batch)


def analytics_basis_of(observations: models.QuerySet) -> str:
    """The derived analytics that go with observations: from the shown values when they are
    read for a protected viewer (``disclosed``), else from every value."""
    from indicators.models import AnalyticsBasis  # models imports this module

    protected = observations._iterable_class is ProtectedIterable
    return AnalyticsBasis.SHOWN if protected else AnalyticsBasis.ALL


class ObservationQuerySet(models.QuerySet):
    def disclosed(self, *, protect: bool):
        """The same rows, masked for a protected viewer as they are read (analysts:
        ``protect=False``, unchanged)."""
        if not protect:
            return self._chain()
        clone = self.select_related("indicator", "area")
        clone._iterable_class = ProtectedIterable
        return clone
