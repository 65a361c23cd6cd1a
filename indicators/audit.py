"""The audit log: who did what, and when (docs/design.md §6).

``record`` writes one ``AuditEvent``. Most events come from signals connected in
``IndicatorsConfig.ready``: sign-ins (successful and failed) and sign-outs, creating,
changing and deleting registry rows, narrative edits, role (group) changes and changes to
user accounts. Extract uploads, reverts and re-runs are recorded by the ingest services.

Signals carry no request, so ``AuditContextMiddleware`` keeps the current request in a
context variable: ``record`` takes the user and address from it unless told otherwise.
Work outside a request (commands, Celery tasks) is recorded with no user.
"""

from __future__ import annotations

import contextvars
import logging

from django.contrib.auth import get_user_model
from django.db import models

from indicators.models import (
    Area,
    AreaType,
    AuditAction,
    AuditEvent,
    Baseline,
    ChangePoint,
    Commentary,
    ComparatorGroup,
    ComparatorGroupMember,
    Domain,
    Indicator,
    Partner,
    PartnerMembership,
    Programme,
    System,
    Target,
)

logger = logging.getLogger(__name__)

_current_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)

# Registry rows whose every create, change and delete is recorded. Observations are not here:
# they change only through extracts, whose history and audit events say what changed.
REGISTRY_MODELS = (
    Domain, Indicator, Partner, PartnerMembership, Programme, AreaType, Area, Baseline, Target,
    System, ComparatorGroup, ComparatorGroupMember, ChangePoint,
)  # fmt: skip
# The account fields whose changes matter for access; a password change is noted, never shown.
USER_FIELDS = ("username", "is_active", "is_staff", "is_superuser", "password")
VALUE_LIMIT = 500  # characters of an old or new value kept in the details


class AuditContextMiddleware:
    """Make the current request (its user and address) available to ``record``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def client_ip(request) -> str | None:
    """The address the request came from, as django-axes sees it (REMOTE_ADDR unless a
    trusted proxy header is configured)."""
    if request is None:
        return None
    try:
        from axes.helpers import get_client_ip_address

        return get_client_ip_address(request) or None
    except Exception:  # an unparsable header must never stop the action being recorded
        return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    action: str,
    obj: models.Model | None = None,
    details: dict | None = None,
    user=None,
    username: str | None = None,
    request=None,
) -> AuditEvent:
    """Write one audit event. ``user`` and ``request`` default to the current request's."""
    request = request if request is not None else _current_request.get()
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if username is None:
        username = user.get_username() if user is not None else ""
    return AuditEvent.objects.create(
        user=user,
        username=username[:150],
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk)[:64] if obj is not None and obj.pk is not None else "",
        object_repr=_text(obj)[:200] if obj is not None else "",
        details=details or {},
        ip_address=client_ip(request),
    )


# --- Signal receivers --------------------------------------------------------------------------


def sign_in_details(request) -> dict:
    """How someone signed in: ``password``, or the issuer of the single sign-on provider,
    which the sign-on backend leaves on the request with the reason for any refusal."""
    details = {"provider": getattr(request, "sign_in_provider", None) or "password"}
    refusal = getattr(request, "sign_in_refusal", None)
    if refusal is not None:
        details["reason"] = refusal.reason
        if refusal.detail:
            details["detail"] = str(refusal.detail)[:VALUE_LIMIT]
    return details


def on_logged_in(sender, request, user, **kwargs):
    record(action=AuditAction.LOGIN, user=user, request=request, details=sign_in_details(request))


def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(action=AuditAction.LOGOUT, user=user, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs):
    attempted = str(credentials.get("username", ""))
    record(
        action=AuditAction.LOGIN_FAILED, username=attempted, request=request,
        details={"username": attempted[:150], **sign_in_details(request)},
    )  # fmt: skip


def remember_old_values(sender, instance, raw=False, **kwargs):
    """pre_save: keep the stored values, so post_save can say what changed."""
    if raw or instance.pk is None:
        return
    fields = _audited_fields(sender)
    instance._audit_old = (
        sender._default_manager.filter(pk=instance.pk).values(*fields.values()).first()
    )


def on_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if sender is get_user_model():
        if update_fields is not None and set(update_fields) <= {"last_login"}:
            return  # every sign-in stamps last_login; the sign-in itself is recorded
        changes = _changes(sender, instance)
        if "password" in changes:
            changes["password"] = "changed"
        if created or changes:
            record(action=AuditAction.USER, obj=instance,
                   details={"created": True} if created else {"changed": changes})  # fmt: skip
        return
    if sender is Commentary:
        changes = {} if created else _changes(sender, instance)
        record(
            action=AuditAction.NARRATIVE, obj=instance,
            details={"created": True, "status": instance.status} if created else {"changed": changes},
        )  # fmt: skip
        return
    if created:
        record(action=AuditAction.CREATED, obj=instance)
        return
    changes = _changes(sender, instance)
    if changes:
        record(action=AuditAction.CHANGED, obj=instance, details={"changed": changes})


def on_deleted(sender, instance, **kwargs):
    if sender is get_user_model():
        record(action=AuditAction.USER, obj=instance, details={"deleted": True})
    elif sender is Commentary:
        record(action=AuditAction.NARRATIVE, obj=instance, details={"deleted": True})
    else:
        record(action=AuditAction.DELETED, obj=instance)


def on_m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Group membership (roles) and programme membership: who was added or removed."""
    if action == "pre_clear":
        # Keep what is about to be cleared; post_clear no longer knows.
        instance._audit_cleared = _linked_pks(sender, instance, model)
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    pks = pk_set if action != "post_clear" else getattr(instance, "_audit_cleared", set())
    if not pks:
        return
    verb = "added" if action == "post_add" else "removed"
    names = sorted(_text(other) for other in model._default_manager.filter(pk__in=pks))
    user_model = get_user_model()
    is_roles = sender is user_model.groups.through
    if is_roles and reverse:  # group.user_set.add(...): one event per user changed
        for user in model._default_manager.filter(pk__in=pks):
            record(action=AuditAction.ROLES, obj=user, details={verb: [_text(instance)]})
        return
    if is_roles:
        record(action=AuditAction.ROLES, obj=instance, details={verb: names})
    else:
        record(action=AuditAction.CHANGED, obj=instance, details={verb: names})


def connect_signals() -> None:
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

    user_logged_in.connect(on_logged_in, dispatch_uid="audit_login")
    user_logged_out.connect(on_logged_out, dispatch_uid="audit_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit_login_failed")
    user_model = get_user_model()
    for model in (*REGISTRY_MODELS, Commentary, user_model):
        uid = f"audit_{model._meta.label_lower}"
        pre_save.connect(remember_old_values, sender=model, dispatch_uid=f"{uid}_pre")
        post_save.connect(on_saved, sender=model, dispatch_uid=f"{uid}_post")
        post_delete.connect(on_deleted, sender=model, dispatch_uid=f"{uid}_delete")
    m2m_changed.connect(
        on_m2m_changed, sender=user_model.groups.through, dispatch_uid="audit_roles"
    )
    m2m_changed.connect(
        on_m2m_changed, sender=Programme.indicators.through, dispatch_uid="audit_programme"
    )
    # group.areas.add(...) bulk-creates memberships without post_save; say who was added.
    m2m_changed.connect(
        on_m2m_changed, sender=ComparatorGroup.areas.through, dispatch_uid="audit_comparators"
    )


# --- Helpers ---------------------------------------------------------------------------------


def _audited_fields(model) -> dict[str, str]:
    """Field name → column attribute for the fields whose changes are recorded."""
    if model is get_user_model():
        return {name: name for name in USER_FIELDS}
    return {
        field.name: field.attname
        for field in model._meta.concrete_fields
        if not field.primary_key
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    }


def _changes(model, instance) -> dict[str, list]:
    old = getattr(instance, "_audit_old", None)
    if old is None:
        return {}
    changes = {}
    for name, attname in _audited_fields(model).items():
        before, after = old.get(attname), getattr(instance, attname)
        if _text(before) != _text(after):
            changes[name] = [_value(before), _value(after)]
    instance._audit_old = None
    return changes


def _linked_pks(through, instance, model) -> set:
    """Primary keys of the ``model`` rows linked to ``instance`` through an m2m table."""
    foreign_keys = [field for field in through._meta.concrete_fields if field.is_relation]
    mine = next(field for field in foreign_keys if field.related_model is type(instance))
    theirs = next(field for field in foreign_keys if field.related_model is model)
    rows = through._default_manager.filter(**{mine.attname: instance.pk})
    return set(rows.values_list(theirs.attname, flat=True))


def _value(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    return _text(value)[:VALUE_LIMIT]


def _text(value) -> str:
    try:
        return str(value)
    except Exception:  # a __str__ that follows a deleted relation must not stop the record
        return repr(value)
