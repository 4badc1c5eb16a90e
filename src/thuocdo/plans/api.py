"""API router of the plans app, mounted at /api/v1/plans (scoped through selectors)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from thuocdo.accounts.models import User
from thuocdo.accounts.selectors import require_officer, scope_for
from thuocdo.api.auth import AUTH
from thuocdo.api.paging import MAX_OFFSET
from thuocdo.core.access import access
from thuocdo.plans import selectors, services
from thuocdo.plans.models import Plan, Task
from thuocdo.plans.schemas import (
    CompletionOut,
    EvidenceLinkIn,
    EvidenceOut,
    FrameworkOut,
    OverdueTaskOut,
    PlanDetailOut,
    PlanInstantiateIn,
    PlanOut,
    TaskDetailOut,
    TaskIndicatorOut,
    TaskOut,
    TaskPage,
    TaskPatchIn,
    UpdateOut,
)

router = Router(tags=["plans"], auth=AUTH)


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def plan_out(plan: Plan) -> PlanOut:
    return PlanOut(
        id=plan.pk,
        title=plan.title,
        level=plan.level,
        unit=plan.unit.code if plan.unit else None,
        unit_name=plan.unit.name if plan.unit else None,
        year=plan.year,
        framework=plan.framework_code,
        parent=plan.parent_id,
        tasks=plan.tasks.count(),
    )


def completion_out(c: selectors.Completion) -> CompletionOut:
    return CompletionOut(
        code=c.code,
        title=c.title,
        total=c.total,
        done=c.done,
        in_progress=c.in_progress,
        overdue=c.overdue,
        cancelled=c.cancelled,
        not_started=c.not_started,
        mean_progress=c.mean_progress,
        percent_done=c.percent_done,
    )


def task_fields(task: Task, user: Any) -> dict[str, Any]:
    return {
        "id": task.pk,
        "plan": task.plan_id,
        "code": task.code,
        "group": task.group.code,
        "title": task.title_vi,
        "lead_unit": task.lead_unit,
        "lead_unit_name": task.lead_unit_name,
        "coordinating_units": list(task.coordinating_units),
        "start": task.start,
        "deadline": task.deadline,
        "deadline_spec": task.deadline_spec,
        "status": task.status,
        "progress": task.progress,
        "kpi": task.kpi,
        "indicator_code": task.indicator_code,
        "survey_stage": task.survey_stage,
        "evidence_missing": task.evidence_missing,
        "can_edit": selectors.can_edit_task(user=user, task=task),
    }


def task_detail(task: Task, user: Any) -> TaskDetailOut:
    indicator = selectors.task_indicator(task)
    return TaskDetailOut(
        **task_fields(task, user),
        title_en=task.title_en,
        expected_output=task.expected_output,
        deadline_text=task.deadline_text,
        implementing_unit=task.implementing_unit,
        period=task.period,
        description=task.description,
        milestones=selectors.task_milestones(task, get_language() or "vi"),
        resources=selectors.task_resources(task, get_language() or "vi"),
        overdue=selectors.task_is_overdue(task, timezone.localdate()),
        updates=[
            UpdateOut(
                at=u.at,
                on=u.on,
                actor=u.actor_label,
                kind=u.kind,
                status_from=u.status_from,
                status_to=u.status_to,
                progress_from=u.progress_from,
                progress_to=u.progress_to,
                note=u.note,
            )
            for u in task.updates.all()[:200]
        ],
        evidence=[
            EvidenceOut(
                id=e.pk,
                title=e.title,
                name=e.original_name,
                size=e.size,
                url=e.url,
                added_at=e.added_at,
            )
            for e in task.evidence.all()
        ],
        indicator=TaskIndicatorOut(**indicator) if indicator else None,
    )


class PlanFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    level: str | None = Field(None, max_length=20)


class TaskQuery(Schema):
    plan: int | None = None
    group: str | None = Field(None, max_length=20)
    status: str | None = Field(None, max_length=20)
    lead_unit: str | None = Field(None, max_length=200)
    q: str | None = Field(None, max_length=200)
    year: int | None = Field(None, ge=2000, le=2100)
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


@router.get("/frameworks", response=list[FrameworkOut], summary="Task frameworks")
@access("officer")
def list_frameworks(request: HttpRequest) -> list[FrameworkOut]:
    require_officer(scope_for(_user(request)))
    return [
        FrameworkOut(
            code=fw.code,
            version=fw.version,
            name=fw.name_vi,
            name_en=fw.name_en,
            scope=fw.scope,
            default_year=fw.default_year,
            groups=fw.group_count,
            tasks=fw.task_count,
            assignable=bool(fw.definition.get("departments")),
        )
        for fw in selectors.framework_list()
    ]


@router.get("/plans", response=list[PlanOut], summary="Plans in my area")
@access("officer")
def list_plans(request: HttpRequest, filters: Query[PlanFilter]) -> list[PlanOut]:
    scope = scope_for(_user(request))
    plans = selectors.plan_list(scope=scope, year=filters.year, level=filters.level)
    return [plan_out(p) for p in plans]


@router.post("/plans", response={201: PlanOut}, summary="Make a plan from a framework")
@access("officer")
def instantiate_plan(request: HttpRequest, payload: PlanInstantiateIn) -> Status:
    plan = services.plan_instantiate(
        actor=_user(request),
        framework=payload.framework,
        unit_code=payload.unit,
        year=payload.year,
        assignments=payload.assignments,
    )
    return Status(201, plan_out(plan))


@router.get("/plans/{plan_id}", response=PlanDetailOut, summary="A plan with its completion")
@access("officer")
def get_plan(request: HttpRequest, plan_id: int) -> PlanDetailOut:
    scope = scope_for(_user(request))
    plan = selectors.plan_get(scope=scope, plan_id=plan_id)
    total, groups = selectors.plan_completion(scope=scope, plan=plan, on=timezone.localdate())
    return PlanDetailOut(
        **plan_out(plan).model_dump(),
        completion=completion_out(total),
        groups=[completion_out(g) for g in groups],
    )


@router.get("/tasks", response=TaskPage, summary="Tasks in my area, filtered and paged")
@access("officer")
def list_tasks(request: HttpRequest, query: Query[TaskQuery]) -> TaskPage:
    user = _user(request)
    qs = selectors.task_list(
        scope=scope_for(user),
        filters=selectors.TaskFilter(
            plan_id=query.plan,
            group=query.group,
            status=query.status,
            lead_unit=query.lead_unit,
            q=query.q,
            year=query.year,
        ),
    )
    items = list(qs[query.offset : query.offset + query.limit])
    return TaskPage(count=qs.count(), items=[TaskOut(**task_fields(t, user)) for t in items])


@router.get("/tasks/{task_id}", response=TaskDetailOut, summary="A task with its history")
@access("officer")
def get_task(request: HttpRequest, task_id: int) -> TaskDetailOut:
    user = _user(request)
    return task_detail(selectors.task_get(scope=scope_for(user), task_id=task_id), user)


@router.patch("/tasks/{task_id}", response=TaskDetailOut, summary="Update status or progress")
@access("officer")
def update_task(request: HttpRequest, task_id: int, payload: TaskPatchIn) -> TaskDetailOut:
    user = _user(request)
    task = selectors.task_get(scope=scope_for(user), task_id=task_id)
    task = services.task_update(
        actor=user,
        task=task,
        status=payload.status,
        progress=payload.progress,
        note=payload.note,
        lead_unit=payload.lead_unit,
        start=payload.start,
        deadline=payload.deadline,
        on=payload.on,
        indicator_code=payload.indicator_code,
    )
    return task_detail(selectors.task_get(scope=scope_for(user), task_id=task.pk), user)


@router.post("/tasks/{task_id}/evidence", response={201: EvidenceOut}, summary="Attach a file")
@access("officer")
def add_evidence_file(
    request: HttpRequest,
    task_id: int,
    file: File[UploadedFile],
    title: Form[str] = "",
) -> Status:
    user = _user(request)
    task = selectors.task_get(scope=scope_for(user), task_id=task_id)
    ev = services.task_evidence_add(actor=user, task=task, file=file, title=title)
    return Status(
        201,
        EvidenceOut(
            id=ev.pk,
            title=ev.title,
            name=ev.original_name,
            size=ev.size,
            url=ev.url,
            added_at=ev.added_at,
        ),
    )


@router.post("/tasks/{task_id}/links", response={201: EvidenceOut}, summary="Attach a link")
@access("officer")
def add_evidence_link(request: HttpRequest, task_id: int, payload: EvidenceLinkIn) -> Status:
    user = _user(request)
    task = selectors.task_get(scope=scope_for(user), task_id=task_id)
    ev = services.task_evidence_add(actor=user, task=task, url=payload.url, title=payload.title)
    return Status(
        201,
        EvidenceOut(
            id=ev.pk,
            title=ev.title,
            name=ev.original_name,
            size=ev.size,
            url=ev.url,
            added_at=ev.added_at,
        ),
    )


@router.get("/overdue", response=list[OverdueTaskOut], summary="Tasks overdue on a date")
@access("officer")
def overdue(
    request: HttpRequest, on: str | None = None, unit: str | None = None
) -> list[OverdueTaskOut]:
    user = _user(request)
    day = selectors.parse_on_date(on)
    tasks = selectors.tasks_overdue(
        scope=scope_for(user), on=day, unit_code=(unit or "")[:200] or None
    )
    return [
        OverdueTaskOut(
            **task_fields(t, user), unit=t.plan.unit.code if t.plan.unit else None, on=day
        )
        for t in tasks
    ]


# --------------------------------------------------------------------------- life cycle, register


class ApproveIn(Schema):
    decision_number: str = Field(max_length=100)
    decision_date: str = Field(max_length=10)


class EvaluateIn(Schema):
    results: dict[str, float | str | None] = {}
    on: str | None = Field(default=None, max_length=10)
    note: str = Field(default="", max_length=5000)


@router.post("/plans/{plan_id}/approve", response=dict[str, Any], summary="Approve a draft plan")
@access("officer")
def plan_approve(request: HttpRequest, plan_id: int, payload: ApproveIn) -> dict[str, Any]:
    from thuocdo.plans.services.lifecycle import plan_approve as approve

    user = _user(request)
    plan = selectors.plan_get(scope=scope_for(user), plan_id=plan_id)
    plan = approve(
        actor=user,
        plan=plan,
        decision_number=payload.decision_number,
        decision_date=payload.decision_date,
    )
    return selectors.plan_stage_dict(plan)


@router.post(
    "/plans/{plan_id}/send",
    response=dict[str, Any],
    summary="Send an approved plan to the ministry",
)
@access("officer")
def plan_send(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    from thuocdo.plans.services.lifecycle import plan_send as send

    user = _user(request)
    plan, _data = send(actor=user, plan=selectors.plan_get(scope=scope_for(user), plan_id=plan_id))
    return selectors.plan_stage_dict(plan)


@router.post("/plans/{plan_id}/evaluate", response=dict[str, Any], summary="Evaluate a sent plan")
@access("officer")
def plan_evaluate(request: HttpRequest, plan_id: int, payload: EvaluateIn) -> dict[str, Any]:
    from thuocdo.plans.services.lifecycle import plan_evaluate as evaluate

    user = _user(request)
    plan = selectors.plan_get(scope=scope_for(user), plan_id=plan_id)
    day = selectors.parse_on_date(payload.on) if payload.on else None
    plan = evaluate(actor=user, plan=plan, results=payload.results, on=day, note=payload.note)
    return selectors.plan_stage_dict(plan)


@router.get("/systems", response=list[dict[str, Any]], summary="Register of information systems")
@access("officer")
def systems(
    request: HttpRequest, unit: str | None = None, overdue_on: str | None = None
) -> list[dict[str, Any]]:
    from thuocdo.geo.models import Structure, Unit

    user = _user(request)
    path = ""
    if unit:
        found = Unit.objects.filter(structure=Structure.CURRENT, code=unit[:10]).first()
        path = found.path if found else "\0"
    day = selectors.parse_on_date(overdue_on) if overdue_on else None
    rows = selectors.system_list(scope=scope_for(user), unit_path=path, overdue_on=day)
    return [selectors.system_json(s) for s in rows[:1000]]


class SystemIn(Schema):
    unit: str = Field(max_length=10)
    name: str = Field(max_length=300)
    agency_name: str = Field(max_length=300)
    security_level: int
    dossier_number: str = Field(default="", max_length=100)
    dossier_date: str | None = Field(default=None, max_length=10)
    last_inspection: str | None = Field(default=None, max_length=10)
    last_drill: str | None = Field(default=None, max_length=10)
    backup_copies: int = 0
    backup_media: int = 0
    backup_offline: bool = False
    trust_label: str = Field(default="", max_length=100)
    contact_email: str = Field(default="", max_length=254)


@router.post("/systems", response={201: dict[str, Any]}, summary="Register an information system")
@access("officer")
def system_create(request: HttpRequest, payload: SystemIn) -> Status:
    from thuocdo.plans.services.register import system_save

    data = payload.dict()
    unit = data.pop("unit")
    system = system_save(actor=_user(request), unit_code=unit, data=data)
    return Status(201, selectors.system_json(system))
