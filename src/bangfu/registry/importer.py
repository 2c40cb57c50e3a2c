"""Importing households from the spreadsheet: validate everything, then write everything.

On any invalid row nothing is written, unless `skip_invalid` is set, in which case the
households with an invalid row are left out and their rows are returned with the reasons.
Importing the same file twice changes nothing: households upsert by household number,
members by the keyed hash of their ID number, incomes by household and year.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bangfu.accounts.access import code_in
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_event, audit_save
from bangfu.core.crypto import decrypt, encrypt, lookup_hash
from bangfu.core.idcard import IdNumber, mask_phone
from bangfu.core.progress import Every, Progress, silent
from bangfu.core.tabular.parsing import RowError, row_values
from bangfu.core.tabular.reasons import Reason
from bangfu.core.tabular.sheets import Table
from bangfu.regions.models import Grid, Level, Region
from bangfu.registry.columns import BY_HEADER, COLUMNS
from bangfu.registry.models import Household, IncomeRecord, Member, Relation

CHUNK = 900  # stays under every database's limit on query parameters
# a household's monitoring category is its case's (assistance/onboarding.py imports the caseload)
CASE_HEADERS = ("监测类别", "监测对象类别")
# A number held in another region: one reason for households and people, which says no more
# than that (not whose, not where); a refusal cannot help showing that the number is taken
OUTSIDE_SCOPE = gettext_noop("不在本辖区，无法导入；如需迁入请联系县级管理员")


@dataclass
class ImportReport:
    encoding: str = ""
    rows: int = 0
    households_created: int = 0
    households_updated: int = 0
    members_created: int = 0
    members_updated: int = 0
    members_removed: int = 0
    incomes_created: int = 0
    incomes_updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejected_rows: list[tuple[list[str], list[RowError]]] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return _(
            "新增 {households_created} 户、{members_created} 人；"
            "更新 {households_updated} 户、{members_updated} 人；"
            "移出 {members_removed} 人；"
            "收支新增 {incomes_created} 条、更新 {incomes_updated} 条；"
            "无变化 {unchanged} 条"
        ).format(
            households_created=self.households_created,
            members_created=self.members_created,
            households_updated=self.households_updated,
            members_updated=self.members_updated,
            members_removed=self.members_removed,
            incomes_created=self.incomes_created,
            incomes_updated=self.incomes_updated,
            unchanged=self.unchanged,
        )


@dataclass
class _Row:
    number: int
    cells: list[str]
    values: dict[str, Any]


@dataclass
class _Group:
    household_no: str
    rows: list[_Row]
    household: dict[str, Any]
    income: dict[str, Any] | None


def _parse_rows(
    table: Table, today: dt.date, progress: Progress = silent
) -> tuple[list[_Row], list[RowError]]:
    errors: list[RowError] = []
    index: dict[str, int] = {}
    for i, h in enumerate(table.headers):
        if h in CASE_HEADERS:
            errors.append(
                RowError(
                    1,
                    h,
                    Reason(
                        gettext_noop(
                            "监测对象类别由监测帮扶决定，不在农户信息中导入：请删除此列，"
                            "存量监测对象用“监测对象导入”（bangfu import monitoring）导入"
                        )
                    ),
                )
            )
        elif h in BY_HEADER:
            if h in index:
                errors.append(RowError(1, h, Reason(gettext_noop("表头重复"))))
            index[h] = i
        elif h:
            errors.append(RowError(1, h, Reason(gettext_noop("无法识别的列名，请使用导入模板"))))
    for col in COLUMNS:
        if col.required and col.header not in index:
            errors.append(RowError(1, col.header, Reason(gettext_noop("缺少必填列"))))
    if errors:
        return [], errors
    rows: list[_Row] = []
    present = [(col, index[col.header]) for col in COLUMNS if col.header in index]
    every = Every(progress, _("逐行校验"), len(table.rows))
    for n, cells in enumerate(table.rows, start=2):
        every.tick(n - 1)
        if not any(cells):
            continue
        values, cell_errors = row_values(present, cells, n, today=today)
        errors += cell_errors
        rows.append(_Row(n, cells, values))
    return rows, errors


def _member_checks(row: _Row) -> Iterator[RowError]:
    v = row.values
    ident: IdNumber | None = v.get("id_number")
    if ident is not None:
        if "sex" in v and v["sex"] != ident.sex:
            yield RowError(row.number, "性别", Reason(gettext_noop("与身份证号推算的性别不符")))
        if "birth_date" in v and v["birth_date"] != ident.birth_date:
            yield RowError(
                row.number, "出生日期", Reason(gettext_noop("与身份证号中的出生日期不符"))
            )
    health = v.get("health")
    if "disability_grade" in v and health != "disabled":
        yield RowError(
            row.number, "残疾等级", Reason(gettext_noop("填写了残疾等级，健康状况应为“残疾”"))
        )
    if health == "disabled" and "disability_grade" not in v:
        yield RowError(
            row.number, "残疾等级", Reason(gettext_noop("健康状况为“残疾”时必须填写残疾等级"))
        )
    if v.get("work_months", 0) > 0 and v.get("work_place", "none") == "none":
        yield RowError(
            row.number, "务工地点", Reason(gettext_noop("填写了务工月数，务工地点不能为“未务工”"))
        )


_GROUP_KEYS = [c for c in COLUMNS if c.level in ("household", "income")]


def _group(rows: list[_Row]) -> tuple[list[_Group], list[RowError]]:
    errors: list[RowError] = []
    groups: dict[str, _Group] = {}
    first_cells: dict[str, dict[str, str]] = {}
    for row in rows:
        no = row.values.get("household_no")
        if no is None:
            continue
        errors.extend(_member_checks(row))
        g = groups.get(no)
        if g is None:
            g = groups[no] = _Group(no, [], {}, None)
            first_cells[no] = {}
        g.rows.append(row)
        seen = first_cells[no]
        for col in _GROUP_KEYS:
            if col.key not in row.values:
                continue
            text = str(row.values[col.key])
            if col.key in seen and seen[col.key] != text:
                errors.append(
                    RowError(
                        row.number,
                        col.header,
                        Reason(gettext_noop("与本户第{n}行填写的不一致"), n=g.rows[0].number),
                    )
                )
            elif col.key not in seen:
                seen[col.key] = text
                target = g.household if col.level == "household" else (g.income or {})
                target[col.key] = row.values[col.key]
                if col.level == "income":
                    g.income = target
    for g in groups.values():
        heads = [r for r in g.rows if r.values.get("relation") == Relation.HEAD]
        if len(heads) != 1:
            reason = Reason(
                gettext_noop("本户没有户主") if not heads else gettext_noop("本户有多个户主")
            )
            errors.append(RowError(g.rows[0].number, "与户主关系", reason))
        if "village" not in g.household:
            errors.append(
                RowError(
                    g.rows[0].number, "村区划代码", Reason(gettext_noop("本户未填写村区划代码"))
                )
            )
        if g.income is not None and "year" not in g.income:
            errors.append(
                RowError(
                    g.rows[0].number,
                    "收入年度",
                    Reason(gettext_noop("填写了收支金额，但未填写收入年度")),
                )
            )
        if g.income is not None and "policy_income" in g.income:
            errors.extend(_policy_income_check(g))
    seen_ids: dict[str, int] = {}
    for row in rows:
        ident = row.values.get("id_number")
        if ident is None:
            continue
        if ident.value in seen_ids:
            errors.append(
                RowError(
                    row.number,
                    "身份证号",
                    Reason(gettext_noop("与第{n}行的身份证号重复"), n=seen_ids[ident.value]),
                )
            )
        else:
            seen_ids[ident.value] = row.number
    return list(groups.values()), errors


def _policy_income_check(g: _Group) -> Iterator[RowError]:
    """政策性收入 is part of the income columns beside it, so it cannot exceed their sum (a
    blank cell is 0, as it is written)."""
    assert g.income is not None
    total = sum(
        (g.income.get(k, Decimal(0)) for k in ("wage", "business", "property_income", "transfer")),
        Decimal(0),
    )
    if g.income["policy_income"] > total:
        number = next(r.number for r in g.rows if "policy_income" in r.values)
        yield RowError(
            number,
            "其中：政策性收入",
            Reason(
                gettext_noop("政策性收入（{policy}元）不能超过四项收入之和（{total}元）"),
                policy=str(g.income["policy_income"]),
                total=str(total),
            ),
        )


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _scope_checks(
    groups: list[_Group], scope_prefix: str
) -> tuple[dict[str, Household], dict[str, Member], list[RowError]]:
    """Villages must exist and lie in scope; numbers and IDs held outside scope are refused."""
    errors: list[RowError] = []
    codes = sorted({g.household["village"] for g in groups if "village" in g.household})
    villages: set[str] = set()
    for part in _chunks(codes):
        villages |= set(
            Region.objects.filter(code__in=part, level=Level.VILLAGE).values_list("code", flat=True)
        )
    for g in groups:
        code = g.household.get("village")
        if code is None:
            continue
        if code not in villages:
            errors.append(
                RowError(
                    g.rows[0].number,
                    "村区划代码",
                    Reason(gettext_noop("区划代码不存在或不是村级，请先载入区划")),
                )
            )
        elif not code_in(code, scope_prefix):
            errors.append(
                RowError(
                    g.rows[0].number, "村区划代码", Reason(gettext_noop("该村不在您的管辖范围内"))
                )
            )

    existing: dict[str, Household] = {}
    for part in _chunks([g.household_no for g in groups]):
        existing.update(
            (h.household_no, h) for h in Household.objects.filter(household_no__in=part)
        )
    for g in groups:
        h = existing.get(g.household_no)
        if h is not None and not code_in(h.village_id, scope_prefix):
            errors.append(RowError(g.rows[0].number, "户编号", Reason(OUTSIDE_SCOPE)))

    hashes = {
        lookup_hash(r.values["id_number"].value): r
        for g in groups
        for r in g.rows
        if "id_number" in r.values
    }
    members: dict[str, Member] = {}
    for part in _chunks(list(hashes)):
        members.update(
            (m.id_hash, m)
            for m in Member.objects.filter(id_hash__in=part).select_related("household")
        )
    for digest, m in members.items():
        if not code_in(m.household.village_id, scope_prefix):
            errors.append(RowError(hashes[digest].number, "身份证号", Reason(OUTSIDE_SCOPE)))
    return existing, members, errors


HOUSEHOLD_FIELDS = [
    "village_id",
    "grid_id",
    "address",
    "formerly_poor",
    "assistance",
    "temporary_relief",
    "education_secured",
    "medical_secured",
    "housing_secured",
    "water_secured",
]
MEMBER_FIELDS = [
    "household_id",
    "name",
    "relation",
    "sex",
    "birth_date",
    "health",
    "disability_grade",
    "labour",
    "schooling",
    "work_place",
    "work_months",
    "medical_insured",
    "pension_insured",
]
INCOME_FIELDS = [
    "household_size",
    "wage",
    "business",
    "property_income",
    "transfer",
    "policy_income",
    "production_costs",
    "medical_out_of_pocket",
    "schooling_costs",
]
_DEFAULTS = {
    f.name: f.get_default() for m in (Household, Member, IncomeRecord) for f in m._meta.fields
}


def _value(values: dict[str, Any], key: str) -> Any:
    return values[key] if key in values else _DEFAULTS.get(key)


def _apply(obj: Any, new: dict[str, Any]) -> dict[str, list[Any]]:
    """Set the fields that differ; return {field: [old, new]} in JSON-safe form."""
    changes: dict[str, list[Any]] = {}
    for name, value in new.items():
        old = getattr(obj, name)
        if old != value:
            changes[name] = [_jsonable(old), _jsonable(value)]
            setattr(obj, name, value)
    return changes


def _jsonable(v: Any) -> Any:
    if isinstance(v, Decimal | dt.date):
        return str(v)
    return v


def _phone_change(obj: Any, field_name: str, phone: str | None) -> dict[str, list[Any]]:
    current = getattr(obj, field_name)
    old = decrypt(current) if current else ""
    new = phone or ""
    if old == new:
        return {}
    setattr(obj, field_name, encrypt(new) if new else "")
    return {field_name.removesuffix("_enc"): [mask_phone(old), mask_phone(new)]}


def households_import(
    *,
    table: Table,
    actor: Any,
    scope_prefix: str,
    skip_invalid: bool = False,
    today: dt.date | None = None,
    progress: Progress = silent,
) -> ImportReport:
    """Validate the table and, when it is clean (or `skip_invalid`), upsert it.

    `scope_prefix` is the division-code prefix the actor may write ("" for the whole database:
    the CLI runs with county-administrator rights). `progress` hears each stage.
    """
    today = today or dt.date.today()
    report = ImportReport(encoding=table.encoding, rows=sum(1 for r in table.rows if any(r)))
    rows, errors = _parse_rows(table, today, progress)
    groups, group_errors = _group(rows)
    errors += group_errors
    progress(_("核对管辖范围和已有记录"), 0, 0)
    existing, members, scope_errors = _scope_checks(groups, scope_prefix)
    errors += scope_errors
    errors.sort(key=lambda e: (e.row, e.column))
    report.errors = errors
    if errors and not (skip_invalid and rows):
        return report
    if errors:
        bad_rows = {e.row for e in errors}
        bad_groups = {g.household_no for g in groups if any(r.number in bad_rows for r in g.rows)}
        by_row: dict[int, list[RowError]] = defaultdict(list)
        for e in errors:
            by_row[e.row].append(e)
        report.rejected_rows = [
            (r.cells, by_row.get(r.number, []))
            for g in groups
            if g.household_no in bad_groups
            for r in g.rows
        ] + [(r.cells, by_row[r.number]) for r in rows if "household_no" not in r.values]
        groups = [g for g in groups if g.household_no not in bad_groups]
    try:
        with transaction.atomic():
            _write(groups, existing, members, actor, report, progress)
    except IntegrityError:
        # another import wrote the same households or people after this one read them (two
        # uploads of one file): read them again and write only what still differs
        _counts_reset(report)
        existing, members, scope_errors = _scope_checks(groups, scope_prefix)
        if scope_errors:
            report.errors = sorted(scope_errors, key=lambda e: (e.row, e.column))
            return report
        with transaction.atomic():
            _write(groups, existing, members, actor, report, progress)
    report.written = True
    return report


def _counts_reset(report: ImportReport) -> None:
    for name in (
        "households_created",
        "households_updated",
        "members_created",
        "members_updated",
        "members_removed",
        "incomes_created",
        "incomes_updated",
        "unchanged",
    ):
        setattr(report, name, 0)


def _write(
    groups: list[_Group],
    existing: dict[str, Household],
    members: dict[str, Member],
    actor: Any,
    report: ImportReport,
    progress: Progress = silent,
) -> None:
    events = []
    progress(_("写入农户"), 0, len(groups))
    # Creations are audited once per household: the household, its new members, its new income.
    added: dict[int, dict[str, list[Any]]] = defaultdict(dict)
    grids = _ensure_grids(groups)

    new_households, changed_households = [], []
    for g in groups:
        hv = g.household
        h = existing.get(g.household_no)
        given = {k: hv[k] for k in HOUSEHOLD_FIELDS if k in hv}
        given["village_id"] = hv["village"]
        if "grid" in hv:
            given["grid_id"] = grids[(hv["village"], hv["grid"])].pk
        if h is None:
            defaults = {
                k: _value(hv, k) for k in HOUSEHOLD_FIELDS if k not in ("village_id", "grid_id")
            }
            h = Household(household_no=g.household_no, **(defaults | given))
            _phone_change(h, "phone_enc", hv.get("phone"))
            new_households.append(h)
            existing[g.household_no] = h
        else:
            # a blank or absent cell changes nothing: only what the file says is written
            changes = _apply(h, given)
            if "phone" in hv:
                changes |= _phone_change(h, "phone_enc", hv["phone"])
            if changes:
                changed_households.append(h)
                events.append(_event(actor, AuditAction.UPDATE, h, h.village_id, changes))
            else:
                report.unchanged += 1
    Household.objects.bulk_create(new_households, batch_size=2000)
    Household.objects.bulk_update(
        changed_households, [*HOUSEHOLD_FIELDS, "phone_enc", "updated_at"], batch_size=2000
    )
    for h in new_households:
        added[h.pk]["household_no"] = [None, h.household_no]
    report.households_created = len(new_households)
    report.households_updated = len(changed_households)

    new_members, changed_members = [], []
    listed: set[str] = set()
    every = Every(progress, _("写入家庭成员"), len(groups))
    for done, g in enumerate(groups, start=1):
        every.tick(done)
        h = existing[g.household_no]
        for r in g.rows:
            v = r.values
            ident: IdNumber = v["id_number"]
            given = {k: v[k] for k in MEMBER_FIELDS if k in v}
            given.update(household_id=h.pk, sex=ident.sex, birth_date=ident.birth_date)
            if given.get("health", "disabled") != "disabled":
                given["disability_grade"] = None  # no longer disabled: no grade
            digest = lookup_hash(ident.value)
            listed.add(digest)
            m = members.get(digest)
            if m is None:
                fields = {k: _value(v, k) for k in MEMBER_FIELDS} | given
                m = Member(
                    id_enc=encrypt(ident.value),
                    id_hash=digest,
                    id_tail=ident.tail,
                    id_area=ident.value[:4],
                    **fields,
                )
                _phone_change(m, "phone_enc", v.get("member_phone"))
                new_members.append(m)
            else:
                changes = _apply(m, given)
                if "member_phone" in v:
                    changes |= _phone_change(m, "phone_enc", v["member_phone"])
                if changes:
                    changed_members.append(m)
                    events.append(_event(actor, AuditAction.UPDATE, m, h.village_id, changes))
                else:
                    report.unchanged += 1
    Member.objects.bulk_create(new_members, batch_size=2000)
    Member.objects.bulk_update(
        changed_members, [*MEMBER_FIELDS, "phone_enc", "updated_at"], batch_size=2000
    )
    for m in new_members:
        added[m.household_id].setdefault("members", [None, []])[1].append(f"{m.name} {m.id_masked}")
    report.members_created = len(new_members)
    report.members_updated = len(changed_members)
    # A household in the file has exactly the members the file lists: the others leave it.
    kept = [existing[g.household_no].pk for g in groups if g.household_no in existing]
    gone: list[Member] = []
    for part in _chunks(kept):
        gone += [m for m in Member.objects.filter(household_id__in=part) if m.id_hash not in listed]
    village_of = {h.pk: h.village_id for h in existing.values()}
    for m in gone:
        events.append(
            _event(
                actor,
                AuditAction.DELETE,
                m,
                village_of[m.household_id],
                {"member": [f"{m.name} {m.id_masked}", None]},
            )
        )
    Member.objects.filter(pk__in=[m.pk for m in gone]).delete()
    report.members_removed = len(gone)

    progress(_("写入收支"), 0, 0)
    _write_incomes(groups, existing, actor, report, events, added)
    progress(_("写入审计记录"), 0, len(events) + len(added))
    created = {h.pk for h in new_households}
    for pk, changes in added.items():
        events.append(
            audit_event(
                actor=actor,
                action=AuditAction.CREATE if pk in created else AuditAction.UPDATE,
                object_type="household",
                object_id=str(pk),
                region_code=village_of[pk],
                changes=changes,
            )
        )
    audit_save(events)


def _ensure_grids(groups: list[_Group]) -> dict[tuple[str, int], Grid]:
    wanted = {
        (g.household["village"], g.household["grid"]) for g in groups if "grid" in g.household
    }
    grids: dict[tuple[str, int], Grid] = {}
    villages = sorted({v for v, _ in wanted})
    for part in _chunks(villages):
        grids.update(
            ((g.village_id, g.number), g) for g in Grid.objects.filter(village_id__in=part)
        )
    missing = [
        Grid(village_id=v, number=n, name=f"第{n}网格") for v, n in wanted if (v, n) not in grids
    ]
    Grid.objects.bulk_create(missing, batch_size=2000)
    grids.update(((g.village_id, g.number), g) for g in missing)
    return grids


def _write_incomes(
    groups: list[_Group],
    households: dict[str, Household],
    actor: Any,
    report: ImportReport,
    events: list[Any],
    added: dict[int, dict[str, list[Any]]],
) -> None:
    with_income = [g for g in groups if g.income is not None]
    if not with_income:
        return
    ids = [households[g.household_no].pk for g in with_income]
    sizes: dict[int, int] = {}
    current: dict[tuple[int, int], IncomeRecord] = {}
    for part in _chunks(ids):
        sizes.update(
            Member.objects.filter(household_id__in=part)
            .values("household_id")
            .annotate(n=Count("id"))
            .values_list("household_id", "n")
        )
        current.update(
            ((r.household_id, r.year), r)
            for r in IncomeRecord.objects.filter(household_id__in=part)
        )
    new, changed = [], []
    for g in with_income:
        h = households[g.household_no]
        assert g.income is not None
        fields = {k: _value(g.income, k) for k in INCOME_FIELDS if k != "household_size"}
        rec = current.get((h.pk, g.income["year"]))
        if rec is None:
            # the size of the year is the household's size when its income is first recorded
            rec = IncomeRecord(
                household_id=h.pk, year=g.income["year"], household_size=sizes[h.pk], **fields
            )
            new.append(rec)
        elif changes := _apply(rec, fields):
            changed.append(rec)
            events.append(_event(actor, AuditAction.UPDATE, rec, h.village_id, changes))
        else:
            report.unchanged += 1
    IncomeRecord.objects.bulk_create(new, batch_size=2000)
    IncomeRecord.objects.bulk_update(changed, INCOME_FIELDS, batch_size=2000)
    for rec in new:
        added[rec.household_id][f"income_{rec.year}"] = [None, str(rec.per_capita_net)]
    report.incomes_created = len(new)
    report.incomes_updated = len(changed)


def _event(
    actor: Any, action: AuditAction, obj: Any, region: str, changes: dict[str, list[Any]]
) -> Any:
    return audit_event(
        actor=actor,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        region_code=region,
        changes=changes,
    )


def rejected_table(
    report: ImportReport, headers: Iterable[str]
) -> tuple[list[str], list[list[str]]]:
    """The rejected rows as they came, with a last column giving the reasons."""
    head = [*headers, "错误原因"]
    rows = [
        [*cells, "；".join(f"{e.column}：{e.reason}" for e in errs)]
        for cells, errs in report.rejected_rows
    ]
    return head, rows
