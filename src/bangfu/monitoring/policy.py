"""Policy as data: one TOML file per province and year (监测范围, rule thresholds, the
Alkire-Foster dimensions). Changing a threshold is editing the file, never the code."""

from __future__ import annotations

import functools
import hashlib
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from bangfu.core.i18n import english_active
from bangfu.monitoring.errors import PolicyError
from bangfu.monitoring.rules import RULE_KINDS

POLICY_DIR = Path(__file__).parent / "policies"
CATEGORIES = {"unstable", "edge", "sudden", "by_history"}
LISTS = ("lead", "watch")  # a rule's warnings: new leads, or the watch list (重点关注)
RISK_TYPES = {
    gettext_noop("因病"),
    gettext_noop("因残"),
    gettext_noop("因学"),
    gettext_noop("因灾"),
    gettext_noop("因意外事故"),
    gettext_noop("因产业项目失败"),
    gettext_noop("因务工就业不稳"),
    gettext_noop("缺劳动力"),
    gettext_noop("住房安全"),
    gettext_noop("饮水安全"),
    gettext_noop("收入骤减或支出骤增"),
    gettext_noop("其他"),
}


# Defaults for [elimination] in the policy file (风险消除).
ELIMINATION: dict[str, Any] = {
    "min_months": 6,  # months in monitoring before the risk can be marked eliminated
    "income_margin": 0.0,  # evaluated per-capita income at least line x (1 + margin)
    "require_measures_done": True,  # every measure of the plan done (or cancelled)
    # the income above the range on this many evaluations or grid readings in a row
    "stable_readings": 2,
    # households with no member able to work, on 低保/特困: not marked eliminated, followed up
    "hold_without_labour": True,
    "evaluation_months": 3,  # an evaluation is due this long after the last one
    "long_stay_months": 24,  # longer in monitoring than this is flagged
}


# Defaults for [identification] in the policy file: calendar days per step of the chain, and
# the whole chain's. County guidance (docs/cases.md): from the day a lead is found to the
# county's decision generally at most 15 days, of which the village notice at least 5.
DEADLINES = {
    "verify_days": 3,  # 入户核查
    "appraise_days": 2,  # 村级评议
    "publish_days": 1,  # 评议后张榜公示
    "notice_days": 5,  # 公示期
    "close_notice_days": 1,  # 公示期满后报乡镇
    "township_days": 2,  # 乡镇审核
    "county_days": 1,  # 县级审定
    "total_days": 15,  # 从发现线索到县级审定
}
NOTICE_MIN_DAYS = 5  # 村内公示不少于5天
# Risk types the public notice always leaves off: health status is never published.
NOTICE_HIDDEN_RISKS = ("因病", "因残")

# Defaults for [assessment] in the policy file: what the assessment's computed indicators
# (bangfu.assessment.indicators) measure against; sources in docs/indicators.md.
ASSESSMENT: dict[str, int] = {
    # 驻村干部每年驻村工作时间不少于200天 (乐都区, 乡村振兴政策应知应会（二十五）, 2024-11-23)
    "team_days_per_year": 200,
    # a department's warning is checked within the month's cycle (每月推送、每月核查研判)
    "warning_days": 30,
}


@dataclass(frozen=True)
class RuleSpec:
    id: str
    kind: str
    title: str
    clause: str
    risk_types: tuple[str, ...]
    category: str  # unstable | edge | sudden | by_history (formerly poor -> unstable, else edge)
    params: dict[str, Any]
    # "lead": a household it flags is a new lead for the village to verify; "watch": it goes on
    # the watch list (重点关注), e.g. incomes just above the range
    list: str = "lead"
    # 1 (low) to 3 (high): the household's priority on the monthly list is its highest
    severity: int = 2
    # the title and clause in English, for English readers ("" where the file gives none)
    title_en: str = ""
    clause_en: str = ""


@dataclass(frozen=True)
class Indicator:  # an Alkire-Foster indicator
    id: str
    title: str
    dimension: str
    weight: float


@dataclass(frozen=True)
class Policy:
    province: str
    year: int
    version: str
    title: str
    line: float  # 监测范围, yuan per person per year
    rules: tuple[RuleSpec, ...]
    af_k: float
    indicators: tuple[Indicator, ...] = field(default=())
    path: Path | None = None
    # days allowed for each step of the identification chain, and the public notice's length
    deadlines: dict[str, int] = field(default_factory=lambda: dict(DEADLINES))
    # when a household's risk counts as eliminated, how often it is evaluated, how long is long
    elimination: dict[str, Any] = field(default_factory=lambda: dict(ELIMINATION))
    # what the assessment's computed indicators measure against (days on post, warnings' days)
    assessment: dict[str, int] = field(default_factory=lambda: dict(ASSESSMENT))
    # how the public notice (公示) shows names: "full" or "masked" (张*明); never ID numbers
    notice_names: str = "full"
    # risk types the notice leaves off (health status is never shown)
    notice_hidden_risks: tuple[str, ...] = NOTICE_HIDDEN_RISKS
    # SHA-256 of the file's text: two different files never pass for one version
    digest: str = ""
    title_en: str = ""

    def rule(self, rule_id: str) -> RuleSpec:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def _need(d: dict[str, Any], key: str, where: str) -> Any:
    if key not in d:
        raise PolicyError(_("%(where)s: 缺少 %(key)s") % {"where": where, "key": key})
    return d[key]


def _text(d: dict[str, Any], key: str, where: str, *, required: bool = False) -> str:
    """A text key (title, clause and their English): a string, or refused."""
    value = _need(d, key, where) if required else d.get(key, "")
    if not isinstance(value, str):
        raise PolicyError(_("%(where)s: %(key)s 应为字符串") % {"where": where, "key": key})
    return value


def parse_policy(text: str, path: Path | None = None) -> Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(_("政策文件格式错误：%(error)s") % {"error": exc}) from None
    # Translators: where in the policy file an error is (before a colon): the file as a whole
    head = _need(data, "policy", _("政策文件"))
    rules = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("rule", []), start=1):
        # Translators: where in the policy file an error is (before a colon): the i-th [[rule]]
        where = _("第%(i)d条规则") % {"i": i}
        rid = _need(raw, "id", where)
        kind = _need(raw, "kind", where)
        if rid in seen:
            raise PolicyError(_("%(where)s: 规则编号重复 %(id)s") % {"where": where, "id": rid})
        seen.add(rid)
        if kind not in RULE_KINDS:
            raise PolicyError(
                _("%(where)s: 未知的规则类型 %(kind)s") % {"where": where, "kind": kind}
            )
        risk = tuple(_need(raw, "risk_types", where))
        unknown = set(risk) - RISK_TYPES
        if unknown:
            raise PolicyError(
                _("%(where)s: 未知的风险类型 %(types)s")
                % {"where": where, "types": pgettext("list separator", "、").join(sorted(unknown))}
            )
        category = _need(raw, "category", where)
        if category not in CATEGORIES:
            raise PolicyError(
                _("%(where)s: 未知的监测类别 %(category)s") % {"where": where, "category": category}
            )
        params = dict(raw.get("params", {}))
        RULE_KINDS[kind].check(params, where)
        listed = raw.get("list", "lead")
        if listed not in LISTS:
            raise PolicyError(_('%(where)s: list 应为 "lead" 或 "watch"') % {"where": where})
        severity = raw.get("severity", 2)
        if not isinstance(severity, int) or isinstance(severity, bool) or severity not in (1, 2, 3):
            raise PolicyError(_("%(where)s: severity 应为 1、2 或 3") % {"where": where})
        rules.append(
            RuleSpec(
                rid,
                kind,
                _text(raw, "title", where, required=True),
                _text(raw, "clause", where),
                risk,
                category,
                params,
                list=listed,
                severity=severity,
                title_en=_text(raw, "title_en", where),
                clause_en=_text(raw, "clause_en", where),
            )
        )
    af = data.get("deprivation", {})
    indicators = tuple(
        Indicator(
            # Translators: where in the policy file an error is: a deprivation indicator
            _need(d, "id", _("剥夺指标")),
            d.get("title", d["id"]),
            d.get("dimension", ""),
            float(_need(d, "weight", _("剥夺指标"))),
        )
        for d in af.get("indicator", [])
    )
    if indicators and abs(sum(i.weight for i in indicators) - 1) > 1e-9:
        raise PolicyError(_("剥夺指标权重之和应为1"))
    ident = dict(data.get("identification", {}))
    unknown_keys = set(ident) - set(DEADLINES)
    if unknown_keys:
        raise PolicyError(
            _("identification: 没有参数 %(keys)s")
            % {"keys": pgettext("list separator", "、").join(sorted(unknown_keys))}
        )
    for key, days in ident.items():
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 90:
            raise PolicyError(_("identification: %(key)s 应为 1 至 90 的整数（天）") % {"key": key})
    deadlines = DEADLINES | ident
    if deadlines["notice_days"] < NOTICE_MIN_DAYS:
        raise PolicyError(
            _("identification: notice_days 不能少于 %(n)d 天（村内公示不少于5天）")
            % {"n": NOTICE_MIN_DAYS}
        )
    steps = sum(days for key, days in deadlines.items() if key != "total_days")
    if steps > deadlines["total_days"]:
        raise PolicyError(
            _("identification: 各环节时限之和 %(steps)d 天超过 total_days（%(total)d 天）")
            % {"steps": steps, "total": deadlines["total_days"]}
        )
    elim = dict(data.get("elimination", {}))
    for key, value in elim.items():
        if key not in ELIMINATION:
            raise PolicyError(_("elimination: 没有参数 %(key)s") % {"key": key})
        expected = type(ELIMINATION[key])
        ok = isinstance(value, expected) or (expected is float and isinstance(value, int))
        if not ok or (isinstance(value, bool) and expected is not bool):
            raise PolicyError(_("elimination: %(key)s 的类型不正确") % {"key": key})
        if not isinstance(value, bool) and value < 0:
            raise PolicyError(_("elimination: %(key)s 不能为负数") % {"key": key})
    assess = dict(data.get("assessment", {}))
    for key, days in assess.items():
        if key not in ASSESSMENT:
            raise PolicyError(_("assessment: 没有参数 %(key)s") % {"key": key})
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 366:
            raise PolicyError(_("assessment: %(key)s 应为 1 至 366 的整数（天）") % {"key": key})
    notice = data.get("notice", {})
    notice_names = str(notice.get("names", "full"))
    if notice_names not in ("full", "masked"):
        raise PolicyError(_('notice: names 应为 "full" 或 "masked"'))
    # a province may leave more off the notice; health status is never shown (always hidden)
    hidden = notice.get("hidden_risks", [])
    if not isinstance(hidden, list) or set(map(str, hidden)) - RISK_TYPES:
        raise PolicyError(_("notice: hidden_risks 应为风险类型的列表"))
    return Policy(
        notice_names=notice_names,
        notice_hidden_risks=tuple(dict.fromkeys([*NOTICE_HIDDEN_RISKS, *map(str, hidden)])),
        deadlines=deadlines,
        elimination=ELIMINATION | elim,
        assessment=ASSESSMENT | assess,
        province=str(_need(head, "province", "policy")),
        year=int(_need(head, "year", "policy")),
        version=str(_need(head, "version", "policy")),
        title=str(head.get("title", "")),
        title_en=_text(head, "title_en", "policy"),
        line=float(_need(head, "monitoring_line", "policy")),
        rules=tuple(rules),
        af_k=float(af.get("k", 1 / 3)),
        indicators=indicators,
        path=path,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def load_policy(path: Path | str | None = None) -> Policy:
    """The policy at `path`, else BANGFU_POLICY, else the demo province's shipped default."""
    chosen = Path(path or getattr(settings, "BANGFU_POLICY", "") or POLICY_DIR / "14-2026.toml")
    if not chosen.exists():
        raise PolicyError(_("政策文件不存在：%(path)s") % {"path": chosen})
    _LOADED.add(chosen.resolve())
    return parse_policy(chosen.read_text(encoding="utf-8"), chosen)


@dataclass(frozen=True)
class RuleText:
    """A rule's title and clause, in Chinese and (where the file gives it) English."""

    title: str
    clause: str
    title_en: str = ""
    clause_en: str = ""


# the policy files this process has loaded from elsewhere than POLICY_DIR (a --policy path)
_LOADED: set[Path] = set()


@functools.lru_cache(maxsize=32)
def _file_texts(path: Path, mtime_ns: int) -> tuple[str, dict[str, RuleText]]:
    """One file's version and its rules' texts; cached until the file changes."""
    try:
        policy = parse_policy(path.read_text(encoding="utf-8"), path)
    except (OSError, PolicyError):
        return "", {}
    return policy.version, {
        r.id: RuleText(r.title, r.clause, r.title_en, r.clause_en) for r in policy.rules
    }


def _known() -> Iterator[tuple[str, dict[str, RuleText]]]:
    """Each policy file this installation knows (the shipped ones, BANGFU_POLICY, any loaded
    since start): its version and its rules' texts."""
    configured = getattr(settings, "BANGFU_POLICY", "")
    paths = {*POLICY_DIR.glob("*.toml"), *_LOADED}
    if configured:
        paths.add(Path(configured).resolve())
    for path in sorted(paths):
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            continue
        yield _file_texts(path, mtime)


def rule_text(rule_id: str, version: str) -> RuleText | None:
    """The texts of rule `rule_id` in policy `version`; None when that version is not among
    the files this installation knows. Warnings keep the Chinese they were raised with and
    look the English up here at display time, so a warning needs no column per language."""
    for found, texts in _known():
        if found == version and rule_id in texts:
            return texts[rule_id]
    return None


def rule_texts(rule_id: str) -> list[RuleText]:
    """The texts of rule `rule_id` in every known version: a warning of a version no longer
    installed may still find the English of its very Chinese text in another one."""
    return [texts[rule_id] for _v, texts in _known() if rule_id in texts]


def _stored(obj: Any, name: str) -> str:
    value = obj.get(name, "") if isinstance(obj, dict) else getattr(obj, name, "")
    return str(value or "")


def _english_of(obj: Any, chinese: str, pick: str) -> str:
    """The English of a warning's stored rule text (`pick` "title" or "clause"): from its own
    policy version, else from another known version whose Chinese is the same; "" if none."""
    rule_id, version = _stored(obj, "rule_id"), _stored(obj, "policy_version")
    exact = rule_text(rule_id, version)
    for text in [exact] if exact else rule_texts(rule_id):
        if getattr(text, pick) == chinese:
            return str(getattr(text, pick + "_en"))
    return ""


def rule_title_shown(obj: Any) -> str:
    """A warning's (or signal's: anything with rule_id, policy_version and rule_title) rule
    title in the active language: the policy file's English for English readers where it has
    one, else the Chinese stored with the warning."""
    stored = _stored(obj, "rule_title") or _stored(obj, "title")
    return (english_active() and stored and _english_of(obj, stored, "title")) or stored


def rule_clause_shown(obj: Any) -> str:
    """A warning's policy clause in the active language (as `rule_title_shown`)."""
    stored = _stored(obj, "clause")
    return (english_active() and stored and _english_of(obj, stored, "clause")) or stored
