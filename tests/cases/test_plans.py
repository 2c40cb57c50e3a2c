"""One household, one plan: proposals from the catalogue with their reasons, a plan confirmed
by a cadre, measures carried out and recorded by the responsible person, who sees only the
households they assist; the county edits the catalogue."""

import datetime as dt

import pytest
from django.urls import reverse

from bangfu.assistance.models import Measure, MeasureKind
from bangfu.assistance.selectors import measures_propose
from bangfu.assistance.services import measure_update, plan_confirm
from bangfu.cases.models import Case, Channel, Stage
from bangfu.core.errors import NotFound, Refused
from tests.conftest import KEYS, household_rows

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)
LATER = dt.date(2027, 3, 31)


def case_for(household, risks, stage=Stage.MONITORING):
    return Case.objects.create(
        household=household, channel=Channel.VISIT, stage=stage, risk_types=risks, category="sudden"
    )


@pytest.fixture
def families(make_households):
    able = household_rows("H-ABLE")
    for r in able[2:]:  # the children
        r[KEYS.index("labour")] = "无劳动力"
    frail = household_rows("H-FRAIL", size=2)
    for r in frail:
        r[KEYS.index("labour")] = "丧失劳动力"
        r[KEYS.index("health")] = "长期慢性病"
    return dict(zip(["able", "frail"], make_households(able, frail), strict=True))


def codes(proposals):
    return [p.kind.code for p in proposals]


def test_proposals_follow_risks_and_labour_with_reasons(families):
    able = measures_propose(case=case_for(families["able"], ["收入骤减或支出骤增"]), today=TODAY)
    assert {"industry", "migrant_work", "microcredit"} <= set(codes(able))
    assert "dibao" not in codes(able)  # able to work: development, not 兜底
    assert able[0].kind.group == "development"
    industry = next(p for p in able if p.kind.code == "industry")
    assert "收入骤减或支出骤增" in industry.reason and "家中有劳动力（2人）" in industry.reason

    frail = measures_propose(case=case_for(families["frail"], ["因病", "缺劳动力"]), today=TODAY)
    assert {"dibao", "medical_aid"} <= set(codes(frail))
    assert not {"industry", "migrant_work", "microcredit"} & set(codes(frail))
    assert frail[0].kind.group == "protection"
    assert (
        "有慢性病或大病成员（2人）" in next(p for p in frail if p.kind.code == "medical_aid").reason
    )


def test_a_deactivated_catalogue_entry_is_no_longer_proposed(families, client, people):
    case = case_for(families["able"], ["收入骤减或支出骤增"])
    kind = MeasureKind.objects.get(code="microcredit")
    client.force_login(people["village"])  # only the county edits the catalogue
    assert client.post(reverse("catalogue"), {"kind": kind.pk}).status_code == 404
    client.force_login(people["county"])
    form = {
        f"k{kind.pk}-{k}": v
        for k, v in {"name": kind.name, "group": kind.group, "outcome": kind.outcome}.items()
    }
    form |= {f"k{kind.pk}-risk_types": kind.risk_types, f"k{kind.pk}-needs": kind.needs}
    client.post(reverse("catalogue"), {"kind": kind.pk, **form})  # "active" unticked
    assert MeasureKind.objects.get(pk=kind.pk).active is False
    assert "microcredit" not in codes(measures_propose(case=case, today=TODAY))


def item(kind, who, **kw):
    return {"kind": kind, "responsible": who.pk, "target": "年增收3000元", "deadline": LATER} | kw


def test_plan_is_confirmed_by_a_cadre_all_or_nothing(families, people):
    case = case_for(families["able"], ["收入骤减或支出骤增"])
    helper, village = people["helper"], people["village"]
    with pytest.raises(Refused, match="帮扶责任人"):  # a cadre of another village
        plan_confirm(
            user=village,
            case=case,
            items=[item("industry", helper), item("training", people["neighbour"])],
            today=TODAY,
        )
    assert not Measure.objects.exists()
    with pytest.raises(Refused, match="完成时限"):
        plan_confirm(
            user=village,
            case=case,
            items=[item("industry", helper, deadline=TODAY - dt.timedelta(1))],
            today=TODAY,
        )
    with pytest.raises(Refused, match="只有村干部或乡镇干部"):
        plan_confirm(user=helper, case=case, items=[item("industry", helper)], today=TODAY)
    with pytest.raises(NotFound):
        plan_confirm(user=people["neighbour"], case=case, items=[item("industry", helper)])
    lead = case_for(families["frail"], ["因病"], stage=Stage.LEAD)
    with pytest.raises(Refused, match="纳入监测后"):
        plan_confirm(user=village, case=lead, items=[item("dibao", helper)], today=TODAY)
    made = plan_confirm(
        user=village,
        case=case,
        items=[item("industry", helper, reason="推荐"), item("migrant_work", village)],
        today=TODAY,
    )
    assert [(m.kind.code, m.responsible.username, m.status) for m in made] == [
        ("industry", "helper", "planned"),
        ("migrant_work", "village", "planned"),
    ]


def test_the_responsible_person_sees_their_households_and_records_outcomes(
    families, people, client
):
    case = case_for(families["able"], ["收入骤减或支出骤增"])
    helper = people["helper"]
    client.force_login(helper)
    assert client.get(reverse("households")).context["page"].paginator.count == 0
    (industry, job) = plan_confirm(
        user=people["village"],
        case=case,
        items=[item("industry", helper), item("migrant_work", helper)],
        today=TODAY,
    )
    listed = {h.household_no for h in client.get(reverse("households")).context["page"]}
    assert listed == {"H-ABLE"}  # not H-FRAIL, which they do not assist
    tasks = client.get(reverse("my_tasks")).content.decode()
    assert "产业帮扶" in tasks and "H-ABLE" in tasks
    with pytest.raises(Refused, match="金额"):
        measure_update(user=helper, measure=industry, status="done", amount="")
    with pytest.raises(Refused, match="岗位"):
        measure_update(user=helper, measure=job, status="done", text="")
    with pytest.raises(Refused, match="帮扶责任人或村干部"):
        measure_update(user=people["grid"], measure=industry, status="active")
    client.post(reverse("measure_update", args=[industry.pk]), {"status": "done", "amount": "3500"})
    client.post(reverse("measure_update", args=[job.pk]), {"status": "done", "text": "太原某厂"})
    industry.refresh_from_db()
    job.refresh_from_db()
    assert industry.status == "done" and industry.outcome_amount == 3500 and industry.done_on
    assert job.outcome_text == "太原某厂"
    with pytest.raises(Refused, match="已办结"):
        measure_update(user=helper, measure=industry, status="active")


def test_plan_form_on_the_case_page(families, people, client):
    case = case_for(families["able"], ["收入骤减或支出骤增"])
    client.force_login(people["village"])
    page = client.get(reverse("case", args=[case.pk])).content.decode()
    assert "制定帮扶计划" in page and "推荐理由" in page
    helper = people["helper"]
    r = client.post(
        reverse("plan_confirm", args=[case.pk]),
        {
            "rows": "1",
            "pick_0": "1",
            "kind_0": "industry",
            "responsible_0": helper.pk,
            "target_0": "发展养殖",
            "deadline_0": "2099-12-31",
            "reason_0": "风险类型：收入骤减或支出骤增",
            "kind_1": "training",  # the free row, not ticked: ignored
        },
    )
    assert r.status_code == 302
    (m,) = Measure.objects.filter(case=case)
    assert m.kind.code == "industry" and m.target == "发展养殖" and m.responsible == helper


def test_the_catalogue_groups_as_the_guidance_does(families):
    """兜底保障 is 低保、特困、临时救助 only; education, medical, housing and water have their own
    保障 groups; 以工代赈 is a development measure for households able to work."""
    groups = dict(MeasureKind.objects.values_list("code", "group"))
    assert {c for c, g in groups.items() if g == "protection"} == {"dibao", "temporary_relief"}
    assert groups["medical_aid"] == "medical" and groups["yulu"] == "education"
    assert groups["housing_renovation"] == "housing" and groups["water_project"] == "water"
    assert groups["work_relief"] == "development"
    able = measures_propose(case=case_for(families["able"], ["其他"]), today=TODAY)
    assert "work_relief" in codes(able)
    frail = measures_propose(case=case_for(families["frail"], ["其他"]), today=TODAY)
    assert "work_relief" not in codes(frail)  # nobody there can work
