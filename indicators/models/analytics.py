"""What the worker derives from observations (trends, SPC, inequality summaries) and the
change points SPC limits are recalculated from."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from indicators import vocabulary
from indicators.models.fields import copied_key, limits_ordered
from indicators.models.geography import Area
from indicators.models.observations import Period
from indicators.models.registry import Indicator, Sex


class ChangePoint(models.Model):
    """A known change in the process (a new pathway, a coding change) from which an
    indicator's SPC limits are recalculated: NHSRplotthedots' rebase. ``period`` is the first
    period of the new phase; no area means every area's series of the indicator."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="change_points")
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Leave blank for every area's series of the indicator.",
    )  # fmt: skip
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="+",
        help_text="The first period of the new phase.",
    )  # fmt: skip
    reason = models.CharField(
        max_length=300, help_text='What changed, e.g. "New discharge-to-assess pathway, Oct 2024".'
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False,
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "period__sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period"], name="change_point_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="change_point_has_reason"
            ),
        ]  # fmt: skip

    def __str__(self):
        where = self.area.code if self.area_id else "all areas"
        return f"Change point {self.indicator.code} {where} from {self.period}: {self.reason}"

    def clean(self):
        if not (self.reason or "").strip():
            raise ValidationError({"reason": "Say what changed: the reason is shown on charts."})


class SeriesKey(models.Model):
    """A series: one indicator in one area for one sex, age and category, over time.

    Derived rows copy their keys from observations (``copied_key``); the indexes of the
    models below lead with indicator and area."""

    indicator = copied_key(Indicator, on_delete=models.CASCADE)
    area = copied_key(Area, on_delete=models.CASCADE)
    sex = models.CharField(max_length=10, choices=Sex.choices)
    age = models.CharField(max_length=40)
    category_type = models.CharField(max_length=120, blank=True)
    category = models.CharField(max_length=120, blank=True)

    class Meta:
        abstract = True


class AnalyticsBasis(models.TextChoices):
    """Which values a derived statistic was computed from (docs/disclosure.md): the values as
    protected roles see them (counts rounded, suppressed ones left out), or every value as
    stored, for analysts, admins and the export commands only."""

    SHOWN = "shown", "The values as protected roles see them"
    ALL = "all", "Every value as stored (analysts only)"


class SeriesAnalytics(SeriesKey):
    """Derived per series: the Fingertips recent trend and the Making Data Count XmR result.

    ``spc_points`` holds one entry per period (oldest first): period label, value, mean,
    process limits, special-cause rule flags and point type, so charts only read."""

    latest_period = copied_key(Period, on_delete=models.PROTECT)
    trend_marker = models.CharField(max_length=30, blank=True)
    trend_label = models.CharField(max_length=60, blank=True)
    trend_reason = models.CharField(max_length=200, blank=True)
    spc_variation_icon = models.CharField(max_length=40, blank=True)
    spc_variation_label = models.CharField(max_length=80, blank=True)
    spc_assurance_icon = models.CharField(max_length=40, blank=True)
    spc_assurance_label = models.CharField(max_length=80, blank=True)
    spc_trial_limits = models.BooleanField(default=False)
    spc_notes = models.TextField(blank=True)
    spc_points = models.JSONField(default=list, blank=True)
    basis = models.CharField(
        max_length=10, choices=AnalyticsBasis.choices, default=AnalyticsBasis.SHOWN
    )
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "series analytics"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "sex", "age", "category_type", "category", "basis"],
                name="series_analytics_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["area", "indicator"], name="series_area_indicator"),
            # The explorer's data version per indicator: its newest derived row.
            models.Index(fields=["indicator", "-id"], name="series_indicator_id"),
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.area_id} {self.sex} {self.category}".strip()


class InequalitySummary(models.Model):
    """Derived per indicator × area × period × sex × age × dimension (e.g. national IMD
    quintiles): SII and RII with 95% limits, and the gap and ratio between the most and
    least deprived groups. ``note`` says why anything is missing."""

    indicator = copied_key(Indicator, on_delete=models.CASCADE)
    area = copied_key(Area, on_delete=models.CASCADE)
    period = copied_key(Period, on_delete=models.PROTECT)
    sex = models.CharField(max_length=10, choices=Sex.choices)
    age = models.CharField(max_length=40)
    category_type = models.CharField(max_length=120)
    sii = models.FloatField("SII", null=True, blank=True)
    sii_lower = models.FloatField(null=True, blank=True)
    sii_upper = models.FloatField(null=True, blank=True)
    rii = models.FloatField("RII", null=True, blank=True)
    rii_lower = models.FloatField(null=True, blank=True)
    rii_upper = models.FloatField(null=True, blank=True)
    gap = models.FloatField(null=True, blank=True)
    ratio = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    basis = models.CharField(
        max_length=10, choices=AnalyticsBasis.choices, default=AnalyticsBasis.SHOWN
    )
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "inequality summaries"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period", "sex", "age", "category_type", "basis"],
                name="inequality_summary_unique",
            ),
            limits_ordered("sii_lower", "sii_upper", "inequality_sii_limits_ordered"),
            limits_ordered("rii_lower", "rii_upper", "inequality_rii_limits_ordered"),
        ]
        indexes = [
            models.Index(fields=["indicator", "area", "period"], name="inequality_area_period")
        ]

    def __str__(self):
        return (
            f"Inequality {self.indicator_id} {self.area_id} {self.period_id} {self.category_type}"
        )

    @property
    def deprivation_edition(self) -> str | None:
        """The edition the quintiles were computed with, e.g. "IMD 2019"."""
        return vocabulary.deprivation_edition_of(self.category_type)
