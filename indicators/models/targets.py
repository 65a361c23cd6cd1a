"""Baselines and targets: where the framework measures progress from and to."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from indicators.models.fields import limits_ordered
from indicators.models.geography import Area
from indicators.models.observations import Period
from indicators.models.registry import Indicator, Sex


class Baseline(models.Model):
    """The starting point the framework measures progress from."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="baselines")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.PERSONS)
    value = models.FloatField()
    lower_95 = models.FloatField("Lower 95% limit", null=True, blank=True)
    upper_95 = models.FloatField("Upper 95% limit", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "area", "sex"], name="baseline_unique"),
            limits_ordered("lower_95", "upper_95", "baseline_limits_ordered"),
        ]

    def __str__(self):
        return f"Baseline {self.indicator.code} {self.area.code} {self.period}"

    def clean(self):
        if self.lower_95 is not None and self.upper_95 is not None:
            if self.lower_95 > self.upper_95:
                raise ValidationError("The lower limit must not be above the upper limit.")


class TargetSource(models.TextChoices):
    NATIONAL = "national", "National ambition"
    LOCAL_PLAN = "local_plan", "Local plan"
    OTHER = "other", "Other"


class Target(models.Model):
    """A target value or range for an indicator in an area by a period, with an optional
    trajectory: a list of ``{"period": label, "value": number}`` points from baseline to target."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.PERSONS)
    value = models.FloatField(null=True, blank=True, help_text="A single target value…")
    range_lower = models.FloatField(null=True, blank=True, help_text="…or the bottom of a range…")
    range_upper = models.FloatField(null=True, blank=True, help_text="…and its top.")
    target_period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, choices=TargetSource.choices)
    source_detail = models.CharField(max_length=300, blank=True)
    trajectory = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "area", "sex"], name="target_unique"),
            models.CheckConstraint(
                condition=(
                    Q(value__isnull=False, range_lower__isnull=True, range_upper__isnull=True)
                    | Q(
                        value__isnull=True,
                        range_lower__isnull=False,
                        range_upper__isnull=False,
                        range_lower__lte=F("range_upper"),
                    )
                ),
                name="target_value_or_ordered_range",
            ),
        ]

    def __str__(self):
        return f"Target {self.indicator.code} {self.area.code} by {self.target_period}"

    def clean(self):
        has_value = self.value is not None
        has_range = self.range_lower is not None or self.range_upper is not None
        if has_value == has_range:
            raise ValidationError("Give either a single target value or a range, not both.")
        if has_range:
            if self.range_lower is None or self.range_upper is None:
                raise ValidationError("A target range needs both its bottom and its top.")
            if self.range_lower > self.range_upper:
                raise ValidationError("The bottom of the target range is above its top.")
        if not isinstance(self.trajectory, list) or any(
            not isinstance(point, dict)
            or set(point) != {"period", "value"}
            or not isinstance(point["value"], int | float)
            for point in self.trajectory
        ):
            raise ValidationError(
                {"trajectory": 'Trajectory must be a list of {"period": "2024/25", "value": 12.5}.'}
            )
