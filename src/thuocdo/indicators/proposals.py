"""Target-change proposals (seed 001, management principle 3).

A target already met, or a forecast far above it, yields "propose raising the target"
(``forecasting.early_warnings``). An officer who may set the target opens a proposal with
the new value and a reason (the forecast at that moment is kept as its basis); another
officer who may set it approves it, which sets the target through ``services.target_set``,
or rejects it. Every step is audited; one proposal per indicator × unit × year is pending at
a time.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import require_officer
from thuocdo.accounts.services import audit_record
from thuocdo.core.text import clean
from thuocdo.indicators.models import ProposalStatus, TargetProposal
from thuocdo.indicators.reporting import unit_code
from thuocdo.indicators.selectors import can_read_unit, target_for
from thuocdo.indicators.services import (
    COMPARATORS,
    require_unit_writer,
    target_inputs,
    target_set,
)


def proposal_dict(p: TargetProposal) -> dict[str, Any]:
    return {
        "id": p.pk,
        "indicator": p.indicator.code,
        "unit": unit_code(p.unit),
        "year": p.year,
        "current": None
        if p.current_value is None
        else {"value": p.current_value, "comparator": p.current_comparator},
        "value": p.value,
        "comparator": p.comparator,
        "reason": p.reason,
        "basis": p.basis,
        "status": p.status,
        "proposed_by": p.proposed_by.username if p.proposed_by else None,
        "decided_by": p.decided_by.username if p.decided_by else None,
        "decision_note": p.decision_note,
    }


@transaction.atomic
def proposal_open(
    *,
    scope: Scope,
    actor: User | None,
    indicator_code: str,
    unit_code_: str | None,
    year: int,
    value: Any,
    reason: str,
    comparator: str | None = None,
) -> TargetProposal:
    """Propose a new target for an indicator, unit and year (awaiting approval)."""
    from thuocdo.indicators.forecasting import forecast_or_none

    ind, unit, number = target_inputs(
        scope=scope, indicator_code=indicator_code, unit_code=unit_code_, year=year, value=value
    )
    text = clean(reason or "")
    if not text:
        raise ValidationError({"reason": _("Say why the target should change.")})
    current = target_for(ind, unit, year)
    comp = comparator or (
        current.comparator if current else (">=" if ind.direction == "higher" else "<=")
    )
    if comp not in COMPARATORS:
        raise ValidationError(
            {
                "comparator": _("The comparator is one of %(list)s.")
                % {"list": ", ".join(COMPARATORS)}
            }
        )
    if current is not None and current.value == number and current.comparator == comp:
        raise ValidationError(
            {"value": _("The proposed target equals the current one (%(v)s).") % {"v": number}}
        )
    if TargetProposal.objects.filter(
        indicator=ind, unit=unit, year=year, status=ProposalStatus.PENDING
    ).exists():
        raise ValidationError(
            {
                "year": _("A proposal for %(code)s in %(year)s already awaits approval.")
                % {"code": ind.code, "year": year}
            }
        )
    fc = forecast_or_none(ind, unit)
    basis: dict[str, Any] = {}
    if fc is not None:
        basis = {
            k: fc[k] for k in ("target", "target_year", "forecast", "interval", "p_meet", "verdict")
        }
        basis["latest"] = fc["latest"]
    proposal = TargetProposal.objects.create(
        indicator=ind,
        unit=unit,
        year=year,
        current_value=None if current is None else current.value,
        current_comparator="" if current is None else current.comparator,
        value=number,
        comparator=comp,
        reason=text,
        basis=basis,
        proposed_by=actor,
    )
    audit_record(
        actor=actor,
        action="target.propose",
        object_type="indicators.targetproposal",
        object_id=proposal.pk,
        after=proposal_dict(proposal),
        unit_path=unit.path if unit else "",
    )
    return proposal


@transaction.atomic
def proposal_decide(
    *, scope: Scope, actor: User | None, proposal_id: int, approve: bool, note: str = ""
) -> TargetProposal:
    """Approve (the target is set) or reject a pending proposal; not by its proposer."""
    proposal = (
        TargetProposal.objects.select_for_update(of=("self",))
        .select_related("indicator", "unit", "proposed_by")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise ValidationError({"proposal": _("Unknown proposal: %(id)s.") % {"id": proposal_id}})
    require_unit_writer(scope, proposal.unit)
    if proposal.status != ProposalStatus.PENDING:
        raise ValidationError(
            {
                "proposal": _("The proposal %(id)s was already decided (%(status)s).")
                % {"id": proposal.pk, "status": proposal.get_status_display()}
            }
        )
    if (actor.pk if actor else None) == proposal.proposed_by_id:
        raise PermissionDenied(_("A proposal is approved or rejected by another officer."))
    before = proposal_dict(proposal)
    proposal.status = ProposalStatus.APPROVED if approve else ProposalStatus.REJECTED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.decision_note = clean(note or "")
    proposal.save()
    if approve:
        current = target_for(proposal.indicator, proposal.unit, proposal.year)
        target_set(
            scope=scope,
            actor=actor,
            indicator_code=proposal.indicator.code,
            unit_code=unit_code(proposal.unit),
            year=proposal.year,
            value=proposal.value,
            comparator=proposal.comparator,
            kind=current.kind
            if current is not None and current.unit == proposal.unit
            else "target",
        )
    audit_record(
        actor=actor,
        action="target.proposal.approve" if approve else "target.proposal.reject",
        object_type="indicators.targetproposal",
        object_id=proposal.pk,
        before=before,
        after=proposal_dict(proposal),
        unit_path=proposal.unit.path if proposal.unit else "",
    )
    return proposal


def proposal_list(*, scope: Scope, status: str | None = None) -> QuerySet[TargetProposal]:
    """Proposals of the units the officer may read (national ones for every officer)."""
    require_officer(scope)
    qs = TargetProposal.objects.select_related("indicator", "unit", "proposed_by", "decided_by")
    if status:
        if status not in ProposalStatus.values:
            raise ValidationError({"status": _("Unknown status: %(v)s.") % {"v": status}})
        qs = qs.filter(status=status)
    allowed = [p.pk for p in qs if can_read_unit(scope, p.unit)]
    return qs.filter(pk__in=allowed)
