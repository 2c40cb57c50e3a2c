"""The audit log as an auditor reads it: people by their names, regions by their names, actions
and object types in words, and each change as "field: old → new" with the field's verbose name
and coded values by their labels ("当前环节：风险消除县级审定 → 风险已消除"). The page and the
spreadsheet both show these rows; the web adds links to the objects' pages.

The object type an event keeps is its model's name (`obj._meta.model_name`); its words come
from the model itself through the content types, so a new model needs no entry here."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.audit.models import AuditEvent
from bangfu.audit.services import PUBLIC_CHANNEL
from bangfu.regions.models import Region

# object types that are no model (an import's rejected rows) or whose model has no words of its
# own, and keys of changes that are no field of their model (the import's members and incomes)
OTHER_TYPES = {
    "import": gettext_lazy("导入文件"),
    "evaluation": gettext_lazy("帮扶成效评估"),
    "signal": gettext_lazy("线索"),
    "step": gettext_lazy("办理记录"),
    "objection": gettext_lazy("公示异议"),
    "selfdeclaration": gettext_lazy("自主申报"),
    "householdtoken": gettext_lazy("一户一码"),
    "meeting": gettext_lazy("村级月度监测会议"),
    "meetingdecision": gettext_lazy("会议决定"),
    "apitoken": gettext_lazy("接口令牌"),
    "job": gettext_lazy("后台任务"),
}
OTHER_KEYS = {"member": gettext_lazy("家庭成员")}
INCOME_KEY = re.compile(r"^income_(\d{4})$")
CHANNELS = (PUBLIC_CHANNEL,)  # labels of actors who are no user, translated when shown
CLI = "命令行"  # services.actor_label's word for the command line
EMPTY = "—"


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass
class EventRow:
    """One event, ready to show. `link` is the object's page, where the web knows one."""

    event: AuditEvent
    actor: str
    action: str
    object_type: str
    object_id: str
    region: str
    changes: list[Change] = field(default_factory=list)
    link: str = ""

    @property
    def at(self) -> Any:
        return timezone.localtime(self.event.at)

    @property
    def note(self) -> str:
        return self.event.note


def actor_name(event: AuditEvent) -> str:
    """The user's name (姓名, else the full name, else the login name), or the channel that
    acted without one (the public's declaration, the command line)."""
    actor = event.actor
    if actor is not None:
        name = str(getattr(actor, "display_name", "") or "")
        if not name and hasattr(actor, "get_full_name"):
            name = actor.get_full_name()
        return name or actor.get_username()
    if event.actor_label in CHANNELS:
        return _(event.actor_label)
    if event.actor_label.startswith(CLI):
        return _("命令行") + event.actor_label[len(CLI) :]
    return event.actor_label


def object_models(types: Iterable[str]) -> dict[str, type[models.Model]]:
    """The model of each object type, by its model name (one query)."""
    out: dict[str, type[models.Model]] = {}
    for ct in ContentType.objects.filter(model__in=set(types)).order_by("app_label"):
        model = ct.model_class()
        if model is not None:
            out.setdefault(ct.model, model)
    return out


def type_label(object_type: str, model: type[models.Model] | None) -> str:
    """The object type in words: the mapping above, else the model's verbose name."""
    if object_type in OTHER_TYPES:
        return str(OTHER_TYPES[object_type])
    return str(model._meta.verbose_name) if model is not None else object_type


def region_names(codes: Iterable[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


def _model_field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        f = model._meta.get_field(key)
    except Exception:  # FieldDoesNotExist, or a reverse relation's name
        return None
    return f if isinstance(f, models.Field) else None


def _value(value: Any, f: models.Field[Any, Any] | None, regions: dict[str, str]) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if f is not None and f.flatchoices:
        labels = {str(k): str(v) for k, v in f.flatchoices}
        return labels.get(str(value), str(value))
    if isinstance(value, list):
        return "、".join(_value(v, None, regions) for v in value) or EMPTY
    if f is not None and f.is_relation and f.related_model is Region:
        return regions.get(str(value), str(value))
    return str(value)


def _field_label(key: str, f: models.Field[Any, Any] | None) -> str:
    if f is not None:
        return str(f.verbose_name)
    if key in OTHER_KEYS:
        return str(OTHER_KEYS[key])
    income = INCOME_KEY.match(key)
    if income:
        return _("%(year)s年人均纯收入") % {"year": income.group(1)}
    return key


def changes_shown(
    changes: dict[str, Any], model: type[models.Model] | None, regions: dict[str, str]
) -> list[Change]:
    shown = []
    for key, pair in changes.items():
        old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        f = _model_field(model, key)
        shown.append(Change(_field_label(key, f), _value(old, f, regions), _value(new, f, regions)))
    return shown


def _region_codes(event: AuditEvent) -> list[str]:
    """The event's region, and values of its changes that may be division codes (a user's
    region)."""
    codes = [event.region_code]
    for pair in event.changes.values():
        if isinstance(pair, list):
            codes += [v for v in pair if isinstance(v, str) and v.isdigit() and len(v) == 12]
    return codes


def event_rows(events: Sequence[AuditEvent]) -> list[EventRow]:
    """The rows of these events (load them with their actors: `select_related("actor")`);
    two queries for any number of events (the models and the region names)."""
    types = object_models(e.object_type for e in events)
    regions = region_names(c for e in events for c in _region_codes(e))
    rows = []
    for e in events:
        model = types.get(e.object_type)
        rows.append(
            EventRow(
                event=e,
                actor=actor_name(e),
                action=e.get_action_display(),
                object_type=type_label(e.object_type, model),
                object_id=_("全部") if e.object_id == "*" else e.object_id,
                region=regions.get(e.region_code, e.region_code),
                changes=changes_shown(e.changes, model, regions),
            )
        )
    return rows
