from bangfu.feeds.sources.base import FeedSpec, choice

SPEC = FeedSpec(
    code="police",
    title="户籍变动",
    department="公安局",
    columns=(choice("变动类型", "event", ("死亡", "失踪", "迁出", "迁入", "出生")),),
)
