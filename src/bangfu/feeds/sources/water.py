from django.utils.translation import gettext_noop

from bangfu.feeds.sources.base import FeedSpec, flag, text

SPEC = FeedSpec(
    code="water",
    title=gettext_noop("饮水安全核查"),
    department=gettext_noop("水利局"),
    columns=(
        flag("饮水安全", "safe", note="水量、水质、用水方便程度和供水保证率均达标"),
        text("问题", "issue"),
    ),
)
