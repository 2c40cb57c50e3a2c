from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import ibis
import ibis.expr.types as ir
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from bangfu.monitoring.errors import PolicyError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

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
    # what `value` means, for the warning page
    value_label: ClassVar[StrOrPromise] = gettext_lazy("观测值")
    reference_label: ClassVar[StrOrPromise] = gettext_lazy("对照值")

    def check(self, params: dict[str, Any], where: str) -> None:
        for key, typ in self.params.items():
            if key not in params:
                raise PolicyError(
                    _("%(where)s: 规则类型 %(kind)s 缺少参数 %(key)s")
                    % {"where": where, "kind": self.name, "key": key}
                )
            value = params[key]
            ok = isinstance(value, typ) or (typ is float and isinstance(value, int))
            if not ok or (isinstance(value, bool) and typ is not bool):
                raise PolicyError(
                    _("%(where)s: 参数 %(key)s 应为%(type)s")
                    % {"where": where, "key": key, "type": _TYPE_NAMES.get(typ, typ.__name__)}
                )
        extra = set(params) - set(self.params)
        if extra:
            raise PolicyError(
                _("%(where)s: 规则类型 %(kind)s 没有参数 %(keys)s")
                % {
                    "where": where,
                    "kind": self.name,
                    "keys": pgettext("list separator", "、").join(sorted(extra)),
                }
            )

    def build(self, ctx: Context, spec: RuleSpec) -> ir.Table:
        raise NotImplementedError


# Translators: the types of a rule's parameters in the policy file ("… should be a number")
_TYPE_NAMES: dict[type, StrOrPromise] = {
    float: gettext_lazy("数值"),
    int: gettext_lazy("整数"),
    str: gettext_lazy("文字"),
    list: gettext_lazy("列表"),
    bool: gettext_lazy("是/否"),
}


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
