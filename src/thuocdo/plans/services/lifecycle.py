"""A plan's life cycle: approve (decision number and date), send to the ministry (the XLSX the
ministry asks for), evaluate at year end against its targets. Each step audited; a step out of
order is refused with the names of both stages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from thuocdo.accounts.services import audit_record
from thuocdo.plans import selectors
from thuocdo.plans.domain.frameworks import FrameworkDef
from thuocdo.plans.domain.lifecycle import achieved, evaluation_opens, next_stage
from thuocdo.plans.models import Plan, PlanTarget, Stage
from thuocdo.plans.services.common import today

__all__ = [
    "follow_registry",
    "plan_approve",
    "plan_evaluate",
    "plan_link_agencies",
    "plan_send",
    "plan_targets_create",
    "unit_link_agencies",
]


def plan_link_agencies(plan: Plan) -> int:
    """Link each task of ``plan`` to the registry agency of its lead department (see
    ``selectors.department_agency``); returns how many tasks are linked."""
    from thuocdo.plans.models import Task

    linked = 0
    cache: dict[tuple[str, str], Any] = {}
    changed: list[Task] = []
    for task in plan.tasks.all():
        key = (task.lead_unit, task.lead_unit_name)
        if key not in cache:
            cache[key] = selectors.department_agency(
                plan=plan, code=task.lead_unit, name=task.lead_unit_name
            )
        agency = cache[key]
        if agency is not None:
            linked += 1
        coordinating: list[int] = []
        for code in task.coordinating_units:
            ckey = (str(code), str(code))
            if ckey not in cache:
                cache[ckey] = selectors.department_agency(plan=plan, code=str(code), name="")
            if cache[ckey] is not None and cache[ckey].pk not in coordinating:
                coordinating.append(cache[ckey].pk)
        if (agency.pk if agency else None) != task.lead_organisation_id or (
            coordinating != task.coordinating_organisations
        ):
            task.lead_organisation = agency
            task.coordinating_organisations = coordinating
            changed.append(task)
    Task.objects.bulk_update(changed, ["lead_organisation", "coordinating_organisations"])
    return linked


def unit_link_agencies(unit_id: int) -> int:
    """Link again the tasks of every plan of the administrative unit ``unit_id`` (after its
    registry agencies changed); returns how many tasks are linked."""
    return sum(plan_link_agencies(plan) for plan in Plan.objects.filter(unit_id=unit_id))


_pending: set[int] = set()


def _relink(unit_id: int) -> None:
    # one relink per unit however many of its agencies one transaction saved
    if unit_id in _pending:
        _pending.discard(unit_id)
        unit_link_agencies(unit_id)


def _agency_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.entity_type != "agency_department" or instance.admin_unit_id is None:
        return
    unit_id = int(instance.admin_unit_id)
    _pending.add(unit_id)
    transaction.on_commit(lambda: _relink(unit_id))


def follow_registry() -> None:
    """Subscribe to the organisation registry: when a department agency is registered,
    renamed or merged, the tasks of its province's plans are linked again once the change is
    committed, so rights and reminders follow the registry (called at start-up)."""
    from django.db.models.signals import post_save

    from thuocdo.assessments.models import Organisation

    post_save.connect(_agency_saved, sender=Organisation, dispatch_uid="plans.follow_registry")


def plan_targets_create(plan: Plan, fw: FrameworkDef) -> int:
    """Copy the frame's targets onto a new plan (called by the wizard)."""
    PlanTarget.objects.bulk_create(
        PlanTarget(
            plan=plan,
            code=t.code,
            position=pos,
            title_vi=t.title_vi,
            title_en=t.title_en,
            value=t.value,
            comparator=t.comparator,
            unit=t.unit,
            text=t.text,
            section=t.section,
            indicator_code=t.indicator_code,
            register=t.register,
        )
        for pos, t in enumerate(fw.targets)
    )
    return len(fw.targets)


def _snapshot(plan: Plan) -> dict[str, Any]:
    return {
        "stage": plan.stage,
        "decision_number": plan.decision_number,
        "decision_date": plan.decision_date.isoformat() if plan.decision_date else None,
        "sent_on": plan.sent_on.isoformat() if plan.sent_on else None,
        "evaluated_on": plan.evaluated_on.isoformat() if plan.evaluated_on else None,
    }


def _move(*, actor: Any, plan: Plan, to: str) -> Plan:
    """Lock the plan, check the actor and that ``to`` follows the plan's stage."""
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if not selectors.can_manage_plan(user=actor, plan=locked):
        raise PermissionDenied(_("You may not change the life cycle of this plan."))
    if next_stage(locked.stage) != to:
        labels = dict(Stage.choices)
        following = next_stage(locked.stage)
        raise ValidationError(
            {
                "stage": _(
                    "Plan “%(plan)s” is at stage “%(current)s”; it cannot move to "
                    "“%(target)s” (next stage: %(next)s)."
                )
                % {
                    "plan": locked.title,
                    "current": labels[locked.stage],
                    "target": labels.get(to, to),
                    "next": labels[following] if following else _("none, the plan is evaluated"),
                }
            }
        )
    return locked


def _day(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationError(
            {field: _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}}
        ) from None


def _audit(*, actor: Any, plan: Plan, action: str, before: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="plans.plan",
        object_id=plan.pk,
        before=before,
        after=_snapshot(plan),
        unit_path=plan.unit_path,
    )


@transaction.atomic
def plan_approve(*, actor: Any, plan: Plan, decision_number: str, decision_date: Any) -> Plan:
    """Draft → approved, with the approving decision's number and date."""
    locked = _move(actor=actor, plan=plan, to=Stage.APPROVED)
    number = " ".join(str(decision_number or "").split())
    if not number:
        raise ValidationError(
            {"decision_number": _("The decision number is required to approve a plan.")}
        )
    day = _day(decision_date, "decision_date")
    if day > today():
        raise ValidationError({"decision_date": _("The decision date may not be in the future.")})
    before = _snapshot(locked)
    locked.stage, locked.decision_number, locked.decision_date = Stage.APPROVED, number, day
    locked.save(update_fields=["stage", "decision_number", "decision_date"])
    _audit(actor=actor, plan=locked, action="plans.plan.approve", before=before)
    return locked


@transaction.atomic
def plan_send(*, actor: Any, plan: Plan, on: date | None = None) -> tuple[Plan, bytes]:
    """Approved → sent to the ministry; returns the plan and the XLSX sent."""
    from thuocdo.plans.ministry_xlsx import export_ministry

    locked = _move(actor=actor, plan=plan, to=Stage.SENT)
    day = on or today()
    if locked.decision_date and day < locked.decision_date:
        raise ValidationError(
            {
                "on": _("A plan cannot be sent before the date of its decision (%(date)s).")
                % {"date": locked.decision_date.strftime("%d/%m/%Y")}
            }
        )
    before = _snapshot(locked)
    locked.stage, locked.sent_on = Stage.SENT, day
    locked.save(update_fields=["stage", "sent_on"])
    _audit(actor=actor, plan=locked, action="plans.plan.send", before=before)
    return locked, export_ministry(locked)


@transaction.atomic
def plan_evaluate(
    *,
    actor: Any,
    plan: Plan,
    results: Mapping[str, Any] | None = None,
    on: date | None = None,
    note: str = "",
) -> Plan:
    """Sent → evaluated: each target's value reached (``results`` by target code; a target
    measured by the register of information systems is computed from it when not given)."""
    locked = _move(actor=actor, plan=plan, to=Stage.EVALUATED)
    day = on or today()
    opens = evaluation_opens(locked.year)
    if day < opens:
        raise ValidationError(
            {
                "on": _("A plan of %(year)s is evaluated at the year end, from %(date)s.")
                % {"year": locked.year, "date": opens.strftime("%d/%m/%Y")}
            }
        )
    results = dict(results or {})
    targets = list(locked.targets.all())
    known = {t.code for t in targets}
    for code in results:
        if code not in known:
            raise ValidationError(
                {f"results.{code}": _("Plan has no target %(code)s.") % {"code": code}}
            )
    register = selectors.register_shares(unit_path=locked.unit_path, on=day)
    from_register: set[str] = set()
    for t in targets:
        raw = results.get(t.code)
        if raw is None or raw == "":
            value = register.get(t.register) if t.register else None
            if t.register and t.indicator_code:
                from_register.add(t.indicator_code)
        else:
            try:
                value = float(str(raw).replace(",", "."))
            except ValueError:
                raise ValidationError(
                    {
                        f"results.{t.code}": _("Target %(code)s: “%(value)s” is not a number.")
                        % {"code": t.code, "value": raw}
                    }
                ) from None
        t.result = value
        t.achieved = (
            None if value is None else achieved(value, target=t.value, comparator=t.comparator)
        )
    PlanTarget.objects.bulk_update(targets, ["result", "achieved"])
    before = _snapshot(locked)
    locked.stage, locked.evaluated_on, locked.evaluation_note = Stage.EVALUATED, day, note.strip()
    locked.save(update_fields=["stage", "evaluated_on", "evaluation_note"])
    _audit(actor=actor, plan=locked, action="plans.plan.evaluate", before=before)
    _measure_from_register(actor=actor, plan=locked, day=day, codes=from_register)
    return locked


def _measure_from_register(*, actor: Any, plan: Plan, day: date, codes: set[str]) -> None:
    """The targets measured from the register give their indicators the year's value (see
    ``register.register_measure``); a refusal (a locked or closed period, no reporting right)
    leaves the evaluation as it is and is kept in the audit trail."""
    from thuocdo.plans.services.register import register_measure

    if not codes or plan.unit_id is None or plan.level != "province":
        return
    measured_on = min(day, date(plan.year, 12, 31))
    if measured_on > today():
        return
    result = register_measure(
        actor=actor,
        unit_code=plan.unit.code if plan.unit else "",
        year=plan.year,
        on=measured_on,
        only=codes,
        strict=False,
    )
    audit_record(
        actor=actor,
        action="plans.plan.measure",
        object_type="plans.plan",
        object_id=plan.pk,
        after=result,
        unit_path=plan.unit_path,
    )
