"""Plan services: the wizard that makes a plan from a framework.

Every refusal is a ``ValidationError`` (field → message, in the active language, Vietnamese by
default) or a ``PermissionDenied``; nothing is written when one is raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from thuocdo.accounts.services import audit_record
from thuocdo.geo.models import Level as GeoLevel
from thuocdo.geo.models import Structure, Unit
from thuocdo.plans import selectors
from thuocdo.plans.domain.deadlines import (
    DeadlineSpecError,
    FixedDeadline,
)
from thuocdo.plans.domain.frameworks import (
    FrameworkDef,
    TaskDef,
    adjusted,
    match_indicator,
    province_deadline,
)
from thuocdo.plans.models import (
    Framework,
    Level,
    Plan,
    Task,
    TaskGroup,
)
from thuocdo.plans.services.common import (
    check_dates,
    resolve_deadline,
)

# --------------------------------------------------------------------------- plans


def province_unit(unit_code: str) -> Unit:
    code = str(unit_code or "").strip()
    unit = Unit.objects.filter(structure=Structure.CURRENT, code=code).first()
    if unit is None or unit.level != GeoLevel.PROVINCE:
        raise ValidationError(
            {"unit": _("Unknown province code %(code)s (current structure).") % {"code": code}}
        )
    return unit


def plan_unit(unit_code: str) -> Unit:
    """The province or commune (current structure) an imported plan belongs to."""
    code = str(unit_code or "").strip()
    unit = Unit.objects.filter(structure=Structure.CURRENT, code=code).first()
    if unit is None or unit.level not in (GeoLevel.PROVINCE, GeoLevel.COMMUNE):
        raise ValidationError(
            {
                "unit": _("Unknown province or commune code %(code)s (current structure).")
                % {"code": code}
            }
        )
    return unit


def check_year(year: Any) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError):
        value = 0
    if not 2000 <= value <= 2100:
        raise ValidationError({"year": _("The year must be between 2000 and 2100.")})
    return value


def _normalise_assignment(
    fw: FrameworkDef, code: str, value: Any
) -> tuple[str, tuple[str, ...] | None, str | None]:
    """(lead, coordinating or None, deadline or None) from one ``assignments`` entry."""
    if isinstance(value, str):
        lead, coordinating, deadline = value, None, None
    elif isinstance(value, Mapping):
        lead = str(value.get("lead") or "")
        raw = value.get("coordinating")
        coordinating = None if raw is None else tuple(str(x) for x in raw)
        deadline = value.get("deadline")
    else:
        raise ValidationError({f"assignments.{code}": _("An assignment is a department code.")})
    dept = fw.department(lead)
    if dept is None:
        raise ValidationError(
            {
                f"assignments.{code}": _("Unknown unit %(unit)s for task %(task)s.")
                % {"unit": lead, "task": code}
            }
        )
    if coordinating is not None:
        resolved = []
        for c in coordinating:
            d = fw.department(c)
            if d is None:
                raise ValidationError(
                    {
                        f"assignments.{code}": _("Unknown unit %(unit)s for task %(task)s.")
                        % {"unit": c, "task": code}
                    }
                )
            resolved.append(d.code)
        coordinating = tuple(resolved)
    return dept.code, coordinating, deadline


def _is_period(spec: Any) -> bool:
    return isinstance(spec, FixedDeadline) and spec.start_year is not None


def _milestones(t: TaskDef, *, framework_year: int, plan_year: int) -> list[dict[str, Any]]:
    """The source's intermediate milestones of ``t``, dated in the plan year."""
    out = []
    for m in t.milestones:
        try:
            spec = adjusted(m["deadline"], framework_year=framework_year, plan_year=plan_year)
        except DeadlineSpecError as exc:
            raise ValidationError(
                {
                    f"milestones.{t.code}": _('Deadline "%(text)s" is not understood.')
                    % {"text": m["deadline"]}
                }
            ) from exc
        rd = resolve_deadline(spec, plan_year)
        out.append(
            {
                "label_vi": m["label_vi"],
                "label_en": m["label_en"],
                "due": rd.due.isoformat() if rd.due else None,
                "spec": rd.text,
                "text": m["deadline_text"],
            }
        )
    return out


@transaction.atomic
def plan_instantiate(
    *,
    actor: Any,
    framework: str | Framework,
    unit_code: str | None,
    year: int,
    assignments: Mapping[str, Any] | None = None,
) -> Plan:
    """Make a plan of ``unit_code`` (a province; None: the national plan) for ``year`` from a
    framework, each task assigned to a department (the framework's default assignment unless
    ``assignments`` maps a task code to a department code or to ``{"lead", "coordinating",
    "deadline"}``), deadlines adjusted to the year."""
    fw_obj = framework if isinstance(framework, Framework) else selectors.framework_get(framework)
    fw = selectors.framework_def(fw_obj)
    plan_year = check_year(year)
    assignments = dict(assignments or {})
    unit: Unit | None = None
    if unit_code:
        unit = province_unit(unit_code)
        if not fw.assignable:
            raise ValidationError(
                {
                    "framework": _(
                        "Framework %(code)s has no assignment to provincial departments; "
                        "it can only be made into a national plan."
                    )
                    % {"code": fw.code}
                }
            )
    path = unit.path if unit else ""
    if not selectors.can_manage_plan(user=actor, unit_path=path):
        raise PermissionDenied(_("You may not create plans for this unit."))
    level = Level.PROVINCE if unit else Level.NATIONAL
    if Plan.objects.filter(framework_code=fw.code, level=level, unit=unit, year=plan_year).exists():
        raise ValidationError(
            {
                "year": _("A plan from framework %(code)s for this unit and year %(year)s exists.")
                % {"code": fw.code, "year": plan_year}
            }
        )
    known = {t.code for t in fw.tasks}
    for code in assignments:
        if code not in known:
            raise ValidationError(
                {f"assignments.{code}": _("Unknown task %(task)s.") % {"task": code}}
            )

    parent = None
    if unit is not None:
        parent = Plan.objects.filter(
            framework_code=fw.code, level=Level.NATIONAL, year=plan_year
        ).first()
    name = fw.name_vi
    plan = Plan.objects.create(
        title=f"{name} — {unit.name} {plan_year}" if unit else f"{name} {plan_year}",
        level=level,
        unit=unit,
        unit_path=path,
        year=plan_year,
        parent=parent,
        framework=fw_obj,
        framework_code=fw.code,
        created_by=actor,
    )
    # A province plan holds the tasks the framework assigns to provinces (all of province-dx).
    selected = [
        (pos, t)
        for pos, t in enumerate(fw.tasks)
        if unit is None or t.assignment is not None or t.code in assignments
    ]
    used = {t.group for _pos, t in selected}
    TaskGroup.objects.bulk_create(
        TaskGroup(plan=plan, code=g.code, title_vi=g.title_vi, title_en=g.title_en, position=pos)
        for pos, g in enumerate(fw.groups)
        if g.code in used
    )
    groups = {g.code: g for g in plan.groups.all()}
    start = date(plan_year, 1, 1)
    dept_names = {d.code: d.name_vi for d in fw.departments}
    indicators = selectors.indicator_names()
    tasks: list[Task] = []
    for pos, t in selected:
        lead, lead_name = t.lead, t.lead
        coordinating: tuple[str, ...] = t.coordinating
        deadline_text = t.deadline
        if unit is not None and t.assignment is not None:
            lead = t.assignment.lead
            # The provincial departments, then the supporting units the source names.
            coordinating = t.assignment.coordinating + tuple(
                c
                for c in t.coordinating
                if c not in t.assignment.coordinating and any(u.code == c for u in fw.units)
            )
            deadline_text = province_deadline(t)
        if t.code in assignments:
            lead, override_coord, override_deadline = _normalise_assignment(
                fw, t.code, assignments[t.code]
            )
            if override_coord is not None:
                coordinating = override_coord
            if override_deadline:
                deadline_text = override_deadline
        if unit is not None:
            lead_name = dept_names.get(lead, lead)
        try:
            spec = adjusted(deadline_text, framework_year=fw.default_year, plan_year=plan_year)
        except DeadlineSpecError as exc:
            raise ValidationError(
                {
                    f"assignments.{t.code}": _('Deadline "%(text)s" is not understood.')
                    % {"text": deadline_text}
                }
            ) from exc
        rd = resolve_deadline(spec, plan_year)
        task_start = start
        if isinstance(spec, FixedDeadline) and spec.start_year is not None:
            task_start = date(min(spec.start_year, plan_year), 1, 1)
        if rd.due is not None and rd.due < task_start:
            # A task the framework dates before the plan year (sector-de-2025 9.a.P3, due
            # "Quý IV/2024") is carried over: it starts on 1 January of its own year.
            task_start = date(rd.due.year, 1, 1)
        check_dates(task_start, rd.due, where=t.code)
        tasks.append(
            Task(
                plan=plan,
                group=groups[t.group],
                code=t.code,
                position=pos,
                title_vi=t.title_vi,
                title_en=t.title_en,
                lead_unit=lead,
                lead_unit_name=lead_name,
                coordinating_units=list(coordinating),
                start=task_start,
                deadline=rd.due,
                deadline_spec=rd.text,
                deadline_kind=rd.kind,
                deadline_text=(t.assignment.deadline_text if unit and t.assignment else None)
                or t.deadline_text
                or "",
                expected_output=t.expected_output_vi,
                kpi=t.kpi,
                indicator_code=t.indicator_code or match_indicator(t.kpi, indicators),
                survey_stage=t.survey_stage or "",
                sectors=list(t.sectors),
                entity_types=list(t.entity_types),
                min_responses=t.min_responses,
                min_communes=t.min_communes,
                implementing_unit=t.implementing_unit,
                period=t.period or (rd.text if _is_period(spec) else ""),
                description=t.description_vi,
                resources=list(t.resources),
                milestones=_milestones(t, framework_year=fw.default_year, plan_year=plan_year),
            )
        )
    Task.objects.bulk_create(tasks)
    if fw.targets:
        from thuocdo.plans.services.lifecycle import plan_targets_create

        plan_targets_create(plan, fw)
    if unit is not None:
        from thuocdo.plans.services.lifecycle import plan_link_agencies

        plan_link_agencies(plan)
    audit_record(
        actor=actor,
        action="plans.plan.instantiate",
        object_type="plans.Plan",
        object_id=plan.pk,
        after={
            "framework": fw.code,
            "year": plan_year,
            "unit": unit.code if unit else None,
            "tasks": len(tasks),
        },
        unit_path=path,
    )
    return plan
