"""Create the area types and the four role groups with their permissions."""

from django.db import migrations


def create_area_types(apps, schema_editor):
    from indicators.area_types import ensure_area_types

    ensure_area_types(apps.get_model("indicators", "AreaType"))


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from indicators.roles import sync_role_groups

    # Permissions are normally created after migrate; create them now so the groups get them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_area_types, migrations.RunPython.noop),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
