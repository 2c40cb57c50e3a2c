from django.utils.translation import gettext_noop

from bangfu.core.tabular.columns import Column
from bangfu.feeds.sources.base import FeedSpec, choice, flag

SPEC = FeedSpec(
    code="disability",
    title=gettext_noop("残疾人证"),
    department=gettext_noop("残疾人联合会"),
    columns=(
        choice("残疾类别", "kind", ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")),
        Column("残疾等级", "grade", "feed", "int", True, options=("1", "2", "3", "4")),
        flag("新办证", "new_certificate", note="是：本期新办；否：换证或等级调整"),
    ),
)
