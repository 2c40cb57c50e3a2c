"""Writing the problem ledger: registering a problem, its progress with evidence, the close-out
request, the verification or sending back by the level above, and reopening. Each write owns
its transaction and its audit record; the rules are in `rules`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.audit.models import AuditAction
from bangfu.audit.services import audit_record
from bangfu.cases.attachments import open_stored, stored_upload
from bangfu.cases.models import Case
from bangfu.core.errors import Forbidden, NotFound, Refused
from bangfu.regions.models import Level, Region
from bangfu.registry.models import Household
from bangfu.supervision.models import (
    Problem,
    ProblemCategory,
    ProblemEvidence,
    ProblemStatus,
    ProblemUpdate,
    Source,
    UpdateKind,
)
from bangfu.supervision.rules import (
    sees,
    why_not_closeout,
    why_not_rectify,
    why_not_reopen,
    why_not_verify,
)


def evidence_root() -> Path:
    return Path(settings.HOME) / "problems"


@dataclass
class ProblemIn:
    """What registering a problem takes (a form, the API, a row of an imported list)."""

    source: str
    region_code: str
    category: str
    description: str
    responsible_unit: str
    deadline: dt.date
    source_ref: str = ""
    responsible_person: str = ""
    measures: str = ""
    household_nos: list[str] = field(default_factory=list)
    case_id: int | None = None


def _checked(user: User, data: ProblemIn) -> tuple[Region, list[Household], Case | None]:
    access = access_for(user)
    if not access.may_register_problems:
        raise Forbidden(_("只有考核/审计、县级和乡镇干部可以登记问题"))
    region = access.region_inside(data.region_code)
    if region is None or region.level < Level.COUNTY:
        raise Refused(_("问题所在区划须是您所辖的县、乡镇或村"))
    if data.source not in Source.values:
        raise Refused(_("请选择问题来源"))
    if data.category not in ProblemCategory.values:
        raise Refused(_("请选择问题类别"))
    if not data.description.strip() or not data.responsible_unit.strip():
        raise Refused(_("问题描述和责任单位必须填写"))
    ref = data.source_ref.strip()
    if ref and Problem.objects.filter(source=data.source, source_ref=ref).exists():
        raise Refused(_("该来源编号的问题已登记：%(ref)s") % {"ref": ref})
    households = list(access.filter(Household.objects.filter(household_no__in=data.household_nos)))
    missing = set(data.household_nos) - {h.household_no for h in households}
    outside = [h.household_no for h in households if not region.contains(h.village_id)]
    if missing or outside:
        nos = "、".join(sorted(missing | set(outside)))
        raise Refused(_("农户不在问题所在区划内：%(nos)s") % {"nos": nos})
    case = None
    if data.case_id is not None:
        case = access.filter(Case.objects.filter(pk=data.case_id)).first()
        if case is None or not region.contains(case.household.village_id):
            raise Refused(_("关联的监测帮扶不在问题所在区划内"))
    return region, households, case


def problem_register(*, user: User, data: ProblemIn, today: dt.date | None = None) -> Problem:
    """A problem into the ledger (已登记), with its first history line."""
    today = today or timezone.localdate()
    region, households, case = _checked(user, data)
    with transaction.atomic():
        problem = Problem.objects.create(
            source=data.source,
            source_ref=data.source_ref.strip(),
            region=region,
            category=data.category,
            description=data.description.strip(),
            responsible_unit=data.responsible_unit.strip(),
            responsible_person=data.responsible_person.strip(),
            deadline=data.deadline,
            measures=data.measures.strip(),
            case=case,
            registered_by=user,
            registered_on=today,
        )
        problem.households.set(households)
        _history(problem, user, UpdateKind.REGISTER, today, text=problem.description[:200])
        audit_record(
            actor=user,
            action=AuditAction.CREATE,
            obj=problem,
            region_code=region.code,
            note=f"登记问题（{problem.get_source_display()}）：{problem.description[:100]}",
        )
    return problem


def _history(
    problem: Problem, user: User, kind: str, today: dt.date, *, text: str = "", result: str = ""
) -> ProblemUpdate:
    return ProblemUpdate.objects.create(
        problem=problem, kind=kind, text=text, result=result, by=user, on=today
    )


def _visible(user: User, problem: Problem) -> None:
    if not sees(user, problem):
        raise NotFound


def problem_progress(
    *,
    user: User,
    problem: Problem,
    text: str,
    uploads: Sequence[UploadedFile[bytes]] = (),
    today: dt.date | None = None,
) -> ProblemUpdate:
    """A progress line (整改进展) with its evidence files; the problem is then 整改中. A refused
    file leaves nothing behind, on disk or in the database."""
    today = today or timezone.localdate()
    _visible(user, problem)
    reason = why_not_rectify(user, problem)
    if reason:
        raise Forbidden(reason)
    if not text.strip() and not uploads:
        raise Refused(_("请填写整改进展或上传佐证材料"))
    written: list[Path] = []
    try:
        stored = []
        for upload in uploads:
            path, facts = stored_upload(upload, evidence_root(), str(problem.pk))
            written.append(path)
            stored.append(facts)
        with transaction.atomic():
            update = _history(problem, user, UpdateKind.PROGRESS, today, text=text.strip())
            for facts in stored:
                evidence = ProblemEvidence.objects.create(
                    problem=problem, update=update, uploaded_by=user, **facts
                )
                audit_record(
                    actor=user,
                    action=AuditAction.CREATE,
                    obj=evidence,
                    region_code=problem.region_id,
                    note=f"上传佐证材料：{evidence.filename}",
                )
            problem.status = ProblemStatus.RECTIFYING
            problem.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=user,
                action=AuditAction.UPDATE,
                obj=problem,
                region_code=problem.region_id,
                note=f"整改进展：{text.strip()[:150]}",
            )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return update


def _move(
    *,
    user: User,
    problem: Problem,
    kind: str,
    status: str,
    today: dt.date,
    text: str = "",
    result: str = "",
    note: str,
) -> Problem:
    old = problem.status
    with transaction.atomic():
        _history(problem, user, kind, today, text=text, result=result)
        problem.status = status
        problem.save()
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=problem,
            region_code=problem.region_id,
            changes={"status": [old, status]},
            note=note[:255],
        )
    return problem


def problem_request_closeout(
    *, user: User, problem: Problem, result: str, today: dt.date | None = None
) -> Problem:
    """销号申请: refused without the rectification result and at least one evidence file."""
    today = today or timezone.localdate()
    _visible(user, problem)
    reason = why_not_closeout(user, problem, result=result, evidence=problem.evidence.count())
    if reason:
        raise (Forbidden if why_not_rectify(user, problem) else Refused)(reason)
    problem.result = result.strip()
    return _move(
        user=user,
        problem=problem,
        kind=UpdateKind.CLOSEOUT_REQUEST,
        status=ProblemStatus.CLOSEOUT_REQUESTED,
        today=today,
        result=problem.result,
        note=f"申请销号：{problem.result[:150]}",
    )


def problem_verify(
    *, user: User, problem: Problem, note: str = "", today: dt.date | None = None
) -> Problem:
    """The level above verifies the rectification: the problem is closed (销号) today."""
    today = today or timezone.localdate()
    _visible(user, problem)
    reason = why_not_verify(user, problem)
    if reason:
        raise Forbidden(reason)
    problem.closed_on = today
    return _move(
        user=user,
        problem=problem,
        kind=UpdateKind.VERIFY,
        status=ProblemStatus.CLOSED,
        today=today,
        text=note.strip(),
        note=f"验收销号：{note.strip()[:150]}",
    )


def problem_send_back(
    *, user: User, problem: Problem, reason: str, today: dt.date | None = None
) -> Problem:
    """The level above sends the close-out back, with the reason: rectification again."""
    today = today or timezone.localdate()
    _visible(user, problem)
    refusal = why_not_verify(user, problem)
    if refusal:
        raise Forbidden(refusal)
    if not reason.strip():
        raise Refused(_("退回整改须说明原因"))
    return _move(
        user=user,
        problem=problem,
        kind=UpdateKind.SEND_BACK,
        status=ProblemStatus.RECTIFYING,
        today=today,
        text=reason.strip(),
        note=f"退回整改：{reason.strip()[:150]}",
    )


def problem_reopen(
    *, user: User, problem: Problem, reason: str, today: dt.date | None = None
) -> Problem:
    """A closed problem found again: back to rectification, its history and count kept."""
    today = today or timezone.localdate()
    _visible(user, problem)
    refusal = why_not_reopen(user, problem)
    if refusal:
        raise Forbidden(refusal)
    if not reason.strip():
        raise Refused(_("重新打开须说明原因"))
    problem.reopened += 1
    problem.closed_on = None
    return _move(
        user=user,
        problem=problem,
        kind=UpdateKind.REOPEN,
        status=ProblemStatus.RECTIFYING,
        today=today,
        text=reason.strip(),
        note=f"重新打开：{reason.strip()[:150]}",
    )


def evidence_open(*, user: User, evidence: ProblemEvidence) -> Path:
    """The stored file, for the user to read: each reading is audited."""
    return open_stored(
        user=user,
        obj=evidence,
        root=evidence_root(),
        path=evidence.path,
        region_code=evidence.problem.region_id,
        note=f"查看佐证材料：{evidence.filename}",
    )
