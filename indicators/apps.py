from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Registry, geography and data"

    def ready(self):
        from django.contrib.auth.models import User
        from django.db.models.signals import m2m_changed, post_migrate

        from indicators.audit import connect_signals
        from indicators.roles import staff_follows_role

        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="outcomes_sync_roles")
        connect_signals()
        m2m_changed.connect(
            staff_follows_role, sender=User.groups.through, dispatch_uid="outcomes_staff_role"
        )


def _sync_roles_after_migrate(sender, using="default", **kwargs):
    from django.db import connections

    from indicators.models import AreaType

    if AreaType._meta.db_table not in connections[using].introspection.table_names():
        return  # a partial migrate that has not created our tables yet
    # Keep the role groups' permissions and the area types in place after every migrate (and
    # after a test database is flushed).
    from django.contrib.auth.models import Group, Permission

    from indicators.area_types import ensure_area_types
    from indicators.roles import sync_role_groups

    sync_role_groups(Group, Permission)
    ensure_area_types(AreaType)
