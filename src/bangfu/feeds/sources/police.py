from django.utils.translation import gettext_noop

from bangfu.feeds.sources.base import FeedSpec, choice

SPEC = FeedSpec(
    code="police",
    title=gettext_noop("户籍变动"),
    department=gettext_noop("公安局"),
    columns=(choice("变动类型", "event", ("死亡", "失踪", "迁出", "迁入", "出生")),),
)
