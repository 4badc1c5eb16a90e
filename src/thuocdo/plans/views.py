"""Pages of the plans app: plans, task table, timeline, overdue list, dashboards, wizard."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from thuocdo.accounts.selectors import require_officer, scope_for
from thuocdo.core.access import access
from thuocdo.plans import selectors, services, xlsx
from thuocdo.plans.domain.frameworks import adjusted, province_deadline
from thuocdo.plans.forms import EvidenceForm, ImportForm, TaskFilterForm, TaskUpdateForm, WizardForm
from thuocdo.plans.models import Level, Plan, Status, Task


def _scope(request: HttpRequest) -> Any:
    scope = scope_for(request.user)
    require_officer(scope)
    return scope


def _step(value: float) -> int:
    """A percentage rounded to a multiple of 5, for the CSS width classes."""
    return max(0, min(100, round(value / 5.0) * 5))


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for msgs in exc.message_dict.values() for m in msgs]
    return [str(m) for m in exc.messages]


def _completion_rows(items: list[selectors.Completion]) -> list[dict[str, Any]]:
    return [{"c": c, "step": _step(c.percent_done)} for c in items]


# --------------------------------------------------------------------------- plans


@login_required
@access("officer")
def index(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    today = timezone.localdate()
    rows = []
    for plan in selectors.plan_list(scope=scope)[:200]:
        total, _groups = selectors.plan_completion(scope=scope, plan=plan, on=today)
        rows.append({"plan": plan, "c": total, "step": _step(total.percent_done)})
    return render(
        request,
        "plans/index.html",
        {
            "rows": rows,
            "can_create": scope.is_admin or scope.role in ("ministry", "province"),
            "frameworks": selectors.framework_list(),
            "import_form": ImportForm(),
        },
    )


def _plan_context(request: HttpRequest, plan_id: int) -> tuple[Any, Plan, dict[str, Any]]:
    scope = _scope(request)
    plan = selectors.plan_get(scope=scope, plan_id=plan_id)
    return scope, plan, {"plan": plan, "today": timezone.localdate()}


@login_required
@access("officer")
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    scope, plan, context = _plan_context(request, plan_id)
    form = TaskFilterForm(request.GET or None, plan=plan)
    filters = selectors.TaskFilter(plan_id=plan.pk)
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.TaskFilter(
            plan_id=plan.pk,
            group=data["group"] or None,
            status=data["status"] or None,
            lead_unit=data["lead_unit"] or None,
            q=data["q"] or None,
        )
    tasks = list(selectors.task_list(scope=scope, filters=filters))
    today = context["today"]
    rows = [
        {
            "task": t,
            "overdue": selectors.task_is_overdue(t, today),
            "step": _step(100 if t.status == Status.DONE else t.progress),
        }
        for t in tasks
    ]
    context.update(
        {
            "form": form,
            "rows": rows,
            "count": len(rows),
            "tab": "tasks",
            "unregistered": selectors.plan_unregistered_units(plan),
        }
    )
    template = "plans/_task_table.html" if request.headers.get("HX-Request") else "plans/plan.html"
    return render(request, template, context)


def _month_span(task: Task, year: int) -> tuple[int, int]:
    """Grid columns (1-based start month, exclusive end month 2..13) of a task in ``year``."""
    start = task.start or date(year, 1, 1)
    first = 1 if start.year < year else (13 if start.year > year else start.month)
    if (
        task.deadline_kind in ("recurring", "continuous")
        or task.deadline is None
        or task.deadline.year > year
    ):
        last = 12
    elif task.deadline.year < year:
        last = 1
    else:
        last = task.deadline.month
    first = min(first, 12)
    return first, max(last, first) + 1


@login_required
@access("officer")
def plan_timeline(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, context = _plan_context(request, plan_id)[1:]
    today = context["today"]
    groups = []
    for group in selectors.plan_groups(plan):
        items = []
        for t in group.tasks.select_related("plan").order_by("position"):
            start, end = _month_span(t, plan.year)
            items.append(
                {
                    "task": t,
                    "start": start,
                    "end": end,
                    "overdue": selectors.task_is_overdue(t, today),
                    "recurring": t.deadline_kind in ("recurring", "continuous"),
                }
            )
        groups.append({"group": group, "items": items})
    today_month = today.month if today.year == plan.year else None
    context.update(
        {"groups": groups, "months": range(1, 13), "today_month": today_month, "tab": "timeline"}
    )
    return render(request, "plans/timeline.html", context)


@login_required
@access("officer")
def plan_overdue(request: HttpRequest, plan_id: int) -> HttpResponse:
    scope, plan, context = _plan_context(request, plan_id)
    try:
        on = selectors.parse_on_date(request.GET.get("on"))
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
        on = context["today"]
    tasks = [t for t in selectors.tasks_overdue(scope=scope, on=on) if t.plan_id == plan.pk]
    context.update({"tasks": tasks, "on": on, "tab": "overdue"})
    return render(request, "plans/overdue.html", context)


@login_required
@access("officer")
def plan_dashboard(request: HttpRequest, plan_id: int) -> HttpResponse:
    scope, plan, context = _plan_context(request, plan_id)
    total, groups = selectors.plan_completion(scope=scope, plan=plan, on=context["today"])
    chart = {
        "labels": [f"{g.code}. {g.title}" for g in groups],
        "series": {
            "done": [g.done for g in groups],
            "in_progress": [g.in_progress for g in groups],
            "not_started": [g.not_started for g in groups],
            "overdue": [g.overdue for g in groups],
            "cancelled": [g.cancelled for g in groups],
        },
        "names": {
            "done": str(Status.DONE.label),
            "in_progress": str(Status.IN_PROGRESS.label),
            "not_started": str(Status.NOT_STARTED.label),
            "overdue": str(Status.OVERDUE.label),
            "cancelled": str(Status.CANCELLED.label),
        },
        "total": [g.total for g in groups],
        "percent": [g.percent_done for g in groups],
    }
    context.update(
        {
            "total": total,
            "total_step": _step(total.percent_done),
            "groups": _completion_rows(groups),
            "chart": chart,
            "tab": "dashboard",
        }
    )
    return render(request, "plans/dashboard.html", context)


@login_required
@access("officer")
def national(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    frameworks = [fw for fw in selectors.framework_list() if fw.definition.get("departments")]
    codes = [fw.code for fw in frameworks]
    # the provincial task framework first (the 2025 plan frame sorts before it)
    default = "province-dx" if "province-dx" in codes else (codes[0] if codes else "")
    framework = request.GET.get("framework") or default
    if framework not in codes:
        framework = default
    years = sorted(
        set(selectors.plan_list(scope=scope, level=Level.PROVINCE).values_list("year", flat=True)),
        reverse=True,
    )
    try:
        year = int(request.GET.get("year") or (years[0] if years else timezone.localdate().year))
    except ValueError:
        year = years[0] if years else timezone.localdate().year
    rows = selectors.province_comparison(
        scope=scope, framework_code=framework, year=year, on=timezone.localdate()
    )
    chart = {
        "labels": [c.title for _p, c in rows],
        "percent": [c.percent_done for _p, c in rows],
        "progress": [c.mean_progress for _p, c in rows],
        "names": {"percent": _("Tasks done (%)"), "progress": _("Mean progress (%)")},
    }
    return render(
        request,
        "plans/national.html",
        {
            "rows": [{"plan": p, "c": c, "step": _step(c.percent_done)} for p, c in rows],
            "frameworks": frameworks,
            "framework": framework,
            "years": years or [year],
            "year": year,
            "chart": chart,
        },
    )


# --------------------------------------------------------------------------- tasks


@login_required
@access("officer")
@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    scope = _scope(request)
    task = selectors.task_get(scope=scope, task_id=task_id)
    can_edit = selectors.can_edit_task(user=request.user, task=task)
    form = TaskUpdateForm(request.POST or None, task=task)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(
                _("You may only change tasks led by your own department in your own area.")
            )
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.task_update(
                    actor=request.user,
                    task=task,
                    status=data["status"] or None,
                    progress=data["progress"],
                    note=data["note"],
                    on=data["on"],
                )
            except ValidationError as exc:
                for field, msgs in getattr(exc, "message_dict", {"": exc.messages}).items():
                    for msg in msgs:
                        form.add_error(field if field in form.fields else None, msg)
                status = 422
            else:
                messages.success(request, _("The task was updated."))
                return redirect("plans:task", task_id=task.pk)
        else:
            status = 422
    labels = {value: str(label) for value, label in Status.choices}
    names = {d.code: d.name_vi for d in selectors.units_of(task.plan)}
    context = {
        "task": task,
        "plan": task.plan,
        "form": form,
        "evidence_form": EvidenceForm(),
        "can_edit": can_edit,
        "overdue": selectors.task_is_overdue(task, timezone.localdate()),
        "updates": [
            {
                "u": u,
                "status_from": labels.get(u.status_from, u.status_from),
                "status_to": labels.get(u.status_to, u.status_to),
            }
            for u in task.updates.all()[:100]
        ],
        "coordinating": [names.get(c, c) for c in task.coordinating_units],
        "coordinating_agencies": selectors.task_coordinating_agencies(task),
        "evidence": task.evidence.all(),
        "indicator": selectors.task_indicator(task),
        "milestones": selectors.task_milestones(task, get_language() or "vi"),
        "resources": selectors.task_resources(task, get_language() or "vi"),
        "step": _step(100 if task.status == Status.DONE else task.progress),
    }
    return render(request, "plans/task.html", context, status=status)


@login_required
@access("officer")
@require_POST
def task_evidence(request: HttpRequest, task_id: int) -> HttpResponse:
    scope = _scope(request)
    task = selectors.task_get(scope=scope, task_id=task_id)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.task_evidence_add(
                actor=request.user,
                task=task,
                file=form.cleaned_data["file"],
                url=form.cleaned_data["url"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            for msg in _errors(exc):
                messages.error(request, msg)
        else:
            messages.success(request, _("The evidence was added."))
    else:
        messages.error(request, _("The evidence form is not valid."))
    return redirect("plans:task", task_id=task.pk)


@login_required
@access("officer")
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = selectors.evidence_get(scope=_scope(request), evidence_id=evidence_id)
    if not evidence.file:
        raise Http404(_("This evidence is a link, not a file."))
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name
    )


# --------------------------------------------------------------------------- wizard


@login_required
@access("officer")
@require_http_methods(["GET", "POST"])
def wizard(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    form = WizardForm(request.POST or request.GET or None, scope=scope)
    preview: list[dict[str, Any]] = []
    departments: list[Any] = []
    status = 200
    if form.is_bound and form.is_valid():
        fw = selectors.framework_def(selectors.framework_get(form.cleaned_data["framework"]))
        departments = list(fw.departments)
        year = form.cleaned_data["year"]
        for t in fw.tasks:
            if t.assignment is None:
                continue
            spec = province_deadline(t)
            preview.append(
                {
                    "task": t,
                    "lead": request.POST.get(f"lead-{t.code}") or t.assignment.lead,
                    "deadline": services.resolve_deadline(
                        adjusted(spec, framework_year=fw.default_year, plan_year=year), year
                    ),
                }
            )
        if request.method == "POST" and request.POST.get("confirm"):
            assignments = {
                t.code: request.POST[f"lead-{t.code}"]
                for t in fw.tasks
                if request.POST.get(f"lead-{t.code}")
                and t.assignment is not None
                and request.POST[f"lead-{t.code}"] != t.assignment.lead
            }
            try:
                plan = services.plan_instantiate(
                    actor=request.user,
                    framework=fw.code,
                    unit_code=form.cleaned_data["unit"],
                    year=year,
                    assignments=assignments,
                )
            except ValidationError as exc:
                for msg in _errors(exc):
                    form.add_error(None, msg)
                status = 422
            else:
                messages.success(request, _("The plan was created."))
                return redirect("plans:plan", plan_id=plan.pk)
    elif form.is_bound:
        status = 422
    return render(
        request,
        "plans/wizard.html",
        {"form": form, "preview": preview, "departments": departments},
        status=status,
    )


# --------------------------------------------------------------------------- XLSX


@login_required
@access("officer")
def plan_export(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_context(request, plan_id)[1]
    tasks = list(plan.tasks.select_related("group").order_by("position"))
    response = HttpResponse(
        xlsx.export_plan(plan, tasks),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="ke-hoach-{plan.pk}.xlsx"'
    return response


@login_required
@access("officer")
@require_POST
def plan_import(request: HttpRequest) -> HttpResponse:
    _scope(request)
    form = ImportForm(request.POST, request.FILES)
    back = request.POST.get("next") or reverse("plans:index")
    if not back.startswith("/plans/"):
        back = reverse("plans:index")
    if not form.is_valid():
        messages.error(request, _("Choose an XLSX file to import."))
        return redirect(back)
    upload = form.cleaned_data["file"]
    if upload.size > services.evidence_max_bytes():
        messages.error(request, _("The file is too large."))
        return redirect(back)
    try:
        report = services.plan_import(actor=request.user, data=upload.read())
    except ValidationError as exc:
        for msg in _errors(exc)[:50]:
            messages.error(request, msg)
        return redirect(back)
    messages.success(
        request,
        _("Imported: %(created)s new tasks, %(updated)s updated, %(unchanged)s unchanged.")
        % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
    )
    return redirect("plans:plan", plan_id=report.plan.pk)


@login_required
@access("officer")
def systems(request: HttpRequest) -> HttpResponse:
    """The register of information systems in the viewer's area, overdue inspections first
    marked, with the shares that measure the 2025 targets."""
    scope = scope_for(request.user)
    try:
        on = selectors.parse_on_date(request.GET.get("on"))
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
        on = timezone.localdate()
    rows = list(selectors.system_list(scope=scope)[:2000])
    overdue = {s.pk for s in selectors.system_list(scope=scope, overdue_on=on)}
    shares = selectors.register_shares(unit_path=scope.unit_path or "", on=on)
    return render(
        request,
        "plans/systems.html",
        {"systems": rows, "overdue": overdue, "on": on, "shares": shares},
    )


@login_required
@access("officer")
def plan_evaluation(request: HttpRequest, plan_id: int, fmt: str = "html") -> HttpResponse:
    """The evaluation of the year before the plan's: page, XLSX or PDF."""
    from thuocdo.plans import evaluation

    ev = evaluation.plan_evaluation(scope=_scope(request), plan_id=plan_id)
    if fmt == "xlsx":
        response = HttpResponse(
            evaluation.render_xlsx(ev),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="danh-gia-{ev.year}-{plan_id}.xlsx"'
        )
        return response
    if fmt == "pdf":
        response = HttpResponse(evaluation.render_pdf(ev), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="danh-gia-{ev.year}-{plan_id}.pdf"'
        return response
    rows = [(r, evaluation.verdict_label(r.verdict)) for r in ev.rows]
    context = {
        "ev": ev,
        "rows": rows,
        "title": evaluation.title(ev),
        "headers": evaluation.headers(),
    }
    return render(request, "plans/evaluation.html", context)
