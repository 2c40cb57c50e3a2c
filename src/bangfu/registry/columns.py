"""The household spreadsheet: one row per member, grouped by household number.

The same columns serve the import template, the import and the export, so an export imports
back unchanged. Household-level and income columns repeat on each member row of a household;
a later row may leave them blank, but may not contradict the first row.
"""

from __future__ import annotations

from django.db import models

from bangfu.core.tabular.columns import Column
from bangfu.registry.models import (
    Assistance,
    Guarantee,
    Health,
    Labour,
    Relation,
    Schooling,
    WorkPlace,
)


def _code(
    header: str, key: str, level: str, choices: type[models.TextChoices], required: bool = False
) -> Column:
    return Column(header, key, level, "code", required, choices=choices)


COLUMNS: list[Column] = [
    Column(
        "户编号",
        "household_no",
        "household",
        "text",
        True,
        max_length=32,
        note="本县唯一，字母、数字或短横线",
    ),
    Column("村区划代码", "village", "household", "region", True, note="12位统计用区划代码"),
    Column("网格", "grid", "household", "grid", note="网格编号，如 3"),
    Column("家庭住址", "address", "household", "text", max_length=128),
    Column("联系电话", "phone", "household", "phone"),
    Column("原建档立卡脱贫户", "formerly_poor", "household", "bool"),
    _code("低保特困", "assistance", "household", Assistance),
    Column("临时救助", "temporary_relief", "household", "bool"),
    _code("义务教育保障", "education_secured", "household", Guarantee),
    _code("基本医疗保障", "medical_secured", "household", Guarantee),
    _code("住房安全", "housing_secured", "household", Guarantee),
    _code("饮水安全", "water_secured", "household", Guarantee),
    Column("收入年度", "year", "income", "year", note="如 2025；留空则不导入收支"),
    Column("工资性收入", "wage", "income", "money", note="元/年，全户"),
    Column("生产经营性收入", "business", "income", "money", note="元/年，全户，未扣除费用"),
    Column("财产性收入", "property_income", "income", "money"),
    Column("转移性收入", "transfer", "income", "money", note="低保金、养老金、补贴等"),
    Column(
        "其中：政策性收入",
        "policy_income",
        "income",
        "money",
        note="低保金、特困供养金、养老金补贴、公益性岗位工资等，已计入上列收入",
    ),
    Column("生产经营费用", "production_costs", "income", "money"),
    Column("医疗自付支出", "medical_out_of_pocket", "income", "money"),
    Column("教育支出", "schooling_costs", "income", "money"),
    Column("姓名", "name", "member", "text", True, max_length=64),
    Column("身份证号", "id_number", "member", "id", True, note="18位，末位可为X"),
    Column("性别", "sex", "member", "sex", note="可留空，由身份证号推算"),
    Column("出生日期", "birth_date", "member", "date", note="可留空，由身份证号推算"),
    _code("与户主关系", "relation", "member", Relation, required=True),
    _code("健康状况", "health", "member", Health),
    Column(
        "残疾等级",
        "disability_grade",
        "member",
        "int",
        options=("1", "2", "3", "4"),
        note="1-4级，非残疾留空",
    ),
    _code("劳动能力", "labour", "member", Labour),
    _code("在校情况", "schooling", "member", Schooling),
    _code("务工地点", "work_place", "member", WorkPlace),
    Column("务工月数", "work_months", "member", "int", note="0-12"),
    Column("基本医疗保险", "medical_insured", "member", "bool"),
    Column("养老保险", "pension_insured", "member", "bool"),
    Column("成员电话", "member_phone", "member", "phone"),
]

BY_HEADER = {c.header: c for c in COLUMNS}
HOUSEHOLD_COLUMNS = [c for c in COLUMNS if c.level == "household"]
INCOME_COLUMNS = [c for c in COLUMNS if c.level == "income"]
MEMBER_COLUMNS = [c for c in COLUMNS if c.level == "member"]
