"""Periods, observations and the history rows that let an extract be reverted exactly."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from indicators.models.extracts import Extract
from indicators.models.fields import copied_key, limits_ordered
from indicators.models.geography import Area
from indicators.models.registry import Indicator, Sex
from indicators.querysets import ObservationQuerySet
from indicators.vocabulary import ALL_AGES


class PeriodKind(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter (financial year)"
    FINANCIAL_YEAR = "financial_year", "Financial year"
    CALENDAR_YEAR = "calendar_year", "Calendar year"
    ACADEMIC_YEAR = "academic_year", "Academic year"
    POOLED_YEARS = "pooled_years", "Pooled calendar years"
    POOLED_FINANCIAL_YEARS = "pooled_financial_years", "Pooled financial years"


class Period(models.Model):
    kind = models.CharField(max_length=30, choices=PeriodKind.choices)
    start = models.DateField()
    end = models.DateField()
    # Not unique: "2023/24" is both a financial and an academic year.
    label = models.CharField(max_length=40, help_text="Fingertips style, e.g. 2023/24 or Mar 2024.")
    sort_key = models.CharField(max_length=20, db_index=True)

    class Meta:
        ordering = ["sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "start", "end"], name="period_unique_span"),
            models.CheckConstraint(
                condition=Q(start__lte=F("end")), name="period_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=PeriodKind.values), name="period_valid_kind"
            ),
        ]

    def __str__(self):
        return self.label


class ObservationValues(models.Model):
    """The measured fields shared by an observation and each of its history rows."""

    value = models.FloatField(null=True, blank=True)
    lower_95 = models.FloatField("Lower 95% limit", null=True, blank=True)
    upper_95 = models.FloatField("Upper 95% limit", null=True, blank=True)
    lower_998 = models.FloatField("Lower 99.8% limit", null=True, blank=True)
    upper_998 = models.FloatField("Upper 99.8% limit", null=True, blank=True)
    count = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    value_note = models.CharField(max_length=300, blank=True)
    suppressed = models.BooleanField(default=False)

    class Meta:
        abstract = True


class Observation(ObservationValues):
    """One value: unique on indicator, area, period, sex, age, category type and category.

    The headline value has empty category type and category."""

    # No index of their own for indicator and area: the unique key and the indexes below
    # lead with them, and every index costs time on each row an extract writes.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="observations", db_index=False
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="observations", db_index=False
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="observations")
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.PERSONS)
    age = models.CharField(max_length=40, default=ALL_AGES)
    category_type = models.CharField(max_length=120, blank=True)
    category = models.CharField(max_length=120, blank=True)
    extract = models.ForeignKey(
        Extract, on_delete=models.PROTECT, null=True, blank=True, related_name="observations"
    )
    # Derived by the pipeline (recomputed whenever a value they depend on changes): the
    # Fingertips comparison by 95% CI with England and with the parent area (Better / Similar /
    # Worse, Higher / Similar / Lower, Not compared) and the target RAG (Green / Amber / Red /
    # Not compared). Blank until derived.
    england_comparison = models.CharField(max_length=20, blank=True)
    parent_comparison = models.CharField(max_length=20, blank=True)
    target_comparison = models.CharField(max_length=20, blank=True)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period", "sex", "age", "category_type", "category"],
                name="observation_unique_key",
            ),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="observation_valid_sex"),
            models.CheckConstraint(
                condition=Q(count__isnull=True) | Q(count__gte=0),
                name="observation_count_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gte=0),
                name="observation_denominator_not_negative",
            ),
            limits_ordered("lower_95", "upper_95", "observation_95_limits_ordered"),
            limits_ordered("lower_998", "upper_998", "observation_998_limits_ordered"),
            models.CheckConstraint(
                condition=Q(category_type="", category="")
                | (~Q(category_type="") & ~Q(category="")),
                name="observation_category_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "period", "area"], name="obs_indicator_period_area"),
            # The area summary's spread: every area of a type at each indicator's latest
            # period, read from the index alone (PostgreSQL keeps the included columns in it).
            models.Index(
                fields=["area", "period", "sex", "category_type"],
                include=["indicator", "age", "value", "suppressed"],
                name="obs_area_period_headline",
            ),
            # Area summary, trends and the API by area: one area's series in period order.
            models.Index(
                fields=["indicator", "area", "sex", "category_type", "period"],
                name="obs_series_period",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.area.code} {self.period} {self.sex} {self.category}"


class ObservationChange(models.TextChoices):
    CREATED = "created", "Created (no earlier value)"
    REPLACED = "replaced", "Replaced"


class ObservationHistory(ObservationValues):
    """What an extract changed: the values an observation held before, and who replaced them.

    Reverting an extract walks its history rows: ``replaced`` rows restore the old values,
    ``created`` rows delete the observation the extract added."""

    observation_key = models.CharField(max_length=400)
    indicator = copied_key(Indicator, on_delete=models.PROTECT)
    area = copied_key(Area, on_delete=models.PROTECT)
    period = copied_key(Period, on_delete=models.PROTECT)
    sex = models.CharField(max_length=10, choices=Sex.choices)
    age = models.CharField(max_length=40)
    category_type = models.CharField(max_length=120, blank=True)
    category = models.CharField(max_length=120, blank=True)
    change = models.CharField(max_length=10, choices=ObservationChange.choices)
    previous_extract = models.ForeignKey(
        Extract, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    replaced_by = models.ForeignKey(Extract, on_delete=models.PROTECT, related_name="history")
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "observation history"
        ordering = ["-replaced_at"]
        indexes = [models.Index(fields=["observation_key"], name="history_observation_key")]
        constraints = [
            models.CheckConstraint(
                condition=Q(change__in=ObservationChange.values), name="history_valid_change"
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_change_display()} {self.observation_key} by extract {self.replaced_by_id}"
        )
