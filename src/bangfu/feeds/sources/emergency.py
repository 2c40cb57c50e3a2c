from django.utils.translation import gettext_noop

from bangfu.feeds.sources.base import FeedSpec, choice, money

SPEC = FeedSpec(
    code="emergency",
    title=gettext_noop("灾害损失"),
    department=gettext_noop("应急管理局"),
    columns=(
        choice("灾种", "disaster", ("洪涝", "干旱", "冰雹", "地震", "地质灾害", "火灾", "其他")),
        money("损失金额", "loss_amount"),
    ),
)
