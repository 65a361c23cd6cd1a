"""The owners' narrative for an indicator, area and period, and every revision of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from indicators.models.geography import Area
from indicators.models.observations import Period
from indicators.models.registry import Indicator


class CommentaryStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Commentary(models.Model):
    """The owner's narrative for an indicator, area and period, in three parts."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="commentaries")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    what_data_shows = models.TextField("What the data shows")
    contribution = models.TextField("Our contribution and what partners did", blank=True)
    limitations = models.TextField("Limitations and external factors", blank=True)
    status = models.CharField(
        max_length=10, choices=CommentaryStatus.choices, default=CommentaryStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "commentaries"
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period"], name="commentary_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CommentaryStatus.values), name="commentary_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="commentary_published_has_date",
            ),
        ]

    def __str__(self):
        return f"Narrative {self.indicator.code} {self.period} ({self.get_status_display()})"


class CommentaryRevision(models.Model):
    """Every save of a narrative, as it stood after that save: who, when, the three parts and
    the status. Recorded by the reporting service that writes narratives (docs/design.md §6 audit)."""

    commentary = models.ForeignKey(Commentary, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=CommentaryStatus.choices)
    what_data_shows = models.TextField("What the data shows")
    contribution = models.TextField("Our contribution and what partners did", blank=True)
    limitations = models.TextField("Limitations and external factors", blank=True)

    class Meta:
        ordering = ["-saved_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CommentaryStatus.values),
                name="commentary_revision_valid_status",
            ),
        ]

    def __str__(self):
        return f"Revision of {self.commentary} at {self.saved_at:%Y-%m-%d %H:%M}"
