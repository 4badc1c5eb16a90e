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
from thuocdo.plans.domain.evidence import (
    Shortfall,
    SurveyEvidence,
    campaign_stages,
    evidence_rule,
    shortfall,
)
from thuocdo.plans.domain.frameworks import SURVEY_STAGES
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


def _entity_label(code: str) -> str:
    from thuocdo.assessments.models import EntityType

    return str(EntityType(code).label) if code in EntityType.values else code


def _missing_text(task: Task, evidence: SurveyEvidence, gap: Shortfall) -> str:
    """What ``evidence`` lacks for ``task``, in the active language."""
    parts = []
    if gap.responses is not None:
        have, need = gap.responses
        parts.append(
            _("at least %(need)s verified responses%(types)s (it has %(have)s)")
            % {
                "need": need,
                "have": have,
                "types": (" (" + ", ".join(_entity_label(t) for t in task.entity_types) + ")")
                if task.entity_types
                else "",
            }
        )
    if gap.communes is not None:
        have, need = gap.communes
        parts.append(
            _("verified responses from at least %(need)s communes (it has %(have)s)")
            % {"need": need, "have": have}
        )
    return _("Not completed: the campaign “%(campaign)s” needs %(missing)s.") % {
        "campaign": evidence.label,
        "missing": "; ".join(parts),
    }


@transaction.atomic
def tasks_sync_survey_stage(
    *,
    unit_path: str,
    year: int,
    stage: str,
    sector: str = "",
    evidence: SurveyEvidence | None = None,
    actor: Any = None,
) -> int:
    """Complete, on evidence, the survey-programme tasks of ``stage`` in the plans of the
    province containing ``unit_path`` (the national plans for a campaign over the whole
    country) for ``year``.

    A task is concerned when its focus sectors (if any) include ``sector`` and its entity types
    (if any) meet the campaign's; it is done only when ``evidence`` (the campaign's verified
    responses) meets the task's condition (:mod:`thuocdo.plans.domain.evidence`); otherwise
    ``Task.evidence_missing`` says what is missing. Returns how many tasks were completed."""
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
    evidence = evidence or SurveyEvidence()
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
    changed = 0
    on = today()
    for task in tasks:
        if task.sectors and sector not in task.sectors:
            continue
        if not evidence.serves(task.entity_types):
            continue
        responses, communes = evidence.counts(task.entity_types)
        rule = evidence_rule(
            stage, min_responses=task.min_responses, min_communes=task.min_communes
        )
        gap = shortfall(rule, responses=responses, communes=communes)
        if gap:
            missing = _missing_text(task, evidence, gap)
            if task.evidence_missing != missing:
                task.evidence_missing = missing
                task.save(update_fields=["evidence_missing", "updated_at"])
            continue
        note = _(
            "Completed on evidence: the survey campaign “%(campaign)s” of %(year)s reached the "
            "stage “%(stage)s” with %(responses)s verified responses from %(communes)s communes."
        ) % {
            "campaign": evidence.label,
            "stage": str(SURVEY_STAGE_LABELS[stage]),
            "year": year,
            "responses": responses,
            "communes": communes,
        }
        task.evidence_missing = ""
        if _walk_status(task=task, actor=actor, target=Status.DONE, on=on, note=note):
            changed += 1
    return changed


def campaign_evidence(campaign: Any) -> SurveyEvidence:
    """The verified responses of ``campaign`` as (entity type, commune) pairs."""
    rows = campaign.responses.filter(status="verified").values_list("entity_type", "commune__code")
    return SurveyEvidence(
        label=str(campaign.name),
        entity_types=tuple(campaign.entity_types or ()),
        responses=tuple((str(t), str(c)) for t, c in rows),
    )


def tasks_sync_campaign(*, campaign: Any, actor: Any = None) -> int:
    """Complete, on the campaign's evidence, the survey-programme tasks of every stage
    ``campaign`` has reached (its current status; see
    :func:`~thuocdo.plans.domain.evidence.campaign_stages`). Called by the assessments app
    after each campaign transition commits. Returns how many tasks changed."""
    stages = campaign_stages(
        status=campaign.status,
        pilot=bool(campaign.pilot),
        province_wide=campaign.area is not None and campaign.area.level == GeoLevel.PROVINCE,
    )
    if not stages:
        return 0
    evidence = campaign_evidence(campaign)
    return sum(
        tasks_sync_survey_stage(
            unit_path=campaign.unit_path,
            year=campaign.year,
            stage=stage,
            sector=campaign.framework.sector,
            evidence=evidence,
            actor=actor,
        )
        for stage in stages
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
