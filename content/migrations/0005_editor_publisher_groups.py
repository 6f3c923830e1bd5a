"""Editors write and move posts to review; Publishers may also approve, schedule, publish and unpublish."""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

EDITOR_PERMISSIONS = [
    ("content", "add_post"),
    ("content", "change_post"),
    ("content", "delete_post"),
    ("content", "view_post"),
    ("content", "add_postsection"),
    ("content", "change_postsection"),
    ("content", "delete_postsection"),
    ("content", "view_postsection"),
    ("content", "add_tag"),
    ("content", "change_tag"),
    ("content", "view_tag"),
    ("media_library", "add_image"),
    ("media_library", "change_image"),
    ("media_library", "view_image"),
]
PUBLISHER_PERMISSIONS = [*EDITOR_PERMISSIONS, ("content", "publish_post")]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    # (create_permissions skips app configs without models_module, as migration state has them.)
    for label in ("content", "media_library"):
        app_config = apps.get_app_config(label)
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_contenttypes(app_config, verbosity=0, apps=apps)
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in (("Editors", EDITOR_PERMISSIONS), ("Publishers", PUBLISHER_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in wanted
        ]
        group.permissions.add(*permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Publishers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("content", "0004_workflow_transition_log"),
        ("media_library", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
