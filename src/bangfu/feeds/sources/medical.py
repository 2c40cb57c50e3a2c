from django.utils.translation import gettext_noop

from bangfu.feeds.sources.base import FeedSpec, flag, money, text

SPEC = FeedSpec(
    code="medical",
    title=gettext_noop("医保结算"),
    department=gettext_noop("医疗保障局"),
    columns=(
        money("医疗总费用", "total_cost"),
        money("个人自付", "out_of_pocket", note="扣除基本医保、大病保险和医疗救助后个人负担"),
        flag("重大疾病", "serious", note="是否属于大病、重特大疾病"),
        text("医疗机构", "hospital"),
    ),
)
