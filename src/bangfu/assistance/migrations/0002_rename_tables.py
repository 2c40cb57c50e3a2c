"""The moved tables take this app's names (cases_measure -> assistance_measure, ...); the rows
go with them, and so do the content types that name the models (the admin's history)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def content_types_follow(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in ("measure", "measurekind"):
        if not content_type.objects.filter(app_label="assistance", model=model).exists():
            content_type.objects.filter(app_label="cases", model=model).update(
                app_label="assistance"
            )


def content_types_back(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in ("measure", "measurekind"):
        if not content_type.objects.filter(app_label="cases", model=model).exists():
            content_type.objects.filter(app_label="assistance", model=model).update(
                app_label="cases"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0001_measures_from_cases"),
        ("cases", "0008_measures_to_assistance"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="measurekind", table=None),
        migrations.AlterModelTable(name="measure", table=None),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
