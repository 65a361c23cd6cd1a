"""Observation querysets that apply disclosure control as rows are read, so every output
built on them — pages, charts, tables, CSV and API — shows a protected viewer the same
thing (``indicators.disclosure`` holds the rules)."""

from __future__ import annotations

from django.db import models
from django.db.models.query import ModelIterable

from indicators import disclosure

ENGLAND_CODE = "E92000001"


def mask_observation(observation):
    """Apply the policy to one observation read for display (never saved afterwards)."""
    replaced = disclosure.protected_fields(
        {
            name: getattr(observation, name)
            for name in (*disclosure.VALUE_FIELDS, *disclosure.COUNT_FIELDS)
        }
        | {"value_note": observation.value_note, "suppressed": observation.suppressed},
        value_type=observation.indicator.value_type,
        rule=observation.indicator.disclosure_rule,
        national=observation.area.code == ENGLAND_CODE,
    )
    for name, value in replaced.items():
        setattr(observation, name, value)
    observation.disclosed = True
    return observation


class ProtectedIterable(ModelIterable):
    def __iter__(self):
        for observation in super().__iter__():
            yield mask_observation(observation)


class ObservationQuerySet(models.QuerySet):
    def disclosed(self, *, protect: bool):
        """The same rows, masked for a protected viewer as they are read (analysts:
        ``protect=False``, unchanged)."""
        if not protect:
            return self._chain()
        clone = self.select_related("indicator", "area")
        clone._iterable_class = ProtectedIterable
        return clone
