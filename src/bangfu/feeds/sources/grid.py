from django.utils.translation import gettext_noop

from bangfu.core.tabular.columns import Column
from bangfu.feeds.sources.base import FeedSpec, choice, money

SPEC = FeedSpec(
    code="grid",
    title=gettext_noop("网格员收入核查"),
    department=gettext_noop("网格员"),
    keyed_by_person=False,
    columns=(
        choice("周期", "kind", ("月度", "季度")),
        money("本期收入", "income"),
        money("本期生产经营费用", "production_costs", required=False),
        Column("家庭人口", "household_size", "feed", "int", True),
    ),
)
