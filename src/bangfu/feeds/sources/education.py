from django.utils.translation import gettext_noop

from bangfu.feeds.sources.base import FeedSpec, choice, money, text

SPEC = FeedSpec(
    code="education",
    title=gettext_noop("学籍与资助"),
    department=gettext_noop("教育局"),
    columns=(
        choice("学段", "stage", ("学前", "小学", "初中", "高中", "中职", "高校")),
        choice("状态", "status", ("在校", "辍学", "休学", "毕业")),
        text("资助项目", "subsidy", note="如 雨露计划、国家助学金"),
        money("资助金额", "subsidy_amount", required=False),
    ),
)
