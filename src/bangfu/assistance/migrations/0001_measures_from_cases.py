"""The measure catalogue and the measures move from the cases app to this one. The tables stay
as they are here (only Django's state moves: cases/0008 forgets them), and 0002 renames them,
so that a database made before the move keeps every row."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_evaluation_gaps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="MeasureKind",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.SlugField(max_length=32, unique=True, verbose_name="代码")),
                        ("name", models.CharField(max_length=64, verbose_name="措施")),
                        ("group", models.CharField(choices=[("development", "开发式帮扶"), ("protection", "兜底保障")], max_length=12, verbose_name="类别")),
                        ("risk_types", models.JSONField(default=list, verbose_name="针对的风险类型")),
                        ("needs", models.JSONField(default=list, verbose_name="适用条件")),
                        ("outcome", models.CharField(choices=[("amount", "金额（元）"), ("job", "岗位或就业单位"), ("enrolment", "就读学校"), ("loan", "贷款金额（元）"), ("done", "完成情况")], max_length=10, verbose_name="办结记录")),
                        ("active", models.BooleanField(default=True, verbose_name="启用")),
                    ],
                    options={
                        "verbose_name": "帮扶措施目录",
                        "verbose_name_plural": "帮扶措施目录",
                        "ordering": ["group", "code"],
                        "db_table": "cases_measurekind",
                    },
                ),
                migrations.CreateModel(
                    name="Measure",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("reason", models.CharField(blank=True, max_length=255, verbose_name="推荐理由")),
                        ("target", models.CharField(max_length=255, verbose_name="目标")),
                        ("deadline", models.DateField(verbose_name="完成时限")),
                        ("status", models.CharField(choices=[("planned", "待实施"), ("active", "实施中"), ("done", "已完成"), ("cancelled", "已取消")], default="planned", max_length=10, verbose_name="状态")),
                        ("outcome_amount", models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name="金额（元）")),
                        ("outcome_text", models.CharField(blank=True, max_length=255, verbose_name="结果")),
                        ("done_on", models.DateField(blank=True, null=True, verbose_name="办结日期")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("case", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="measures", to="cases.case")),
                        ("created_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("responsible", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="measures", to=settings.AUTH_USER_MODEL)),
                        ("kind", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="assistance.measurekind")),
                    ],
                    options={
                        "verbose_name": "帮扶措施",
                        "verbose_name_plural": "帮扶措施",
                        "ordering": ["deadline", "pk"],
                        "db_table": "cases_measure",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
