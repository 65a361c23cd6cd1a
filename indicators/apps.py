from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Registry, geography and data"

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="outcomes_sync_roles")


def _sync_roles_after_migrate(sender, using="default", **kwargs):
    # Keep the role groups' permissions in step with the models after every migrate.
    from django.contrib.auth.models import Group, Permission

    from indicators.roles import sync_role_groups

    sync_role_groups(Group, Permission)
