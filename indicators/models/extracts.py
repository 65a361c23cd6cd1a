"""Extracts (uploaded or dropped data files) and each indicator's data version."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from indicators.models.registry import Indicator


class ExtractKind(models.TextChoices):
    VALUES = "values", "Indicator values (Fingertips format)"
    COUNTS = "counts", "Granular counts"


class ExtractStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    VALIDATING = "validating", "Validating"
    PROCESSING = "processing", "Processing"
    # Computed, not applied: its review says what publishing would change (README, "Getting
    # data in"). Scheduled: to be published at ``publish_at``.
    AWAITING_REVIEW = "awaiting_review", "Awaiting review"
    SCHEDULED = "scheduled", "Scheduled"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    REVERTED = "reverted", "Reverted"
    DISCARDED = "discarded", "Discarded"


class Extract(models.Model):
    """An uploaded or dropped data file. Defined here because observations name their source;
    the ingest app owns the screens and the pipeline that fill it in."""

    kind = models.CharField(max_length=10, choices=ExtractKind.choices)
    original_name = models.CharField(max_length=255)
    stored_file = models.FileField(upload_to="extracts/%Y/%m/", max_length=300)
    checksum = models.CharField(max_length=64, db_index=True, help_text="SHA-256 of the file.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField(
        max_length=20, choices=ExtractStatus.choices, default=ExtractStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    step = models.CharField(max_length=60, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_accepted = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    error_summary = models.TextField(blank=True)
    # Row-level problems as CSV (row, column, value, message), kept with the extract.
    error_report = models.FileField(upload_to="reports/%Y/%m/", max_length=300, blank=True)
    # What the pipeline did: notes on assumptions, areas rolled up or skipped, counts written.
    report = models.JSONField(default=dict, blank=True)
    create_areas = models.BooleanField(
        default=False, help_text="Add areas a Fingertips-format file names but the registry lacks."
    )
    skip_unknown_indicators = models.BooleanField(
        default=False,
        help_text="Leave out (and count) rows for indicators the registry does not track.",
    )
    is_synthetic = models.BooleanField(
        default=False,
        help_text="Generated demonstration data; pages show a banner while any is loaded.",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Review before publishing: the computed values, kept until published or discarded; what
    # publishing them would change; and the indicators' data versions they were computed
    # against (``IndicatorDataVersion``), which publishing checks.
    publish_on_success = models.BooleanField(
        default=False, help_text="Publish as soon as it validates, without a review."
    )
    staged_values = models.FileField(upload_to="staged/%Y/%m/", max_length=300, blank=True)
    review = models.JSONField(default=dict, blank=True)
    base_versions = models.JSONField(default=dict, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    publish_at = models.DateTimeField(null=True, blank=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    review_notice = models.TextField(
        blank=True, help_text="Why the extract came back for review (its base data changed)."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="extract_progress_max_100"),
            models.CheckConstraint(
                condition=Q(kind__in=ExtractKind.values), name="extract_valid_kind"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExtractStatus.values), name="extract_valid_status"
            ),
        ]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"


class IndicatorDataVersion(models.Model):
    """How many times an indicator's live values have changed: each write of an extract and
    each revert adds one, under the indicator's lock. An extract's review records the
    versions it was computed against; publishing it checks them, so a review is never
    applied over data it did not see. A table of its own, so saving an indicator loaded
    earlier never writes an old count back."""

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.indicator_id}: {self.version}"
