"""Deciding a household's warnings at once (研判): the monthly list is read one household at a
time, so a cadre dismisses or turns into a lead all of a household's new warnings together, and
none of them stays open behind the decision. Built on `services.warning_decide`, warning by
warning (each audited, each lead a signal on the household's one case), in one transaction:
a refusal for any household leaves every chosen household as it was."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts.access import access_for
from bangfu.accounts.models import User
from bangfu.cases.models import Case
from bangfu.cases.services import warning_decide
from bangfu.core.errors import Conflict, NotFound, Refused
from bangfu.monitoring.models import RiskWarning, WarningStatus
from bangfu.registry.models import Household

# one form's worth: a page of the list is thirty households
MAX_HOUSEHOLDS = 200


@dataclass(frozen=True)
class HouseholdDecision:
    """What one household's decision did: its warnings decided, and for leads its case (and
    whether the case was opened by this decision or the signals joined an open one)."""

    household: Household
    warnings: list[RiskWarning]
    case: Case | None
    opened: bool


def warnings_decide_for_households(
    *, user: User, household_ids: Iterable[int], status: str, reason: str
) -> list[HouseholdDecision]:
    """Dismiss (with a reason) or turn into leads every new warning of each chosen household.
    NotFound for a role that may not decide warnings; Refused, naming the household, when one
    is outside the user's region or has no new warning. All or nothing."""
    access = access_for(user)
    if not access.may_write_registry:
        raise NotFound
    ids = list(dict.fromkeys(int(i) for i in household_ids))
    if not ids:
        raise Refused(_("请至少选择一户"))
    if len(ids) > MAX_HOUSEHOLDS:
        raise Refused(_("一次最多处理 %(n)d 户") % {"n": MAX_HOUSEHOLDS})
    if status not in (WarningStatus.DISMISSED, WarningStatus.LEAD):
        raise Refused(_("只能排除预警或转为线索"))
    if status == WarningStatus.DISMISSED and not reason.strip():
        raise Refused(_("排除预警必须填写理由"))
    with transaction.atomic():
        households = (
            access.filter(Household.objects.filter(pk__in=ids))
            .select_for_update(of=("self",))
            .order_by("household_no")
        )
        chosen = [h for h in households if access.admits(h)]
        if len(chosen) != len(ids):
            raise Refused(_("所选农户中有的不存在，或不在您所辖区域内"))
        pending: dict[int, list[RiskWarning]] = {h.pk: [] for h in chosen}
        for w in (
            RiskWarning.objects.select_for_update()
            .filter(household__in=chosen, status=WarningStatus.NEW)
            .order_by("household_id", "-period", "rule_id")
        ):
            pending[w.household_id].append(w)
        had_case = set(
            Case.objects.filter(household__in=chosen, closed_at__isnull=True).values_list(
                "household_id", flat=True
            )
        )
        decisions = []
        for household in chosen:
            if not pending[household.pk]:
                raise Conflict(_("户 %(no)s：没有待处理的预警") % {"no": household.household_no})
            decided = []
            for warning in pending[household.pk]:
                warning.household = household
                try:
                    decided.append(
                        warning_decide(user=user, warning=warning, status=status, reason=reason)
                    )
                except Refused as exc:
                    # Translators: the household number, then why its warnings were refused
                    raise Refused(
                        _("户 %(no)s：%(error)s") % {"no": household.household_no, "error": exc}
                    ) from None
            case = (
                Case.objects.filter(household=household, closed_at__isnull=True).first()
                if status == WarningStatus.LEAD
                else None
            )
            decisions.append(
                HouseholdDecision(
                    household=household,
                    warnings=decided,
                    case=case,
                    opened=case is not None and household.pk not in had_case,
                )
            )
    return decisions


def warning_decide_with_household(
    *, user: User, warning: RiskWarning, status: str, reason: str
) -> HouseholdDecision:
    """The warning page's decision: this warning and every other new one of its household, so
    that none of them stays open. Conflict when this one is already decided."""
    if warning.status != WarningStatus.NEW:
        raise Conflict(_("该预警已处理"))
    (decision,) = warnings_decide_for_households(
        user=user, household_ids=[warning.household_id], status=status, reason=reason
    )
    return decision
