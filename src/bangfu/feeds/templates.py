from __future__ import annotations

from pathlib import Path
from typing import IO

from bangfu.core.tabular.sheets import write_workbook
from bangfu.feeds.sources.base import FeedSpec


def feed_template(*, spec: FeedSpec, out: Path | IO[bytes]) -> None:
    write_workbook(
        spec.all_columns,
        [],
        out,
        sheet=spec.title,
        help_lines=[
            f"{spec.department}：{spec.title}。一行一条记录。",
            "记录编号为部门系统中的唯一编号：重复导入同一编号的记录会更新而不是重复。",
            "身份证号只用于与农户信息库匹配，入库时只保存其密钥散列值。",
        ],
    )
