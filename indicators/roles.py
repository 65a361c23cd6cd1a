"""The four roles and what each may do, kept as data so a migration and every later migrate
apply the same matrix (new models get their permissions without a hand-written migration).

viewer   reads the registry, data and published narrative
owner    a viewer who also writes narrative for their partner's indicators
analyst  maintains the registry, areas and data (uploads, reverts); sees unsuppressed data
admin    everything, including users and roles
"""

from __future__ import annotations

ROLES = ("viewer", "owner", "analyst", "admin")

READ_MODELS = (
    "domain", "indicator", "partner", "programme", "areatype", "area", "period",
    "observation", "baseline", "target", "commentary",
)  # fmt: skip


def roles_of(user) -> frozenset[str]:
    """The user's role names (a superuser holds them all), read once per user object so a
    page asking several times costs one query."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_outcomes_roles", None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(ROLES)
        else:
            cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._outcomes_roles = cached
    return cached


def role_permission_codenames(
    role: str, all_codenames: dict[str, set[str]]
) -> set[tuple[str, str]]:
    """(app_label, codename) pairs for ``role``; ``all_codenames`` maps app label → codenames."""
    viewer = {("indicators", f"view_{model}") for model in READ_MODELS}
    if role == "viewer":
        return viewer
    if role == "owner":
        return viewer | {("indicators", "add_commentary"), ("indicators", "change_commentary")}
    analyst_apps = {"indicators", "ingest"}
    analyst = {
        (app, codename)
        for app, names in all_codenames.items()
        if app in analyst_apps
        for codename in names
    }
    if role == "analyst":
        return viewer | analyst
    if role == "admin":
        return {(app, codename) for app, names in all_codenames.items() for codename in names}
    raise ValueError(f"Unknown role {role!r}")


STAFF_ROLES = frozenset({"analyst", "admin"})


def staff_follows_role(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Analysts and admins work in the admin site, so their accounts are staff; taking the
    role away takes the admin site away too (superusers keep it)."""
    if reverse and action == "pre_clear":  # a group is being emptied: remember its members
        instance._outcomes_cleared = set(instance.user_set.values_list("pk", flat=True))
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        users = [instance]
    else:
        pk_set = pk_set or getattr(instance, "_outcomes_cleared", set())
        users = list(model.objects.filter(pk__in=pk_set))
    for user in users:
        if user.is_superuser:
            continue
        user.__dict__.pop("_outcomes_roles", None)
        staff = bool(STAFF_ROLES & set(user.groups.values_list("name", flat=True)))
        if user.is_staff != staff:
            type(user).objects.filter(pk=user.pk).update(is_staff=staff)
            user.is_staff = staff


def sync_role_groups(group_model, permission_model) -> None:
    """Create the role groups and give each exactly the permissions of the matrix."""
    all_codenames: dict[str, set[str]] = {}
    for app_label, codename in permission_model.objects.values_list(
        "content_type__app_label", "codename"
    ):
        all_codenames.setdefault(app_label, set()).add(codename)
    for role in ROLES:
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = role_permission_codenames(role, all_codenames)
        permissions = [
            permission
            for permission in permission_model.objects.select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
        group.permissions.set(permissions)
