"""The audit log: who did what, and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class AuditAction(models.TextChoices):
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Sign-in failed"
    LOGOUT = "logout", "Signed out"
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"
    NARRATIVE = "narrative", "Narrative edited"
    ROLES = "roles", "Roles changed"
    USER = "user", "User account changed"
    UPLOAD = "upload", "Extract uploaded"
    REVIEW = "review", "Extract ready for review"
    PUBLISH = "publish", "Extract published"
    SCHEDULE = "schedule", "Extract publication scheduled"
    DISCARD = "discard", "Extract discarded"
    REVERT = "revert", "Extract reverted"
    RERUN = "rerun", "Extract re-run"


class AuditEvent(models.Model):
    """Who did what, and when (docs/design.md §6 audit). Written by ``indicators.audit`` only, never
    edited; the user's name is copied so the record survives the account's deletion."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    username = models.CharField(
        max_length=150, blank=True, help_text="As it was then; for failed sign-ins, as typed."
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField("object", max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=AuditAction.values), name="auditevent_valid_action"
            ),
        ]

    def __str__(self):
        who = self.username or "system"
        return f"{self.at:%Y-%m-%d %H:%M:%S} {who}: {self.get_action_display()} {self.object_repr}"
