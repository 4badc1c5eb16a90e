"""Reads of the plans app, always filtered by the viewer's scope.

Who sees what: administrators and ministry officers see every plan; a province (or commune)
officer sees the plans of units inside its area. Who edits what (:func:`can_edit_task`):
administrators everything; ministry officers national and ministry plans; a province officer
every task of its province's plans, unless the user belongs to a department
(``User.department``), in which case only the tasks that department leads.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import require_officer, scope_for
from thuocdo.core.text import fold, nfc, vi_sort_key
from thuocdo.geo.models import Structure, Unit
from thuocdo.plans.domain.deadlines import is_overdue
from thuocdo.plans.domain.frameworks import Department, FrameworkDef, framework_from_dict
from thuocdo.plans.domain.inspection import SystemFacts
from thuocdo.plans.domain.inspection import register_shares as inspection_shares
from thuocdo.plans.domain.units import MERGERS, predecessors, successor_of
from thuocdo.plans.models import (
    Evidence,
    Framework,
    InformationSystem,
    Level,
    Plan,
    Status,
    Task,
    TaskGroup,
)

OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.OVERDUE)


# --------------------------------------------------------------------------- frameworks


def framework_list() -> QuerySet[Framework]:
    return Framework.objects.order_by("code")


def framework_get(code: str) -> Framework:
    fw = Framework.objects.filter(code=str(code).strip()).first()
    if fw is None:
        codes = ", ".join(framework_list().values_list("code", flat=True))
        raise Http404(
            _("Unknown framework %(code)s. Known frameworks: %(codes)s.")
            % {"code": code, "codes": codes}
        )
    return fw


def framework_def(fw: Framework) -> FrameworkDef:
    return framework_from_dict(fw.definition)


def departments_of(plan: Plan) -> tuple[Department, ...]:
    if plan.framework is None:
        return ()
    return framework_def(plan.framework).departments


def units_of(plan: Plan) -> tuple[Department, ...]:
    """The departments of ``plan`` and the supporting units its framework names: the units a
    task may be coordinated by."""
    if plan.framework is None:
        return ()
    fw = framework_def(plan.framework)
    return (*fw.departments, *fw.units)


# --------------------------------------------------------------------------- plans


def plan_list(*, scope: Scope, year: int | None = None, level: str | None = None) -> QuerySet[Plan]:
    require_officer(scope)
    qs = Plan.objects.select_related("unit", "framework", "parent")
    if scope.unit_path is not None:
        qs = qs.filter(unit_path__startswith=scope.unit_path).exclude(unit_path="")
    if year is not None:
        qs = qs.filter(year=year)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("-year", "unit__sort_key", "id")


def plan_get(*, scope: Scope, plan_id: int) -> Plan:
    plan = plan_list(scope=scope).filter(pk=plan_id).first()
    if plan is None:
        raise Http404(_("No plan with id %(id)s in your area.") % {"id": plan_id})
    return plan


def plan_groups(plan: Plan) -> QuerySet[TaskGroup]:
    return plan.groups.order_by("position")


# --------------------------------------------------------------------------- tasks


@dataclass(frozen=True)
class TaskFilter:
    plan_id: int | None = None
    group: str | None = None
    status: str | None = None
    lead_unit: str | None = None
    q: str | None = None
    year: int | None = None


def task_list(*, scope: Scope, filters: TaskFilter | None = None) -> QuerySet[Task]:
    require_officer(scope)
    f = filters or TaskFilter()
    qs = Task.objects.select_related("plan", "plan__unit", "group")
    if scope.unit_path is not None:
        qs = qs.filter(plan__unit_path__startswith=scope.unit_path).exclude(plan__unit_path="")
    if f.plan_id is not None:
        qs = qs.filter(plan_id=f.plan_id)
    if f.group:
        qs = qs.filter(group__code=f.group)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.lead_unit:
        qs = qs.filter(Q(lead_unit=f.lead_unit) | Q(lead_unit_name=f.lead_unit))
    if f.year is not None:
        qs = qs.filter(plan__year=f.year)
    if f.q:
        needle = nfc(f.q).strip()
        qs = qs.filter(
            Q(title_vi__icontains=needle) | Q(code=needle) | Q(title_en__icontains=needle)
        )
    return qs.order_by("plan_id", "position")


def task_get(*, scope: Scope, task_id: int) -> Task:
    task = task_list(scope=scope).filter(pk=task_id).first()
    if task is None:
        raise Http404(_("No task with id %(id)s in your area.") % {"id": task_id})
    return task


def task_is_overdue(task: Task, on: date) -> bool:
    """Whether ``task`` is overdue on ``on`` (see ``domain.deadlines.is_overdue``)."""
    if task.status in (Status.DONE, Status.CANCELLED):
        return False
    if task.deadline_kind == "fixed":
        return task.deadline is not None and on > task.deadline
    if task.deadline_kind in ("recurring", "continuous") and task.deadline_spec:
        return is_overdue(
            task.deadline_spec,
            task.status,
            on,
            task.last_report_on,
            year=task.plan.year,
            start=task.start,
        )
    return False


def tasks_overdue(*, scope: Scope, on: date, unit_code: str | None = None) -> list[Task]:
    """Open tasks in the scope that are overdue on ``on``, oldest deadline first; ``unit_code``
    (a unit code or a lead unit code) narrows them, and an unknown one is refused."""
    qs = task_list(scope=scope).filter(status__in=OPEN_STATUSES)
    if unit_code:
        known = (
            Unit.objects.filter(structure=Structure.CURRENT, code=unit_code).exists()
            or Task.objects.filter(lead_unit=unit_code).exists()
        )
        if not known:
            raise ValidationError(
                {
                    "unit": _(
                        "Unknown unit %(unit)s: neither a unit code (current structure) nor "
                        "the lead unit of a task."
                    )
                    % {"unit": unit_code}
                }
            )
        qs = qs.filter(Q(plan__unit__code=unit_code) | Q(lead_unit=unit_code))
    found = [t for t in qs if task_is_overdue(t, on)]
    found.sort(key=lambda t: (t.deadline or date.max, t.plan_id, t.position))
    return found


# --------------------------------------------------------------------------- permissions


def _user_department(user: Any, plan: Plan) -> tuple[str, ...]:
    """The codes and names the user's department may appear under in ``plan``."""
    text = nfc(getattr(user, "department", "") or "").strip()
    if not text:
        return ()
    merged = successor_of(text)
    if merged is not None:  # an account still named after a merged department
        text = merged.successor
    names: tuple[str, ...] = (fold(text),)
    for dept in departments_of(plan):
        if dept.matches(text):
            names = (fold(dept.code), fold(dept.name_vi))
            break
    # the departments merged into it (2025): their tasks are the successor's
    for m in (*predecessors(text), *(p for n in names for p in predecessors(n))):
        names = (*names, fold(m.code), *(fold(n) for n in m.names), fold(m.successor))
        names = (*names, fold(m.successor_name))
    return tuple(dict.fromkeys(names))


def can_manage_plan(*, user: Any, plan: Plan | None = None, unit_path: str = "") -> bool:
    """Whether ``user`` may create or change a plan (not only its tasks) of this unit."""
    if user is None:
        return True  # the system itself (loaders, jobs)
    scope = scope_for(user)
    if scope.is_admin:
        return True
    path = plan.unit_path if plan is not None else unit_path
    level = plan.level if plan is not None else (Level.PROVINCE if path else Level.NATIONAL)
    if scope.role == "ministry":
        return level in (Level.NATIONAL, Level.MINISTRY)
    if scope.role in ("province", "commune"):
        return (
            bool(path)
            and scope.covers_path(path)
            and not (getattr(user, "department", "") or "").strip()
        )
    return False


def can_edit_task(*, user: Any, task: Task) -> bool:
    if user is None:
        return True
    scope = scope_for(user)
    if scope.is_admin:
        return True
    plan = task.plan
    if scope.role == "ministry":
        return plan.level in (Level.NATIONAL, Level.MINISTRY)
    if scope.role not in ("province", "commune") or not plan.unit_path:
        return False
    if not scope.covers_path(plan.unit_path):
        return False
    department = _user_department(user, plan)
    if not department:
        return scope.role == "province"
    if fold(task.lead_unit) in department or fold(task.lead_unit_name) in department:
        return True
    # an account named after the registry agency leading the task (its electronic
    # identifier code or its name): rights follow the organisation
    agency = task.lead_organisation if task.lead_organisation_id else None
    if agency is None:
        return False
    own = fold(nfc(getattr(user, "department", "") or "")).strip()
    return own in {fold(agency.agency_code or ""), fold(nfc(agency.name))} - {""}


def require_task_edit(*, user: Any, task: Task) -> None:
    if not can_edit_task(user=user, task=task):
        raise PermissionDenied(
            _("You may only change tasks led by your own department in your own area.")
        )


# --------------------------------------------------------------------------- dashboards


@dataclass(frozen=True)
class Completion:
    code: str
    title: str
    total: int
    done: int
    in_progress: int
    overdue: int
    cancelled: int
    not_started: int
    mean_progress: float

    @property
    def percent_done(self) -> int:
        counted = self.total - self.cancelled
        return round(100 * self.done / counted) if counted else 0


def _completion(code: str, title: str, tasks: Iterable[Task], on: date | None) -> Completion:
    """Each task counts once: an open task that is overdue (by status, or on ``on``) counts as
    overdue only, so done + in progress + not started + overdue + cancelled = total."""
    rows = list(tasks)
    counts = dict.fromkeys(Status.values, 0)
    progress = 0
    for t in rows:
        late = t.status in OPEN_STATUSES and on is not None and task_is_overdue(t, on)
        counts[Status.OVERDUE if late else t.status] += 1
        progress += 100 if t.status == Status.DONE else t.progress
    return Completion(
        code=code,
        title=title,
        total=len(rows),
        done=counts[Status.DONE],
        in_progress=counts[Status.IN_PROGRESS],
        overdue=counts[Status.OVERDUE],
        cancelled=counts[Status.CANCELLED],
        not_started=counts[Status.NOT_STARTED],
        mean_progress=round(progress / len(rows), 1) if rows else 0.0,
    )


def plan_completion(
    *, scope: Scope, plan: Plan, on: date | None = None
) -> tuple[Completion, list[Completion]]:
    """Completion of the whole plan and of each of its groups."""
    plan_get(scope=scope, plan_id=plan.pk)
    tasks = list(plan.tasks.select_related("plan", "group").order_by("position"))
    by_group: dict[int, list[Task]] = {}
    for t in tasks:
        by_group.setdefault(t.group_id, []).append(t)
    groups = [
        _completion(g.code, g.title_vi, by_group.get(g.pk, []), on) for g in plan_groups(plan)
    ]
    return _completion("", plan.title, tasks, on), groups


def province_comparison(
    *, scope: Scope, framework_code: str, year: int, on: date | None = None
) -> list[tuple[Plan, Completion]]:
    """Province plans made from one framework in one year, side by side."""
    plans = plan_list(scope=scope, year=year, level=Level.PROVINCE).filter(
        framework_code=framework_code
    )
    result = []
    for plan in plans:
        tasks = plan.tasks.select_related("plan")
        name = plan.unit.name if plan.unit else plan.title
        result.append((plan, _completion(plan.unit.code if plan.unit else "", name, tasks, on)))
    result.sort(key=lambda pc: (-pc[1].percent_done, -pc[1].mean_progress, pc[1].code))
    return result


# --------------------------------------------------------------------------- other apps


def indicator_latest(*, code: str, unit_code: str | None) -> dict[str, Any] | None:
    """The latest value and verdict of a strategy indicator, or None.

    Calls ``thuocdo.indicators.selectors.indicator_latest``; returns None when the indicators
    app does not provide it (yet) or has no value.
    """
    if not code:
        return None
    try:
        latest = importlib.import_module("thuocdo.indicators.selectors").indicator_latest
    except (ImportError, AttributeError):
        return None
    result: dict[str, Any] | None = latest(code=code, unit_code=unit_code)
    return result


def indicator_known(code: str) -> bool:
    """Whether ``code`` is a strategy indicator (True when the indicators app is absent)."""
    try:
        listing = importlib.import_module("thuocdo.indicators.selectors").indicator_list
    except (ImportError, AttributeError):
        return True
    return bool(listing().filter(code=code).exists())


def task_milestones(task: Task, lang: str = "vi") -> list[dict[str, Any]]:
    """The task's intermediate milestones in ``lang``: label, due (a date or None), spec, text."""
    return [
        {
            "label": (m.get("label_en") if lang == "en" else "") or m.get("label_vi", ""),
            "due": date.fromisoformat(m["due"]) if m.get("due") else None,
            "spec": m.get("spec", ""),
            "text": m.get("text", ""),
        }
        for m in task.milestones or []
    ]


def task_resources(task: Task, lang: str = "vi") -> list[dict[str, str]]:
    """The existing tools the source names for the task, in ``lang``: name and url."""
    return [
        {
            "name": (r.get("name_en") if lang == "en" else "") or r.get("name_vi", ""),
            "url": r.get("url", ""),
        }
        for r in task.resources or []
    ]


def indicator_names() -> list[tuple[str, str]]:
    """(code, Vietnamese name) of every strategy indicator (empty when the app is absent)."""
    try:
        listing = importlib.import_module("thuocdo.indicators.selectors").indicator_list
    except (ImportError, AttributeError):
        return []
    return [(str(c), str(n)) for c, n in listing().values_list("code", "name_vi")]


def task_indicator(task: Task) -> dict[str, Any] | None:
    unit_code = task.plan.unit.code if task.plan.unit_id and task.plan.unit else None
    return indicator_latest(code=task.indicator_code, unit_code=unit_code)


def parse_on_date(text: str | None) -> date:
    """A day written YYYY-MM-DD (today when empty); ``ValidationError`` otherwise."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    if not text:
        return timezone.localdate()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            {"on": _("“%(text)s” is not a date (YYYY-MM-DD).") % {"text": text}}
        ) from None


def evidence_get(*, scope: Scope, evidence_id: int) -> Evidence:
    """One piece of evidence of a task inside the scope."""
    require_officer(scope)
    qs = Evidence.objects.select_related("task", "task__plan")
    if scope.unit_path is not None:
        qs = qs.filter(task__plan__unit_path__startswith=scope.unit_path).exclude(
            task__plan__unit_path=""
        )
    evidence = qs.filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404(_("No evidence with id %(id)s in your area.") % {"id": evidence_id})
    return evidence


# --------------------------------------------------------------------------- 2025 plan frame


def indicator_methods() -> dict[str, dict[str, str]]:
    """code → {name, method, source} of every strategy indicator (its definition is its
    measurement method); empty when the indicators app is absent."""
    try:
        listing = importlib.import_module("thuocdo.indicators.selectors").indicator_list
    except (ImportError, AttributeError):
        return {}
    return {
        str(code): {"name": str(name), "method": str(method), "source": str(source)}
        for code, name, method, source in listing().values_list(
            "code", "name_vi", "definition_vi", "data_source"
        )
    }


# --------------------------------------------------------------------------- register


def system_list(
    *, scope: Scope, unit_path: str = "", overdue_on: date | None = None
) -> QuerySet[InformationSystem]:
    """Information systems in the viewer's area (and under ``unit_path``); with
    ``overdue_on``: only those whose inspection is overdue on that day."""
    require_officer(scope)
    qs = InformationSystem.objects.select_related("unit", "agency")
    if scope.unit_path is not None:
        qs = qs.filter(unit_path__startswith=scope.unit_path)
    if unit_path:
        qs = qs.filter(unit_path__startswith=unit_path)
    if overdue_on is not None:
        qs = qs.filter(Q(next_inspection__isnull=True) | Q(next_inspection__lt=overdue_on))
    return qs


def system_facts(system: InformationSystem) -> SystemFacts:
    return SystemFacts(
        level=system.security_level,
        approved=system.approved,
        last_inspection=system.last_inspection,
        last_drill=system.last_drill,
        copies=system.backup_copies,
        media=system.backup_media,
        offline=system.backup_offline,
    )


def register_shares(*, unit_path: str, on: date) -> dict[str, float | None]:
    """The register's shares under ``unit_path`` on ``on`` (see ``domain.inspection``)."""
    qs = InformationSystem.objects.all()
    if unit_path:
        qs = qs.filter(unit_path__startswith=unit_path)
    return inspection_shares((system_facts(s) for s in qs), on=on)


def system_json(s: InformationSystem) -> dict[str, Any]:
    """The JSON shape of a registered system (CLI ``plans systems`` and ``GET /systems``)."""

    def iso(d: date | None) -> str | None:
        return d.isoformat() if d else None

    return {
        "id": s.pk,
        "unit": s.unit.code,
        "agency": s.agency_name,
        "name": s.name,
        "security_level": s.security_level,
        "dossier_approved": s.approved,
        "dossier_number": s.dossier_number,
        "dossier_date": iso(s.dossier_date),
        "last_inspection": iso(s.last_inspection),
        "next_inspection": iso(s.next_inspection),
        "last_drill": iso(s.last_drill),
        "backup_321": s.backup_copies >= 3 and s.backup_media >= 2 and s.backup_offline,
        "trust_label": s.trust_label,
    }


def department_agency(*, plan: Plan, code: str, name: str) -> Any:
    """The registry agency (``assessments.Organisation`` of type ``agency_department``) of
    ``plan``'s province that the department ``code``/``name`` names — its name starts with
    the department's (e.g. "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi"); a department merged in
    2025 is looked up under its successor; None when none or more than one matches."""
    if plan.unit_id is None:
        return None
    from thuocdo.assessments.models import Organisation

    names = {name.split(" (")[0], code}
    merged = successor_of(name) or successor_of(code)
    if merged is not None:
        names = {merged.successor, merged.successor_name}
    names |= {m.successor_name for m in MERGERS if m.successor == code}
    for dept in departments_of(plan):
        if dept.code in names or dept.name_vi in names:
            names.add(dept.name_vi)
    keys = {fold(nfc(n)).strip() for n in names if n and len(n) > 6}
    agencies = list(
        Organisation.objects.filter(
            entity_type="agency_department", admin_unit_id=plan.unit_id
        ).only("id", "name", "email", "agency_code", "merged_into")
    )

    def named(keys: set[str]) -> list[Any]:
        return [a for a in agencies if any(fold(nfc(a.name)).startswith(k) for k in keys)]

    found = [a for a in named(keys) if a.merged_into_id is None]
    before = (merged,) if merged is not None else predecessors(code)
    if not found and before:
        # only a merged department is registered ("Sở Thông tin và Truyền thông tỉnh …"):
        # the registry agency it was merged into, else itself
        old = {fold(nfc(n)).strip() for m in before for n in m.names if len(n) > 6}
        by_id = {a.pk: a for a in agencies}
        for a in named(old):
            seen = {a.pk}
            while a.merged_into_id is not None and a.merged_into_id in by_id:
                a = by_id[a.merged_into_id]
                if a.pk in seen:
                    break
                seen.add(a.pk)
            if a not in found:
                found.append(a)
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class UnregisteredUnit:
    """A lead unit of a plan's tasks that no registry agency stands for yet."""

    code: str
    name: str
    tasks: int

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "tasks": self.tasks}


def plan_unregistered_units(plan: Plan) -> list[UnregisteredUnit]:
    """The lead units of ``plan``'s tasks that are not linked to a registry agency (a province
    plan's departments the organisation registry does not hold yet), with their task counts,
    in Vietnamese order; empty for a plan that is not a province's."""
    if plan.unit_id is None:
        return []
    counts: dict[tuple[str, str], int] = {}
    for code, name in plan.tasks.filter(lead_organisation__isnull=True).values_list(
        "lead_unit", "lead_unit_name"
    ):
        if code or name:
            counts[(code, name)] = counts.get((code, name), 0) + 1
    units = [UnregisteredUnit(code, name, n) for (code, name), n in counts.items()]
    return sorted(units, key=lambda u: vi_sort_key(u.name or u.code))


def task_coordinating_agencies(task: Task) -> list[str]:
    """Names of the registry agencies of ``task``'s coordinating departments."""
    if not task.coordinating_organisations:
        return []
    from thuocdo.assessments.models import Organisation

    ids = [int(i) for i in task.coordinating_organisations]
    names = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [names[i] for i in ids if i in names]


def plan_stage_dict(plan: Plan) -> dict[str, Any]:
    """A plan's life-cycle stage and its targets, as the API and the CLI print them."""
    return {
        "id": plan.pk,
        "stage": plan.stage,
        "decision_number": plan.decision_number,
        "decision_date": plan.decision_date.isoformat() if plan.decision_date else None,
        "sent_on": plan.sent_on.isoformat() if plan.sent_on else None,
        "evaluated_on": plan.evaluated_on.isoformat() if plan.evaluated_on else None,
        "targets": [
            {
                "code": t.code,
                "value": t.value,
                "indicator": t.indicator_code,
                "result": t.result,
                "achieved": t.achieved,
            }
            for t in plan.targets.all()
        ],
    }
