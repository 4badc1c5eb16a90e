"""Task services: updates through the status workflow, campaign-driven completion, overdue.

Every refusal is a ``ValidationError`` (field → message, in the active language, Vietnamese by
default) or a ``PermissionDenied``; nothing is written when one is raised.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thuocdo.accounts.services import audit_record
from thuocdo.core.text import clean
from thuocdo.geo.models import Level as GeoLevel
from thuocdo.plans import selectors
from thuocdo.plans.domain.frameworks import SURVEY_STAGES, campaign_stage
from thuocdo.plans.domain.workflow import (
    can_transition,
    path_to,
)
from thuocdo.plans.models import (
    Status,
    Task,
)
from thuocdo.plans.services.common import (
    check_dates,
    check_indicator,
    parse_deadline,
    record_update,
    resolve_deadline,
    task_snapshot,
    today,
)

#: Names of the survey-programme stages, for the update notes.
SURVEY_STAGE_LABELS = {
    "guide": gettext_lazy("guiding organisations to self-assess"),
    "pilot": gettext_lazy("pilot survey"),
    "scale_up": gettext_lazy("scaled-up survey"),
    "publish": gettext_lazy("yearly survey and publication"),
}


def check_progress(progress: Any) -> int:
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
    indicator_code: str | None = None,
) -> Task:
    """Change a task's status, progress, lead unit, start, deadline or strategy indicator
    (``""`` removes it), with a note."""
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("plan", "plan__framework")
        .get(pk=task.pk)
    )
    selectors.require_task_edit(user=actor, task=task)
    when = on or today()
    if when > today():
        raise ValidationError(
            {
                "on": _("The report date %(on)s is in the future.")
                % {"on": when.strftime("%d/%m/%Y")}
            }
        )
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
    new_progress = task.progress if progress is None else check_progress(progress)
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
        if (rd.text, rd.due) != (task.deadline_spec, task.deadline):
            changes["deadline"] = [task.deadline_spec, rd.text]
            task.deadline, task.deadline_spec, task.deadline_kind = rd.due, rd.text, rd.kind
    if start is not None and start != task.start:
        changes["start"] = [before["start"], start.isoformat()]
        task.start = start
    if ("deadline" in changes or "start" in changes) and not selectors.can_manage_plan(
        user=actor, plan=task.plan
    ):
        raise PermissionDenied(_("Only the plan's owner may change a task's deadline or start."))
    check_dates(task.start, task.deadline)
    if indicator_code is not None:
        code = check_indicator(indicator_code)
        if code != task.indicator_code:
            if not selectors.can_manage_plan(user=actor, plan=task.plan):
                raise PermissionDenied(_("Only the plan's owner may link a task to an indicator."))
            changes["indicator_code"] = [task.indicator_code, code]
            task.indicator_code = code

    if (
        status is None
        and (progress is not None or note)
        and task.status == Status.OVERDUE
        and task.deadline_kind in ("recurring", "continuous")
    ):
        # A late report of a recurring task clears its overdue flag: back to work.
        previous = task.last_report_on
        task.last_report_on = max(previous or when, when)
        if not selectors.task_is_overdue(task, when):
            new_status = Status.IN_PROGRESS
        task.last_report_on = previous
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
    record_update(
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
        record_update(
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
def tasks_sync_survey_stage(
    *, unit_path: str, year: int, stage: str, sector: str = "", actor: Any = None
) -> int:
    """Mark the survey-programme tasks of ``stage`` in the plans of the province containing
    ``unit_path`` (the national plans for a campaign over the whole country) for ``year`` as
    done (see :func:`tasks_sync_campaign`): the tasks of every
    sector, and those of ``sector`` (a criteria-set sector such as ``retail``) when the task
    names focus sectors. Returns how many tasks changed."""
    if stage not in SURVEY_STAGES:
        raise ValidationError(
            {
                "stage": _("Unknown survey stage %(stage)s; expected one of: %(stages)s.")
                % {"stage": stage, "stages": ", ".join(SURVEY_STAGES)}
            }
        )
    parts = [p for p in str(unit_path or "").split("/") if p]
    if not parts:
        raise ValidationError({"unit_path": _("A unit path names at least a province.")})
    # a campaign over the whole country (``2025/``) completes the national plans' tasks
    province_path = f"{parts[0]}/{parts[1]}/" if len(parts) > 1 else ""
    tasks = (
        Task.objects.select_for_update(of=("self",))
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
        "Completed automatically: a survey campaign of %(year)s reached the stage “%(stage)s”."
    ) % {"stage": str(SURVEY_STAGE_LABELS[stage]), "year": year}
    changed = 0
    on = today()
    for task in tasks:
        if task.sectors and sector not in task.sectors:
            continue
        if _walk_status(task=task, actor=actor, target=Status.DONE, on=on, note=note):
            changed += 1
    return changed


def tasks_sync_campaign(*, campaign: Any, actor: Any = None) -> int:
    """Complete the survey-programme tasks of the stage ``campaign`` has just reached (its
    current status; see :func:`~thuocdo.plans.domain.frameworks.campaign_stage`). Called by the
    assessments app after each campaign transition commits. Returns how many tasks changed."""
    stage = campaign_stage(
        status=campaign.status,
        pilot=bool(campaign.pilot),
        province_wide=campaign.area.level == GeoLevel.PROVINCE,
    )
    if stage is None:
        return 0
    return tasks_sync_survey_stage(
        unit_path=campaign.unit_path,
        year=campaign.year,
        stage=stage,
        sector=campaign.framework.sector,
        actor=actor,
    )


@transaction.atomic
def tasks_mark_overdue(*, on: date, actor: Any = None, unit_path: str = "") -> int:
    """Set the status of open tasks overdue on ``on`` to overdue; returns how many."""
    qs = (
        Task.objects.select_for_update(of=("self",))
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
