from django.utils.translation import gettext_noop

from bangfu.feeds.sources.base import FeedSpec, choice, text

SPEC = FeedSpec(
    code="hr",
    title=gettext_noop("就业与社保"),
    department=gettext_noop("人力资源和社会保障局"),
    columns=(
        choice(
            "事项", "event", ("就业登记", "失业登记", "务工返乡", "参加养老保险", "中断养老保险")
        ),
        text("单位或地点", "place"),
    ),
)
