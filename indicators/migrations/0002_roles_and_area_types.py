"""Create the area types and the four role groups with their permissions."""

from django.db import migrations

AREA_TYPES = [
    ("england", "England", 0, ""),
    ("region", "NHS region", 1, ""),
    ("ons_region", "Region (ONS)", 1, ""),
    ("icb", "Integrated care board", 2, ""),
    ("sub_icb", "Sub-ICB location", 3, ""),
    ("local_authority", "Local authority (county or unitary)", 4, ""),
    (
        "locality",
        "Locality partnership",
        5,
        "Illustrative: built from MSOAs for the demo (not an official boundary)",
    ),
    ("pcn", "Primary care network", 6, ""),
    ("practice", "GP practice", 7, ""),
    ("lsoa", "LSOA (2011)", 7, ""),
]


def create_area_types(apps, schema_editor):
    AreaType = apps.get_model("indicators", "AreaType")
    for code, name, level, note in AREA_TYPES:
        AreaType.objects.update_or_create(
            code=code, defaults={"name": name, "level": level, "note": note}
        )


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
