from django.utils.translation import gettext_noop

from bangfu.feeds.sources.base import FeedSpec, choice, money

SPEC = FeedSpec(
    code="civil",
    title=gettext_noop("社会救助"),
    department=gettext_noop("民政局"),
    columns=(
        choice("救助项目", "program", ("低保", "特困", "临时救助")),
        choice("办理类型", "action", ("批准", "取消", "发放")),
        money("金额", "amount", required=False),
    ),
)
