"""The numbers of a region at a glance (county, township or village), each computed by the same
selectors the lists, the case pages and the results export use, so that they agree."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.access import access_for, region_q
from bangfu.accounts.models import User
from bangfu.assistance.models import Measure
from bangfu.assistance.results import results_table
from bangfu.cases.cards import CARD_STAGES
from bangfu.cases.models import Step
from bangfu.cases.selectors import cases_in_scope, overdue_q
from bangfu.core.errors import NotFound
from bangfu.monitoring.models import WarningStatus
from bangfu.monitoring.selectors import warnings_for_user
from bangfu.regions.models import PREFIX_LENGTH, Level, Region
from bangfu.registry.models import Category

SOURCE_NAMES = {
    "income": gettext_lazy("年度收支"),
    "reading": gettext_lazy("网格员核查"),
    "medical": gettext_lazy("医保"),
    "civil": gettext_lazy("民政"),
    "housing": gettext_lazy("住建"),
    "water": gettext_lazy("水利"),
    "education": gettext_lazy("教育"),
    "hr": gettext_lazy("人社"),
    "disability": gettext_lazy("残联"),
    "emergency": gettext_lazy("应急"),
    "police": gettext_lazy("公安"),
    "registry": gettext_lazy("农户信息"),
    "model": gettext_lazy("脆弱性模型"),
}


def dashboard_region(*, user: User, code: str = "") -> Region:
    """The region to show: the user's own, or one inside it (drill-down); 404 outside."""
    access = access_for(user)
    if access.region is None or not access.may_read_registry:
        raise NotFound
    if not code:
        return access.region
    region = access.region_inside(code)
    if region is None:
        raise NotFound
    return region


def dashboard(*, user: User, region: Region, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    inside = region_q("household__village__code", region)
    cases = cases_in_scope(user=user).filter(inside)
    monitored = cases.filter(stage__in=CARD_STAGES)
    by_category = Counter(
        dict(monitored.values_list("household__category").annotate(n=Count("id")).order_by())
    )
    risks: Counter[str] = Counter()
    for risk_types in monitored.values_list("risk_types", flat=True):
        risks.update(risk_types)
    pending = warnings_for_user(user=user).filter(inside, status=WarningStatus.NEW, watch=False)
    sources: Counter[str] = Counter()
    for source, n in pending.values_list("source").annotate(n=Count("id")).order_by():
        sources[str(SOURCE_NAMES.get(source, source or _("其他")))] += n
    steps = Step.objects.filter(
        case__in=cases, action__in=["county_approve", "exit_county_approve"]
    )
    flow: dict[str, dict[str, int]] = {}
    for row in (
        steps.annotate(month=TruncMonth("at")).values("month", "action").annotate(n=Count("id"))
    ):
        month = f"{row['month']:%Y-%m}"
        key = "entries" if row["action"] == "county_approve" else "exits"
        flow.setdefault(month, {"entries": 0, "exits": 0})[key] += row["n"]
    measures: dict[str, dict[str, int]] = {}
    for kind_name, status, n in (
        Measure.objects.filter(case__in=cases)
        .values_list("kind__name", "status")
        .annotate(n=Count("id"))
        .order_by("kind__name")
    ):
        measures.setdefault(kind_name, {})[status] = n
    children = []
    if region.level < Level.VILLAGE:
        # one grouped count per figure: by the child region's prefix of the village code
        length = PREFIX_LENGTH[region.level + 1]

        def by_child(qs: QuerySet[Any]) -> dict[str, int]:
            grouped = qs.annotate(child=Substr("household__village_id", 1, length))
            return dict(grouped.values_list("child").annotate(n=Count("id")).order_by())

        opened = by_child(cases.filter(closed_at__isnull=True))
        watched = by_child(monitored)
        waiting = by_child(pending)
        for child in Region.objects.filter(parent=region).order_by("code"):
            key = child.prefix
            if opened.get(key) or waiting.get(key):
                children.append(
                    {"code": child.code, "name": child.name, "monitored": watched.get(key, 0)}
                    | {"open": opened.get(key, 0), "pending": waiting.get(key, 0)}
                )
    kinds, rows = results_table(user=user, year=today.year, prefix=region.prefix)
    return {
        "region": {"code": region.code, "name": region.name, "level": int(region.level)},
        "monitored": monitored.count(),
        "by_category": {
            str(Category(value).label): by_category.get(value, 0)
            for value in Category.values
            if value
        },
        "by_risk": dict(risks.most_common()),
        "pending_warnings": pending.count(),
        "pending_by_source": dict(sources.most_common()),
        "overdue_steps": cases.filter(overdue_q(today)).count(),
        "flow": dict(sorted(flow.items())),
        "measures": measures,
        "results": {
            "year": today.year,
            "kinds": [k.name for k in kinds],
            "total": {k.name: rows[-1].cells.get(k.code, (0, 0))[0] for k in kinds} if rows else {},
        },
        "children": children,
    }
