"""Import of a plan from XLSX (the export layout): all rows or none, errors named by row and column."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from thuocdo.accounts.selectors import scope_for
from thuocdo.accounts.services import audit_record
from thuocdo.core.text import clean
from thuocdo.geo.selectors import legacy_province
from thuocdo.plans import selectors, xlsx
from thuocdo.plans.domain.units import successor_of
from thuocdo.plans.models import Level, Plan, Status, Task, TaskGroup
from thuocdo.plans.services.common import (
    check_dates,
    check_indicator,
    parse_deadline,
    record_update,
    resolve_deadline,
    today,
)
from thuocdo.plans.services.plans import check_year, plan_unit
from thuocdo.plans.services.tasks import check_progress, task_update


@dataclass(frozen=True)
class ImportReport:
    plan: Plan
    created: int
    updated: int
    unchanged: int
    # lead units that no registry agency stands for yet (selectors.plan_unregistered_units)
    unregistered: list[selectors.UnregisteredUnit] = field(default_factory=list)


def _messages(exc: ValidationError | PermissionDenied) -> list[tuple[str, str]]:
    if isinstance(exc, PermissionDenied):
        return [("", str(exc) or _("You do not have permission to do this."))]
    if hasattr(exc, "error_dict"):
        return [(f, str(m)) for f, msgs in exc.message_dict.items() for m in msgs]
    return [("", str(m)) for m in exc.messages]


def _where(row: int, key: str) -> str:
    if key in {k for k, _label in xlsx.COLUMNS}:
        return _("Row %(row)s, column “%(column)s”") % {
            "row": row,
            "column": xlsx.column_label(key),
        }
    return _("Row %(row)s") % {"row": row}


def _plan_from_meta(*, actor: Any, meta: dict[str, Any]) -> tuple[Plan, bool]:
    raw_id = xlsx.text_of(meta.get("id"))
    if raw_id:
        if not raw_id.isdigit():
            raise ValidationError({"id": _("The plan id must be a number.")})
        if actor is None:
            plan = Plan.objects.filter(pk=int(raw_id)).first()
            if plan is None:
                raise ValidationError(
                    {"id": _("No plan with id %(id)s in your area.") % {"id": raw_id}}
                )
            return plan, False
        return selectors.plan_get(scope=scope_for(actor), plan_id=int(raw_id)), False
    title = xlsx.text_of(meta.get("title"))
    if not title:
        raise ValidationError({"title": _("A new plan needs a title (sheet “Kế hoạch”).")})
    year = check_year(meta.get("year"))
    unit_code = xlsx.text_of(meta.get("unit"))
    origin = legacy_province(unit_code) if unit_code else None
    if origin is not None:  # a legacy province's plan is carried into its successor
        unit_code = origin[1].code
    unit = plan_unit(unit_code) if unit_code else None
    unit_level = None if unit is None else Level(unit.level)  # province or commune
    level = xlsx.text_of(meta.get("level")) or unit_level or Level.NATIONAL
    if level not in Level.values:
        raise ValidationError({"level": _("Unknown plan level %(level)s.") % {"level": level}})
    fits = {unit_level} if unit_level else {Level.NATIONAL, Level.MINISTRY}
    if level not in fits:
        raise ValidationError(
            {
                "level": _("Level %(level)s does not fit unit “%(unit)s”; expected %(fits)s.")
                % {
                    "level": level,
                    "unit": unit_code or "—",
                    "fits": ", ".join(sorted(fits)),
                }
            }
        )
    path = unit.path if unit else ""
    if not selectors.can_manage_plan(user=actor, unit_path=path):
        raise PermissionDenied(_("You may not create plans for this unit."))
    if Plan.objects.filter(framework_code="", level=level, unit=unit, year=year).exists():
        raise ValidationError(
            {
                "id": _(
                    "A plan without a framework for this unit and year %(year)s exists; give "
                    "its id to update it."
                )
                % {"year": year}
            }
        )
    # A commune plan implements its province's plan of the year (the one without framework).
    parent = None
    if unit is not None and unit_level == Level.COMMUNE:
        province_path = "/".join(path.split("/")[:2]) + "/"
        parent = Plan.objects.filter(
            unit_path=province_path, level=Level.PROVINCE, year=year, framework_code=""
        ).first()
    plan = Plan.objects.create(
        title=title[:300],
        level=level,
        unit=unit,
        unit_path=path,
        year=year,
        parent=parent,
        created_by=actor,
        origin_unit=origin[0] if origin else None,
    )
    if origin is not None:
        audit_record(
            actor=actor,
            action="plans.plan.carry_over",
            object_type="plans.plan",
            object_id=plan.pk,
            after={
                "from": {"code": origin[0].code, "name": origin[0].name},
                "to": {"code": origin[1].code, "name": origin[1].name},
            },
            unit_path=plan.unit_path,
        )
    return plan, True


def _optional_date(value: Any, key: str) -> date | None:
    parsed = xlsx.cell_date(value)
    if isinstance(parsed, str):
        raise ValidationError({key: _("“%(text)s” is not a date (dd/mm/yyyy).") % {"text": parsed}})
    return parsed


def _lead(plan: Plan, text: str) -> tuple[str, str]:
    depts = selectors.departments_of(plan)
    merged = successor_of(text)
    if merged is not None:  # a department merged in 2025 leads through its successor
        return merged.successor, f"{merged.successor_name} ({_('formerly')} {text})"
    if not depts:
        return text, text
    dept = next((d for d in depts if d.matches(text)), None)
    if dept is None:
        raise ValidationError({"lead_unit": _("Unknown unit %(unit)s.") % {"unit": text}})
    return dept.code, dept.name_vi


def _coordinating(plan: Plan, text: str) -> list[str]:
    """The coordinating units of a cell (comma-separated), as codes when the plan has
    departments (its departments and the supporting units of its framework)."""
    names = [c.strip() for c in text.split(",") if c.strip()]
    depts = selectors.units_of(plan)
    if not depts:
        return names
    codes = []
    for name in names:
        dept = next((d for d in depts if d.matches(name)), None)
        if dept is None:
            raise ValidationError(
                {"coordinating_units": _("Unknown unit %(unit)s.") % {"unit": name}}
            )
        codes.append(dept.code)
    return codes


def _new_task(*, actor: Any, plan: Plan, values: dict[str, Any], code: str, position: int) -> Task:
    if not selectors.can_manage_plan(user=actor, plan=plan):
        raise PermissionDenied(_("Only the plan's owner may add tasks."))
    group_code = xlsx.text_of(values.get("group"))
    if not group_code:
        raise ValidationError({"group": _("The group code is required.")})
    title = xlsx.text_of(values.get("title"))
    if not title:
        raise ValidationError({"title": _("The task title is required.")})
    lead_text = xlsx.text_of(values.get("lead_unit"))
    if not lead_text:
        raise ValidationError({"lead_unit": _("The lead unit is required.")})
    lead, lead_name = _lead(plan, lead_text)
    group = plan.groups.filter(code=group_code).first()
    if group is None:
        group = TaskGroup.objects.create(
            plan=plan,
            code=group_code,
            title_vi=xlsx.text_of(values.get("group_title")) or group_code,
            position=plan.groups.count(),
        )
    deadline_text = xlsx.text_of(values.get("deadline"))
    rd = resolve_deadline(parse_deadline(deadline_text) if deadline_text else None, plan.year)
    start = _optional_date(values.get("start"), "start") or date(plan.year, 1, 1)
    check_dates(start, rd.due)
    status = xlsx.status_from_cell(values.get("status")) or Status.NOT_STARTED
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status %(status)s.") % {"status": status}})
    raw_progress = values.get("progress")
    progress = 0 if raw_progress in (None, "") else check_progress(raw_progress)
    task = Task.objects.create(
        plan=plan,
        group=group,
        code=code,
        position=position,
        title_vi=title,
        lead_unit=lead,
        lead_unit_name=lead_name,
        coordinating_units=_coordinating(plan, xlsx.text_of(values.get("coordinating_units"))),
        start=start,
        deadline=rd.due,
        deadline_spec=rd.text,
        deadline_kind=rd.kind,
        implementing_unit=clean(xlsx.text_of(values.get("implementing_unit")))[:300],
        period=clean(xlsx.text_of(values.get("period")))[:50],
        expected_output=xlsx.text_of(values.get("expected_output")),
        kpi=xlsx.text_of(values.get("kpi")),
        indicator_code=check_indicator(xlsx.text_of(values.get("indicator")), field="indicator"),
        status=status,
        progress=100 if status == Status.DONE else progress,
    )
    record_update(
        task=task,
        actor=actor,
        kind="import",
        on=today(),
        note=clean(xlsx.text_of(values.get("note"))),
        status_to=task.status,
        progress_to=task.progress,
        changes={"created": True},
    )
    return task


def _update_task(*, actor: Any, task: Task, values: dict[str, Any]) -> bool:
    kwargs: dict[str, Any] = {}
    status = xlsx.status_from_cell(values.get("status"))
    if status is not None and status != task.status:
        kwargs["status"] = status
    raw_progress = values.get("progress")
    if raw_progress not in (None, ""):
        progress = check_progress(raw_progress)
        if progress != task.progress and (kwargs.get("status") or task.status) != Status.DONE:
            kwargs["progress"] = progress
    lead = xlsx.text_of(values.get("lead_unit"))
    if lead and lead not in {task.lead_unit, task.lead_unit_name}:
        kwargs["lead_unit"] = lead
    deadline = xlsx.text_of(values.get("deadline"))
    if deadline and deadline != task.deadline_spec:
        kwargs["deadline"] = deadline
    start = _optional_date(values.get("start"), "start")
    if start is not None and start != task.start:
        kwargs["start"] = start
    indicator = xlsx.text_of(values.get("indicator"))
    if indicator and indicator != task.indicator_code:
        kwargs["indicator_code"] = check_indicator(indicator, field="indicator")
    note = xlsx.text_of(values.get("note"))
    if not kwargs and not note:
        return False
    task_update(actor=actor, task=task, note=note, **kwargs)
    return True


@transaction.atomic
def plan_import(*, actor: Any, data: bytes) -> ImportReport:
    """Create or update a plan from an XLSX file; every row is checked and, if any row is
    wrong, nothing is written and the error names every wrong row and column."""
    sheet = xlsx.read_plan(data)
    try:
        plan, created_plan = _plan_from_meta(actor=actor, meta=sheet.meta)
    except ValidationError as exc:
        raise ValidationError([f"{xlsx.META_SHEET}: {msg}" for _f, msg in _messages(exc)]) from exc
    existing = {t.code: t for t in plan.tasks.select_related("plan", "group")}
    position = max((t.position for t in existing.values()), default=-1) + 1
    errors: list[str] = []
    seen: set[str] = set()
    created = updated = unchanged = 0
    for row in sheet.rows:
        code = xlsx.text_of(row.values.get("code"))
        sid = transaction.savepoint()
        try:
            if not code:
                raise ValidationError({"code": _("The task code is required.")})
            if code in seen:
                raise ValidationError(
                    {"code": _("Task %(task)s appears twice in the file.") % {"task": code}}
                )
            seen.add(code)
            if code in existing:
                if _update_task(actor=actor, task=existing[code], values=row.values):
                    updated += 1
                else:
                    unchanged += 1
            else:
                _new_task(actor=actor, plan=plan, values=row.values, code=code, position=position)
                position += 1
                created += 1
            transaction.savepoint_commit(sid)
        except (ValidationError, PermissionDenied) as exc:
            transaction.savepoint_rollback(sid)
            for key, message in _messages(exc):
                errors.append(f"{_where(row.number, key)}: {message}")
    if errors:
        raise ValidationError(errors)
    from thuocdo.plans.services.lifecycle import plan_link_agencies

    plan_link_agencies(plan)
    audit_record(
        actor=actor,
        action="plans.plan.import",
        object_type="plans.Plan",
        object_id=plan.pk,
        after={
            "created_plan": created_plan,
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
        },
        unit_path=plan.unit_path,
    )
    return ImportReport(
        plan=plan,
        created=created,
        updated=updated,
        unchanged=unchanged,
        unregistered=selectors.plan_unregistered_units(plan),
    )
