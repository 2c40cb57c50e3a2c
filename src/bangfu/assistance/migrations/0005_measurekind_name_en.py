"""The catalogue's English names (catalogue.toml's name_en), shown to English readers. Filled by
code for the shipped measures whose name is still the shipped one; a county's own entries, and
names a county has rewritten, keep an empty English name (the page then shows the Chinese)."""

import tomllib
from pathlib import Path

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CATALOGUE = Path(__file__).resolve().parents[1] / "catalogue.toml"


def fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    kind = apps.get_model("assistance", "MeasureKind")
    for m in tomllib.loads(CATALOGUE.read_text("utf-8"))["measure"]:
        if m.get("name_en"):
            kind.objects.filter(code=m["code"], name=m["name"]).update(name_en=m["name_en"])


class Migration(migrations.Migration):

    dependencies = [
        ('assistance', '0004_catalogue_groups'),
    ]

    operations = [
        migrations.AddField(
            model_name='measurekind',
            name='name_en',
            field=models.CharField(blank=True, max_length=200, verbose_name='措施（英文）'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
