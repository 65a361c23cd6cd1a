"""Field and constraint builders the data models share."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


def limits_ordered(lower: str, upper: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{lower}__isnull": True})
        | Q(**{f"{upper}__isnull": True})
        | Q(**{f"{lower}__lte": F(upper)}),
        name=name,
    )


def copied_key(to, *, on_delete) -> models.ForeignKey:
    """A foreign key whose value is copied from an observation's, which its own constraint
    checks in the same transaction: no database constraint or index of its own (each costs
    time on every row an extract writes). Django still applies ``on_delete`` to ORM deletes."""
    return models.ForeignKey(
        to, on_delete=on_delete, related_name="+", db_constraint=False, db_index=False
    )
