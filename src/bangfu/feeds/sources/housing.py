from django.utils.translation import gettext_noop

from bangfu.feeds.sources.base import FeedSpec, choice, text

SPEC = FeedSpec(
    code="housing",
    title=gettext_noop("住房安全鉴定"),
    department=gettext_noop("住房和城乡建设局"),
    columns=(
        choice("鉴定等级", "grade", ("A", "B", "C", "D"), note="C、D级为危房"),
        text("说明", "note"),
    ),
)
