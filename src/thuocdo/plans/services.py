"""Writes of the plans app: keyword-only, atomic, audited.

Every refusal is a ``ValidationError`` (field → message, in the active language, Vietnamese by
default) or a ``PermissionDenied``; nothing is written when one is raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuocdo.accounts.services import audit_record
from thuocdo.core.text import clean
from thuocdo.geo.models import Level as GeoLevel
from thuocdo.geo.models import Structure, Unit
from thuocdo.plans import selectors
from thuocdo.plans.domain.deadlines import (
    Continuous,
    DeadlineSpec,
    DeadlineSpecError,
    FixedDeadline,
    Recurrence,
    format_spec,
    parse,
    resolve,
)
from thuocdo.plans.domain.frameworks import SURVEY_STAGES, FrameworkDef, adjusted
from thuocdo.plans.domain.workflow import (
    ALLOWED_EVIDENCE_TYPES,
    can_transition,
    evidence_type_ok,
    path_to,
)
from thuocdo.plans.models import (
    Evidence,
    Framework,
    Level,
    Plan,
    Status,
    Task,
    TaskGroup,
    TaskUpdate,
)

#: Largest evidence file, in bytes (also bounded by the MAX_UPLOAD_MB setting).
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


def evidence_max_bytes() -> int:
    return min(EVIDENCE_MAX_BYTES, int(getattr(settings, "MAX_UPLOAD_BYTES", EVIDENCE_MAX_BYTES)))


def task_snapshot(task: Task) -> dict[str, Any]:
    return {
        "code": task.code,
        "status": task.status,
        "progress": task.progress,
        "lead_unit": task.lead_unit,
        "start": task.start.isoformat() if task.start else None,
        "deadline": task.deadline.isoformat() if task.deadline else None,
        "deadline_spec": task.deadline_spec,
    }


def _actor_label(actor: Any) -> str:
    return "system" if actor is None else f"{actor.username} ({actor.role})"


def _today() -> date:
    return timezone.localdate()


# --------------------------------------------------------------------------- deadlines


def deadline_kind(spec: DeadlineSpec | None) -> str:
    if spec is None:
        return "none"
    if isinstance(spec, Continuous):
        return "continuous"
    if isinstance(spec, Recurrence):
        return "recurring"
    return "fixed"


def parse_deadline(text: str, *, field: str = "deadline") -> DeadlineSpec:
    try:
        return parse(text)
    except DeadlineSpecError as exc:
        raise ValidationError(
            {field: _('Deadline "%(text)s" is not understood.') % {"text": text}}
        ) from exc


@dataclass(frozen=True)
class ResolvedDeadline:
    spec: DeadlineSpec | None
    text: str
    due: date | None
    kind: str


def resolve_deadline(spec: DeadlineSpec | None, year: int) -> ResolvedDeadline:
    if spec is None:
        return ResolvedDeadline(None, "", None, "none")
    return ResolvedDeadline(spec, format_spec(spec), resolve(spec, year), deadline_kind(spec))


def _check_dates(start: date | None, due: date | None, *, where: str = "") -> None:
    if start is not None and due is not None and due < start:
        prefix = f"{where}: " if where else ""
        raise ValidationError(
            {
                "deadline": prefix
                + _("The deadline %(due)s is before the start %(start)s.")
                % {"due": due.strftime("%d/%m/%Y"), "start": start.strftime("%d/%m/%Y")}
            }
        )


# --------------------------------------------------------------------------- plans


def _province(unit_code: str) -> Unit:
    code = str(unit_code or "").strip()
    unit = Unit.objects.filter(structure=Structure.CURRENT, code=code).first()
    if unit is None or unit.level != GeoLevel.PROVINCE:
        raise ValidationError(
            {"unit": _("Unknown province code %(code)s (current structure).") % {"code": code}}
        )
    return unit


def _check_year(year: Any) -> int:
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
    plan_year = _check_year(year)
    assignments = dict(assignments or {})
    unit: Unit | None = None
    if unit_code:
        unit = _province(unit_code)
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
    groups: dict[str, TaskGroup] = {}
    for pos, g in enumerate(fw.groups):
        groups[g.code] = TaskGroup(
            plan=plan, code=g.code, title_vi=g.title_vi, title_en=g.title_en, position=pos
        )
    TaskGroup.objects.bulk_create(groups.values())
    groups = {g.code: g for g in plan.groups.all()}
    start = date(plan_year, 1, 1)
    dept_names = {d.code: d.name_vi for d in fw.departments}
    tasks: list[Task] = []
    for pos, t in enumerate(fw.tasks):
        if unit is not None and t.assignment is None and t.code not in assignments:
            continue  # not a task for provinces
        lead, lead_name = t.lead, t.lead
        coordinating: tuple[str, ...] = t.coordinating
        deadline_text = t.deadline
        if unit is not None and t.assignment is not None:
            lead = t.assignment.lead
            coordinating = t.assignment.coordinating
            deadline_text = t.assignment.deadline or t.deadline
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
        _check_dates(task_start, rd.due, where=t.code)
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
                indicator_code=t.indicator_code,
                survey_stage=t.survey_stage or "",
            )
        )
    Task.objects.bulk_create(tasks)
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


# --------------------------------------------------------------------------- tasks


def _record(
    *,
    task: Task,
    actor: Any,
    kind: str,
    on: date,
    note: str = "",
    status_from: str = "",
    status_to: str = "",
    progress_from: int | None = None,
    progress_to: int | None = None,
    changes: dict[str, Any] | None = None,
) -> TaskUpdate:
    return TaskUpdate.objects.create(
        task=task,
        on=on,
        actor=actor,
        actor_label=_actor_label(actor),
        kind=kind,
        status_from=status_from,
        status_to=status_to,
        progress_from=progress_from,
        progress_to=progress_to,
        note=note,
        changes=changes or {},
    )


def _check_progress(progress: Any) -> int:
    value: int | None = None
    if isinstance(progress, int) and not isinstance(progress, bool):
        value = progress
    elif isinstance(progress, float) and progress.is_integer():
        value = int(progress)
    elif isinstance(progress, str) and progress.strip().lstrip("-").isdigit():
        value = int(progress.strip())
    if value is None:
        raise ValidationError({"progress": _("Progress must be a whole number from 0 to 100.")})
    if not 0 <= value <= 100:
        raise ValidationError(
            {"progress": _("Progress must be from 0 to 100; got %(value)s.") % {"value": value}}
        )
    return value


def _status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


@transaction.atomic
def task_update(
    *,
    actor: Any,
    task: Task,
    status: str | None = None,
    progress: int | None = None,
    note: str = "",
    lead_unit: str | None = None,
    start: date | None = None,
    deadline: str | None = None,
    on: date | None = None,
) -> Task:
    """Change a task's status, progress, lead unit, start or deadline, with a note."""
    task = (
        Task.objects.select_for_update().select_related("plan", "plan__framework").get(pk=task.pk)
    )
    selectors.require_task_edit(user=actor, task=task)
    when = on or _today()
    before = task_snapshot(task)
    changes: dict[str, Any] = {}
    note = clean(note or "")[:5000]

    new_status = task.status
    if status is not None and status != task.status:
        if status not in Status.values:
            raise ValidationError({"status": _("Unknown status %(status)s.") % {"status": status}})
        if not can_transition(task.status, status):
            raise ValidationError(
                {
                    "status": _("A task cannot go from “%(from)s” to “%(to)s”.")
                    % {"from": _status_label(task.status), "to": _status_label(status)}
                }
            )
        new_status = status
    new_progress = task.progress if progress is None else _check_progress(progress)
    if new_status == Status.DONE:
        new_progress = 100
    elif new_status != task.status and new_status == Status.IN_PROGRESS and task.status == "done":
        new_progress = min(new_progress, 99)

    if lead_unit is not None:
        lead = clean(lead_unit)
        depts = selectors.departments_of(task.plan)
        if depts:
            dept = next((d for d in depts if d.matches(lead)), None)
            if dept is None:
                raise ValidationError(
                    {
                        "lead_unit": _("Unknown unit %(unit)s for task %(task)s.")
                        % {"unit": lead, "task": task.code}
                    }
                )
            lead, lead_name = dept.code, dept.name_vi
        else:
            if not lead:
                raise ValidationError({"lead_unit": _("The lead unit is required.")})
            lead_name = lead
        if lead != task.lead_unit:
            if not selectors.can_manage_plan(user=actor, plan=task.plan):
                raise PermissionDenied(_("Only the plan's owner may reassign a task."))
            changes["lead_unit"] = [task.lead_unit, lead]
            task.lead_unit, task.lead_unit_name = lead, lead_name
    if deadline is not None:
        spec = parse_deadline(deadline)
        rd = resolve_deadline(spec, task.plan.year)
        changes["deadline"] = [task.deadline_spec, rd.text]
        task.deadline, task.deadline_spec, task.deadline_kind = rd.due, rd.text, rd.kind
    if start is not None:
        changes["start"] = [before["start"], start.isoformat()]
        task.start = start
    _check_dates(task.start, task.deadline)

    if new_status != task.status:
        changes["status"] = [task.status, new_status]
    if new_progress != task.progress:
        changes["progress"] = [task.progress, new_progress]
    if not changes and not note:
        return task
    status_from, progress_from = task.status, task.progress
    task.status, task.progress = new_status, new_progress
    task.last_report_on = max(task.last_report_on or when, when)
    task.save()
    _record(
        task=task,
        actor=actor,
        kind="status" if "status" in changes else ("progress" if changes else "note"),
        on=when,
        note=note,
        status_from=status_from if "status" in changes else "",
        status_to=new_status if "status" in changes else "",
        progress_from=progress_from if "progress" in changes else None,
        progress_to=new_progress if "progress" in changes else None,
        changes=changes,
    )
    audit_record(
        actor=actor,
        action="plans.task.update",
        object_type="plans.Task",
        object_id=task.pk,
        before=before,
        after=task_snapshot(task),
        unit_path=task.plan.unit_path,
    )
    return task


def _walk_status(*, task: Task, actor: Any, target: str, on: date, note: str) -> bool:
    """Move ``task`` to ``target`` through the allowed steps, recording each one."""
    if task.status == target:
        return False
    before = task_snapshot(task)
    for step in path_to(task.status, target):
        status_from, progress_from = task.status, task.progress
        task.status = step
        if step == Status.DONE:
            task.progress = 100
        _record(
            task=task,
            actor=actor,
            kind="status",
            on=on,
            note=note,
            status_from=status_from,
            status_to=step,
            progress_from=progress_from if task.progress != progress_from else None,
            progress_to=task.progress if task.progress != progress_from else None,
            changes={"status": [status_from, step]},
        )
    task.last_report_on = max(task.last_report_on or on, on)
    task.save()
    audit_record(
        actor=actor,
        action="plans.task.update",
        object_type="plans.Task",
        object_id=task.pk,
        before=before,
        after=task_snapshot(task),
        unit_path=task.plan.unit_path,
    )
    return True


@transaction.atomic
def tasks_sync_survey_stage(*, unit_path: str, year: int, stage: str, actor: Any = None) -> int:
    """Mark the survey-programme tasks of ``stage`` in the plans of the province containing
    ``unit_path`` for ``year`` as done (called when a campaign is published; ``pilot`` for a
    pilot campaign). Returns how many tasks changed."""
    if stage not in SURVEY_STAGES:
        raise ValidationError(
            {
                "stage": _("Unknown survey stage %(stage)s; expected one of: %(stages)s.")
                % {"stage": stage, "stages": ", ".join(SURVEY_STAGES)}
            }
        )
    parts = [p for p in str(unit_path or "").split("/") if p]
    if len(parts) < 2:
        raise ValidationError({"unit_path": _("A unit path names at least a province.")})
    province_path = f"{parts[0]}/{parts[1]}/"
    tasks = (
        Task.objects.select_for_update()
        .select_related("plan")
        .filter(
            plan__unit_path=province_path,
            plan__year=int(year),
            survey_stage=stage,
        )
        .exclude(status__in=[Status.DONE, Status.CANCELLED])
        .order_by("pk")
    )
    note = _(
        "Completed automatically: a survey campaign of stage “%(stage)s” was published in %(year)s."
    ) % {"stage": stage, "year": year}
    changed = 0
    today = _today()
    for task in tasks:
        if _walk_status(task=task, actor=actor, target=Status.DONE, on=today, note=note):
            changed += 1
    return changed


@transaction.atomic
def tasks_mark_overdue(*, on: date, actor: Any = None, unit_path: str = "") -> int:
    """Set the status of open tasks overdue on ``on`` to overdue; returns how many."""
    qs = (
        Task.objects.select_for_update()
        .select_related("plan")
        .filter(status__in=[Status.NOT_STARTED, Status.IN_PROGRESS])
    )
    if unit_path:
        qs = qs.filter(plan__unit_path__startswith=unit_path)
    changed = 0
    note = _("Past its deadline on %(on)s.") % {"on": on.strftime("%d/%m/%Y")}
    for task in qs:
        if selectors.task_is_overdue(task, on):
            _walk_status(task=task, actor=actor, target=Status.OVERDUE, on=on, note=note)
            changed += 1
    return changed


# --------------------------------------------------------------------------- evidence


def _read_upload(upload: Any) -> tuple[str, bytes]:
    name = str(getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    limit = evidence_max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError({"file": _too_big(name, int(size), limit)})
    reader: IO[bytes] = upload
    data = reader.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"file": _too_big(name, len(data), limit)})
    return name, data


def _too_big(name: str, size: int, limit: int) -> str:
    return _("File %(name)s is %(size)s MB; the limit is %(limit)s MB.") % {
        "name": name,
        "size": f"{size / 1024 / 1024:.1f}",
        "limit": f"{limit / 1024 / 1024:.0f}",
    }


@transaction.atomic
def task_evidence_add(
    *,
    actor: Any,
    task: Task,
    file: Any = None,
    url: str = "",
    title: str = "",
) -> Evidence:
    """Attach a file (limited size and type) or a link to a task."""
    task = Task.objects.select_related("plan", "plan__framework").get(pk=task.pk)
    selectors.require_task_edit(user=actor, task=task)
    title = clean(title or "")[:300]
    url = (url or "").strip()
    if (file is None) == (not url):
        raise ValidationError({"file": _("Give either a file or a link.")})
    evidence = Evidence(task=task, title=title, added_by=actor)
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ValidationError(
                {"url": _("The link must be a web address starting with http:// or https://.")}
            ) from None
        evidence.url = url
        evidence.save()
    else:
        name, data = _read_upload(file)
        if not evidence_type_ok(name, data[:16]):
            raise ValidationError(
                {
                    "file": _("File %(name)s is not an allowed type (%(types)s).")
                    % {"name": name, "types": ", ".join(sorted(ALLOWED_EVIDENCE_TYPES))}
                }
            )
        evidence.original_name = name[:255]
        evidence.size = len(data)
        evidence.file.save(name, ContentFile(data), save=False)
        evidence.save()
    _record(
        task=task,
        actor=actor,
        kind="evidence",
        on=_today(),
        note=title or evidence.original_name or evidence.url,
        changes={"evidence": evidence.pk},
    )
    task.last_report_on = max(task.last_report_on or _today(), _today())
    task.save(update_fields=["last_report_on", "updated_at"])
    audit_record(
        actor=actor,
        action="plans.evidence.add",
        object_type="plans.Task",
        object_id=task.pk,
        after={"evidence": evidence.pk, "file": evidence.original_name, "url": evidence.url},
        unit_path=task.plan.unit_path,
    )
    return evidence
