from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import ibis
import ibis.expr.types as ir

if TYPE_CHECKING:
    from bangfu.monitoring.context import Context
    from bangfu.monitoring.policy import RuleSpec

EVIDENCE = ibis.schema(
    {
        "household_no": "string",
        "value": "float64",
        "reference": "float64",
        "detail": "string",
        "source": "string",
    }
)


class RuleKind:
    name: ClassVar[str]
    params: ClassVar[dict[str, type]] = {}  # name -> type; all required
    value_label: ClassVar[str] = "观测值"  # what `value` means, for the warning page
    reference_label: ClassVar[str] = "对照值"

    def check(self, params: dict[str, Any], where: str) -> None:
        from bangfu.monitoring.policy import PolicyError

        for key, typ in self.params.items():
            if key not in params:
                raise PolicyError(f"{where}: 规则类型 {self.name} 缺少参数 {key}")
            value = params[key]
            ok = isinstance(value, typ) or (typ is float and isinstance(value, int))
            if not ok or (isinstance(value, bool) and typ is not bool):
                raise PolicyError(f"{where}: 参数 {key} 应为{_TYPE_NAMES.get(typ, typ.__name__)}")
        extra = set(params) - set(self.params)
        if extra:
            raise PolicyError(f"{where}: 规则类型 {self.name} 没有参数 {'、'.join(sorted(extra))}")

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        raise NotImplementedError


_TYPE_NAMES = {float: "数值", int: "整数", str: "文字", list: "列表", bool: "是/否"}


def evidence(
    table: ir.Table,
    *,
    value: Any,
    reference: Any,
    source: Any,
    detail: Any = "",
) -> ir.Table:
    """Project a table onto the evidence columns, with the right types on every engine."""
    lit = ibis.literal
    return table.select(
        household_no=table.household_no.cast("string"),
        value=(value if isinstance(value, ir.Value) else lit(value)).cast("float64"),
        reference=(reference if isinstance(reference, ir.Value) else lit(reference)).cast(
            "float64"
        ),
        detail=(detail if isinstance(detail, ir.Value) else lit(detail)).cast("string"),
        source=(source if isinstance(source, ir.Value) else lit(source)).cast("string"),
    )
