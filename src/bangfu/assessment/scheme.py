"""A county's assessment scheme (考核方案) as a file: parsing and checking the TOML the county
keeps per year and kind of subject, with each refusal in Chinese naming where it is (第2个考核
方面的第3个指标：分值必须是正数), and writing a stored scheme back to the same format, so that
the file downloaded after an edit in the pages loads again. The format is in
docs/supervision.md (考核测评); the demo county's files are in `schemes/`.

    [scheme]            county (6 digits), year, subject (township | village | team), name,
                        quarter_weight (the quarters' share of the annual total, 0 to 1)
    [[dimension]]       key, name
    [[dimension.indicator]]
                        key, name, points, clause, and either
                        measure, full_at, zero_at (computed from bangfu's records) or
                        ways (ledger | interview | site), guide (scored by an assessor)
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from bangfu.assessment.indicators import MEASURES
from bangfu.assessment.models import CheckWay, Method, SubjectKind
from bangfu.core.errors import Refused
from bangfu.core.text import has_unsafe_chars
from bangfu.regions.models import PREFIX_LENGTH, Level

if TYPE_CHECKING:
    from bangfu.assessment.models import Scheme

# A scheme's points add up to 100 (百分制), as the county's assessment schemes are written.
TOTAL_POINTS = Decimal(100)
MAX_BYTES = 100_000  # the stored text's bound (Scheme.text)
MAX_DIMENSIONS = 12
MAX_INDICATORS = 40  # in a dimension
KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
LINE = re.compile(r"line (\d+)")
SCHEME_KEYS = {"county", "year", "subject", "name", "quarter_weight"}
DIMENSION_KEYS = {"key", "name", "indicator"}
INDICATOR_KEYS = {
    "key",
    "name",
    "points",
    "measure",
    "full_at",
    "zero_at",
    "ways",
    "guide",
    "clause",
}
LIMITS = {"name": 100, "guide": 2000, "clause": 200}


class SchemeError(Refused):
    """A scheme file refused, with where and why."""


@dataclass(frozen=True)
class IndicatorSpec:
    key: str
    name: str
    points: Decimal
    method: str
    measure: str = ""
    full_at: Decimal | None = None
    zero_at: Decimal | None = None
    ways: tuple[str, ...] = ()
    guide: str = ""
    clause: str = ""


@dataclass(frozen=True)
class DimensionSpec:
    key: str
    name: str
    indicators: tuple[IndicatorSpec, ...]


@dataclass(frozen=True)
class SchemeSpec:
    county: str  # the county's 12-digit division code
    year: int
    subject: str
    name: str
    quarter_weight: Decimal
    dimensions: tuple[DimensionSpec, ...]

    @property
    def points(self) -> Decimal:
        return sum((i.points for d in self.dimensions for i in d.indicators), Decimal(0))


def scheme_parse(text: str) -> SchemeSpec:
    """The scheme in `text`, checked; a SchemeError says what is wrong and where."""
    if len(text.encode()) > MAX_BYTES:
        raise SchemeError(_("方案文件不能超过 100 KB"))
    if has_unsafe_chars(text):
        raise SchemeError(_("方案文件中含有不允许的字符（空字符、双向控制字符或零宽字符）"))
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = LINE.search(str(exc))
        where = _("第%(line)s行") % {"line": found.group(1)} if found else ""
        raise SchemeError(
            _("方案文件%(where)s格式错误（%(why)s）") % {"where": where, "why": exc}
        ) from None
    head = _table(doc.get("scheme"), _("[scheme] 部分"))
    _only(head, SCHEME_KEYS, _("[scheme] 部分"))
    for key in ("county", "year", "subject", "name"):
        if key not in head:
            raise SchemeError(_("[scheme] 部分缺少 %(key)s") % {"key": key})
    county = head["county"]
    if not isinstance(county, str) or not re.fullmatch(r"\d{6}", county):
        raise SchemeError(_('[scheme] 部分：county 须是6位县级区划代码，如 "140123"'))
    year = head["year"]
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise SchemeError(_("[scheme] 部分：year 须是年份，如 2026"))
    subject = head["subject"]
    if subject not in SubjectKind.values:
        raise SchemeError(_("[scheme] 部分：subject 须是 township、village 或 team 之一"))
    name = _text(head, "name", _("[scheme] 部分"), required=True)
    weight = _decimal(head.get("quarter_weight", 0), "quarter_weight", _("[scheme] 部分"))
    if not Decimal(0) <= weight <= Decimal(1) or weight != weight.quantize(Decimal("0.01")):
        raise SchemeError(_("[scheme] 部分：quarter_weight 须在0到1之间，最多两位小数"))
    if subject == SubjectKind.TEAM and weight:
        raise SchemeError(_("[scheme] 部分：驻村工作队按年度考核，quarter_weight 须为0"))
    dimensions = doc.get("dimension")
    if not isinstance(dimensions, list) or not dimensions:
        raise SchemeError(_("方案至少要有一个考核方面（[[dimension]]）"))
    if len(dimensions) > MAX_DIMENSIONS:
        raise SchemeError(_("考核方面不能超过 %(n)s 个") % {"n": MAX_DIMENSIONS})
    _only(doc, {"scheme", "dimension"}, _("方案文件"))
    parsed = []
    seen: set[str] = set()
    for n, raw in enumerate(dimensions, 1):
        parsed.append(_dimension(raw, n, subject, seen))
    spec = SchemeSpec(
        county=county.ljust(12, "0"),
        year=year,
        subject=subject,
        name=name,
        quarter_weight=weight,
        dimensions=tuple(parsed),
    )
    if spec.points != TOTAL_POINTS:
        raise SchemeError(
            _("各指标分值合计须为 %(total)s 分，现为 %(sum)s 分")
            % {"total": TOTAL_POINTS, "sum": plain(spec.points)}
        )
    return spec


def _dimension(raw: Any, n: int, subject: str, seen: set[str]) -> DimensionSpec:
    where = _("第%(n)s个考核方面") % {"n": n}
    table = _table(raw, where)
    _only(table, DIMENSION_KEYS, where)
    key = _key(table, where, seen)
    name = _text(table, "name", where, required=True, limit=50)
    indicators = table.get("indicator")
    if not isinstance(indicators, list) or not indicators:
        raise SchemeError(
            _("%(where)s至少要有一个指标（[[dimension.indicator]]）") % {"where": where}
        )
    if len(indicators) > MAX_INDICATORS:
        raise SchemeError(
            _("%(where)s的指标不能超过 %(n)s 个") % {"where": where, "n": MAX_INDICATORS}
        )
    return DimensionSpec(
        key=key,
        name=name,
        indicators=tuple(
            _indicator(
                item, _("%(where)s的第%(m)s个指标") % {"where": where, "m": m}, subject, seen
            )
            for m, item in enumerate(indicators, 1)
        ),
    )


def _indicator(raw: Any, where: str, subject: str, seen: set[str]) -> IndicatorSpec:
    table = _table(raw, where)
    _only(table, INDICATOR_KEYS, where)
    key = _key(table, where, seen)
    name = _text(table, "name", where, required=True)
    if "points" not in table:
        raise SchemeError(_("%(where)s：缺少分值（points）") % {"where": where})
    points = _decimal(table["points"], "points", where)
    if points <= 0 or points > TOTAL_POINTS or points != points.quantize(Decimal("0.01")):
        raise SchemeError(
            _("%(where)s：分值必须是正数（不超过100，最多两位小数）") % {"where": where}
        )
    guide = _text(table, "guide", where)
    clause = _text(table, "clause", where)
    computed = {"measure", "full_at", "zero_at"} & set(table)
    if computed and "ways" in table:
        raise SchemeError(
            _("%(where)s：系统计算的指标（measure）不能同时填写考核方式（ways）") % {"where": where}
        )
    if computed:
        measure = table.get("measure")
        if not isinstance(measure, str) or measure not in MEASURES:
            raise SchemeError(
                _("%(where)s：计算口径 measure = %(m)s 不存在")
                % {"where": where, "m": json.dumps(measure, ensure_ascii=False)}
            )
        if subject not in MEASURES[measure].kinds:
            raise SchemeError(
                _("%(where)s：计算口径 %(m)s 不适用于该考核对象（%(kind)s）")
                % {"where": where, "m": measure, "kind": SubjectKind(subject).label}
            )
        if "full_at" not in table or "zero_at" not in table:
            raise SchemeError(
                _("%(where)s：系统计算的指标须同时填写满分值（full_at）和零分值（zero_at）")
                % {"where": where}
            )
        full_at = _decimal(table["full_at"], "full_at", where)
        zero_at = _decimal(table["zero_at"], "zero_at", where)
        if full_at == zero_at:
            raise SchemeError(_("%(where)s：满分值和零分值不能相同") % {"where": where})
        return IndicatorSpec(
            key=key,
            name=name,
            points=points,
            method=Method.COMPUTED,
            measure=measure,
            full_at=full_at,
            zero_at=zero_at,
            guide=guide,
            clause=clause,
        )
    ways = table.get("ways")
    if (
        not isinstance(ways, list)
        or not ways
        or any(w not in CheckWay.values for w in ways)
        or len(set(ways)) != len(ways)
    ):
        raise SchemeError(
            _("%(where)s：须填写计算口径（measure），或考核方式（ways：ledger、interview、site）")
            % {"where": where}
        )
    return IndicatorSpec(
        key=key,
        name=name,
        points=points,
        method=Method.ASSESSED,
        ways=tuple(ways),
        guide=guide,
        clause=clause,
    )


def _table(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise SchemeError(_("缺少%(where)s，或其格式不是表") % {"where": where})
    return raw


def _only(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise SchemeError(
            _("%(where)s：不认识的键 %(keys)s") % {"where": where, "keys": "、".join(unknown)}
        )


def _key(table: dict[str, Any], where: str, seen: set[str]) -> str:
    key = table.get("key")
    if not isinstance(key, str) or not KEY.match(key):
        raise SchemeError(
            _("%(where)s：key 须以小写字母开头，由小写字母、数字和下划线组成（至多32个）")
            % {"where": where}
        )
    if key in seen:
        raise SchemeError(_("%(where)s：key “%(key)s”重复") % {"where": where, "key": key})
    seen.add(key)
    return key


def _text(
    table: dict[str, Any], key: str, where: str, *, required: bool = False, limit: int = 0
) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise SchemeError(_("%(where)s：%(key)s 须是文字") % {"where": where, "key": key})
    value = value.strip()
    if required and not value:
        raise SchemeError(_("%(where)s：%(key)s 必须填写") % {"where": where, "key": key})
    limit = limit or LIMITS.get(key, 100)
    if len(value) > limit:
        raise SchemeError(
            _("%(where)s：%(key)s 不能超过 %(n)s 个字") % {"where": where, "key": key, "n": limit}
        )
    return value


def _decimal(value: Any, key: str, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SchemeError(_("%(where)s：%(key)s 须是数字") % {"where": where, "key": key})
    try:
        number = Decimal(str(value))
    except InvalidOperation:  # pragma: no cover (a TOML number always converts)
        raise SchemeError(_("%(where)s：%(key)s 须是数字") % {"where": where, "key": key}) from None
    if not number.is_finite() or abs(number) >= 10_000:
        raise SchemeError(_("%(where)s：%(key)s 超出范围") % {"where": where, "key": key})
    return number


def plain(number: Decimal) -> str:
    """A number as a person writes it: 10, 2.5, 0.85 (no trailing zeros, no exponent)."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _string(value: str) -> str:
    # a JSON string is a TOML basic string (the same escapes)
    return json.dumps(value, ensure_ascii=False)


def scheme_text(scheme: Scheme) -> str:
    """The stored scheme written back as its file (after the county edited it in the pages)."""
    county = scheme.county_id[: PREFIX_LENGTH[Level.COUNTY]]
    lines = [
        "[scheme]",
        f"county = {_string(county)}",
        f"year = {scheme.year}",
        f"subject = {_string(scheme.subject_kind)}",
        f"name = {_string(scheme.name)}",
        f"quarter_weight = {plain(scheme.quarter_weight)}",
    ]
    for dimension in scheme.dimensions.order_by("order", "pk"):
        lines += ["", "[[dimension]]", f"key = {_string(dimension.key)}"]
        lines.append(f"name = {_string(dimension.name)}")
        for indicator in dimension.indicators.order_by("order", "pk"):
            lines += [
                "",
                "[[dimension.indicator]]",
                f"key = {_string(indicator.key)}",
                f"name = {_string(indicator.name)}",
                f"points = {plain(indicator.points)}",
            ]
            if indicator.method == Method.COMPUTED:
                assert indicator.full_at is not None and indicator.zero_at is not None
                lines += [
                    f"measure = {_string(indicator.measure)}",
                    f"full_at = {plain(indicator.full_at)}",
                    f"zero_at = {plain(indicator.zero_at)}",
                ]
            else:
                ways = ", ".join(_string(w) for w in indicator.ways.split(",") if w)
                lines.append(f"ways = [{ways}]")
            if indicator.guide:
                lines.append(f"guide = {_string(indicator.guide)}")
            if indicator.clause:
                lines.append(f"clause = {_string(indicator.clause)}")
    return "\n".join(lines) + "\n"
