"""What reporting stores of its own: the board packs it has built (or is building).

A pack is the PDF of one scope (whole framework or one domain, latest data or a period) as
one audience sees it (protected viewers or analysts), built from one version of the data.
Asking again for the same scope, audience and data version serves the stored file; a change
of data (a new extract, a revert, a narrative or target edit) is a new version and so a new
pack (``reporting.packs`` derives the version and decides).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q


class BoardPackStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Being built"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class BoardPack(models.Model):
    """One board pack build: its key, its progress and, once built, its file."""

    system_code = models.CharField(
        max_length=20, help_text="Whose framework: the system's headline area code."
    )
    domain_code = models.CharField(max_length=20, blank=True, help_text="Blank: every domain.")
    period_label = models.CharField(max_length=40, blank=True, help_text="Blank: the latest data.")
    protected = models.BooleanField(
        help_text="Built as protected viewers see it (published indicators, small numbers "
        "suppressed and rounded), rather than as analysts do."
    )
    data_version = models.CharField(max_length=80)
    status = models.CharField(
        max_length=10, choices=BoardPackStatus.choices, default=BoardPackStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    step = models.CharField(max_length=120, blank=True)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="board-packs/", max_length=300, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    build_seconds = models.FloatField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["system_code", "domain_code", "period_label", "protected", "data_version"],
                name="board_pack_one_per_version",
            ),
            models.CheckConstraint(
                condition=Q(status__in=BoardPackStatus.values), name="board_pack_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="board_pack_progress_max_100"
            ),
        ]

    def __str__(self):
        scope = self.domain_code or "whole framework"
        return f"Board pack {scope}, {self.period_label or 'latest'} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {BoardPackStatus.READY, BoardPackStatus.FAILED}
