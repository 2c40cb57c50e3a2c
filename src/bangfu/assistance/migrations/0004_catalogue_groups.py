"""The catalogue's groups as the guidance uses them: 兜底保障 is 低保、特困、临时救助 only; education,
medical, housing and water measures have their own 保障 groups; 雨露计划 is the support of
中职/高职 students; 以工代赈 is added. Existing catalogues are regrouped by code (a county's own
entries keep their group), so a database made before migrates with its measures intact."""

import tomllib
from pathlib import Path

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

REGROUP = {
    "education_aid": "education",
    "yulu": "education",
    "medical_aid": "medical",
    "disability_aid": "welfare",
    "housing_renovation": "housing",
    "water_project": "water",
    "elderly_care": "welfare",
}
CATALOGUE = Path(__file__).resolve().parents[1] / "catalogue.toml"


def regroup(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    kind = apps.get_model("assistance", "MeasureKind")
    for code, group in REGROUP.items():
        kind.objects.filter(code=code, group="protection").update(group=group)
    kind.objects.filter(code="yulu", name="雨露计划与助学金（高中、中职、大学）").update(
        name="雨露计划（中职、高职在读学生补助）与助学金"
    )
    shipped = {m["code"]: m for m in tomllib.loads(CATALOGUE.read_text("utf-8"))["measure"]}
    m = shipped["work_relief"]
    kind.objects.get_or_create(
        code="work_relief",
        defaults={k: m[k] for k in ("name", "group", "risk_types", "needs", "outcome")},
    )


def back(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    kind = apps.get_model("assistance", "MeasureKind")
    measure = apps.get_model("assistance", "Measure")
    # 以工代赈 goes again unless a plan uses it (then it stays, as the county's own entry)
    kind.objects.filter(code="work_relief").exclude(
        pk__in=measure.objects.values("kind_id")
    ).delete()
    kind.objects.filter(code__in=REGROUP, group__in=set(REGROUP.values())).update(
        group="protection"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('assistance', '0003_measure_provisional'),
    ]

    operations = [
        migrations.AlterField(
            model_name='measurekind',
            name='group',
            field=models.CharField(choices=[('development', '开发式帮扶'), ('protection', '兜底保障'), ('education', '教育保障'), ('medical', '医疗保障'), ('housing', '住房安全保障'), ('water', '饮水安全保障'), ('welfare', '社会保障与关爱服务')], max_length=12, verbose_name='类别'),
        ),
        migrations.RunPython(regroup, back),
    ]
