"""The demo county's default measure catalogue (assistance/catalogue.toml), loaded once; the county
edits it afterwards on the catalogue page."""

import tomllib
from pathlib import Path

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# the catalogue file moved to the assistance app with the tables (assistance/0001)
CATALOGUE = Path(__file__).resolve().parents[2] / "assistance" / "catalogue.toml"


def load(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    kind = apps.get_model("cases", "MeasureKind")
    for m in tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))["measure"]:
        kind.objects.get_or_create(
            code=m["code"],
            defaults={
                "name": m["name"],
                "group": m["group"],
                "risk_types": m["risk_types"],
                "needs": m["needs"],
                "outcome": m["outcome"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_measures")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
