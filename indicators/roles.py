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
