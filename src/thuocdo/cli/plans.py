"""``thuocdo plans``: task frameworks, the plan wizard, overdue tasks, XLSX import and export."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from thuocdo.cli.common import fail, print_json, setup_django


def register(sub: Any) -> None:
    plans = sub.add_parser("plans", help="action plans and tasks")
    plans_sub = plans.add_subparsers(dest="plans_command", metavar="SUBCOMMAND")

    p = plans_sub.add_parser("frameworks", help="list the task frameworks (JSON)")
    p.set_defaults(func=cmd_frameworks)

    p = plans_sub.add_parser(
        "instantiate", help="make a province's plan from a framework and print it (JSON)"
    )
    p.add_argument("framework", metavar="FRAMEWORK", help="framework code, e.g. province-dx")
    p.add_argument(
        "--unit", metavar="PROVINCE_CODE", help="province code (omit for a national plan)"
    )
    p.add_argument("--year", metavar="YYYY", type=int, required=True)
    p.set_defaults(func=cmd_instantiate)

    p = plans_sub.add_parser("overdue", help="tasks overdue on a date (JSON list)")
    p.add_argument("--unit", metavar="UNIT", help="province code or lead unit code")
    p.add_argument("--on", metavar="DATE", help="YYYY-MM-DD (default: today)")
    p.set_defaults(func=cmd_overdue)

    p = plans_sub.add_parser("export", help="write a plan to an XLSX file")
    p.add_argument("plan_id", metavar="PLAN_ID", type=int)
    p.add_argument("-o", "--output", metavar="FILE.xlsx", required=True)
    p.set_defaults(func=cmd_export)

    p = plans_sub.add_parser(
        "import", help="create or update a plan from an XLSX file (all rows or none)"
    )
    p.add_argument("file", metavar="FILE.xlsx")
    p.set_defaults(func=cmd_import)

    p = plans_sub.add_parser(
        "approve", help="approve a draft plan with its decision number and date (JSON)"
    )
    p.add_argument("plan_id", metavar="PLAN_ID", type=int)
    p.add_argument("--decision", metavar="NUMBER", required=True, help="e.g. 123/QĐ-UBND")
    p.add_argument("--date", metavar="DATE", required=True, help="YYYY-MM-DD")
    p.set_defaults(func=cmd_approve)

    p = plans_sub.add_parser(
        "send", help="send an approved plan to the ministry: write the ministry's XLSX"
    )
    p.add_argument("plan_id", metavar="PLAN_ID", type=int)
    p.add_argument("-o", "--output", metavar="FILE.xlsx", required=True)
    p.add_argument("--on", metavar="DATE", help="YYYY-MM-DD (default: today)")
    p.set_defaults(func=cmd_send)

    p = plans_sub.add_parser(
        "evaluate", help="evaluate a sent plan at year end against its targets (JSON)"
    )
    p.add_argument("plan_id", metavar="PLAN_ID", type=int)
    p.add_argument(
        "--result",
        metavar="CODE=VALUE",
        action="append",
        default=[],
        help="value reached by a target, e.g. T1=92.5 (repeatable)",
    )
    p.add_argument("--on", metavar="DATE", help="YYYY-MM-DD (default: today)")
    p.set_defaults(func=cmd_evaluate)

    p = plans_sub.add_parser(
        "systems", help="register of information systems, with next inspections (JSON list)"
    )
    p.add_argument("--unit", metavar="PROVINCE_CODE", help="province code")
    p.add_argument("--overdue-on", metavar="DATE", help="only inspections overdue on DATE")
    p.set_defaults(func=cmd_systems)

    p = plans_sub.add_parser(
        "remind", help="e-mail task and inspection reminders due on a date (JSON counts)"
    )
    p.add_argument("--on", metavar="DATE", help="YYYY-MM-DD (default: today)")
    p.set_defaults(func=cmd_remind)

    p = plans_sub.add_parser(
        "carry-over",
        help="carry a legacy province's plans, campaigns and users into its successor (JSON)",
    )
    p.add_argument("legacy_code", metavar="LEGACY_CODE", help="legacy province code, e.g. 62")
    p.set_defaults(func=cmd_carry_over)

    p = plans_sub.add_parser(
        "measure",
        help="write the register's shares to the 2025 targets' indicators for a year (JSON)",
    )
    p.add_argument("--unit", metavar="PROVINCE_CODE", required=True, help="province code")
    p.add_argument("--year", type=int, required=True, help="the year measured")
    p.add_argument("--on", metavar="DATE", help="day measured (default: today, or 31/12)")
    p.set_defaults(func=cmd_measure)

    plans.set_defaults(func=lambda args: plans.print_help() or 0)


def _life_cycle(args: argparse.Namespace, step: str) -> int:
    setup_django()
    from django.core.exceptions import ValidationError
    from django.http import Http404

    from thuocdo.accounts.scopes import Scope
    from thuocdo.plans import selectors
    from thuocdo.plans.services import lifecycle

    try:
        plan = selectors.plan_get(scope=Scope(role="admin"), plan_id=args.plan_id)
        on = selectors.parse_on_date(getattr(args, "on", None))
        if step == "approve":
            plan = lifecycle.plan_approve(
                actor=None, plan=plan, decision_number=args.decision, decision_date=args.date
            )
        elif step == "send":
            plan, data = lifecycle.plan_send(actor=None, plan=plan, on=on)
            Path(args.output).write_bytes(data)
        else:
            results = {}
            for item in args.result:
                code, _sep, value = item.partition("=")
                results[code.strip()] = value.strip()
            plan = lifecycle.plan_evaluate(actor=None, plan=plan, results=results, on=on)
    except (ValidationError, Http404) as exc:
        return fail(_errors(exc))
    print_json(selectors.plan_stage_dict(plan))
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    return _life_cycle(args, "approve")


def cmd_send(args: argparse.Namespace) -> int:
    return _life_cycle(args, "send")


def cmd_evaluate(args: argparse.Namespace) -> int:
    return _life_cycle(args, "evaluate")


def cmd_systems(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError

    from thuocdo.accounts.scopes import Scope
    from thuocdo.geo.models import Structure, Unit
    from thuocdo.plans import selectors

    path = ""
    if args.unit:
        unit = Unit.objects.filter(structure=Structure.CURRENT, code=args.unit).first()
        if unit is None:
            return fail(f"unknown province code {args.unit}")
        path = unit.path
    try:
        on = selectors.parse_on_date(args.overdue_on) if args.overdue_on else None
    except ValidationError as exc:
        return fail(_errors(exc))
    rows = selectors.system_list(scope=Scope(role="admin"), unit_path=path, overdue_on=on)
    print_json([selectors.system_json(s) for s in rows])
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError

    from thuocdo.plans import selectors
    from thuocdo.plans.services.register import systems_remind_overdue
    from thuocdo.plans.services.reminders import tasks_remind

    try:
        on = selectors.parse_on_date(args.on)
    except ValidationError as exc:
        return fail(_errors(exc))
    print_json(
        {
            "on": on.isoformat(),
            "tasks": tasks_remind(on=on),
            "systems": systems_remind_overdue(on=on),
        }
    )
    return 0


def cmd_carry_over(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError

    from thuocdo.plans.services.carryover import legacy_carry_over

    try:
        result = legacy_carry_over(actor=None, legacy_code=args.legacy_code)
    except ValidationError as exc:
        return fail(_errors(exc))
    print_json(result.as_dict())
    return 0


def cmd_measure(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from thuocdo.plans import selectors
    from thuocdo.plans.services.register import register_measure

    try:
        on = selectors.parse_on_date(args.on) if args.on else None
        result = register_measure(actor=None, unit_code=args.unit, year=args.year, on=on)
    except (ValidationError, PermissionDenied) as exc:
        return fail(_errors(exc))
    print_json(result)
    return 0


def _errors(exc: Exception) -> str:
    from django.core.exceptions import ValidationError

    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "\n".join(f"{f}: {m}" for f, ms in exc.message_dict.items() for m in ms)
        return "\n".join(exc.messages)
    return str(exc)


def task_json(task: Any) -> dict[str, Any]:
    return {
        "id": task.pk,
        "code": task.code,
        "group": task.group.code,
        "title": task.title_vi,
        "lead_unit": task.lead_unit,
        "lead_unit_name": task.lead_unit_name,
        "coordinating_units": task.coordinating_units,
        "start": task.start.isoformat() if task.start else None,
        "deadline": task.deadline.isoformat() if task.deadline else None,
        "deadline_spec": task.deadline_spec,
        "status": task.status,
        "progress": task.progress,
    }


def cmd_frameworks(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.plans import selectors

    print_json(
        [
            {
                "code": fw.code,
                "version": fw.version,
                "name": fw.name_vi,
                "name_en": fw.name_en,
                "scope": fw.scope,
                "default_year": fw.default_year,
                "groups": fw.group_count,
                "tasks": fw.task_count,
                "assignable": bool(fw.definition.get("departments")),
            }
            for fw in selectors.framework_list()
        ]
    )
    return 0


def cmd_instantiate(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError
    from django.http import Http404

    from thuocdo.plans import services

    try:
        plan = services.plan_instantiate(
            actor=None, framework=args.framework, unit_code=args.unit, year=args.year
        )
    except (ValidationError, Http404) as exc:
        return fail(_errors(exc))
    tasks = plan.tasks.select_related("group").order_by("position")
    print_json(
        {
            "id": plan.pk,
            "title": plan.title,
            "level": plan.level,
            "unit": plan.unit.code if plan.unit else None,
            "year": plan.year,
            "framework": plan.framework_code,
            "groups": [{"code": g.code, "title": g.title_vi} for g in plan.groups.all()],
            "tasks": [task_json(t) for t in tasks],
        }
    )
    return 0


def cmd_overdue(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError

    from thuocdo.accounts.scopes import Scope
    from thuocdo.plans import selectors

    try:
        on = selectors.parse_on_date(args.on)
        tasks = selectors.tasks_overdue(scope=Scope(role="admin"), on=on, unit_code=args.unit)
    except ValidationError as exc:
        return fail(_errors(exc))
    print_json(
        [
            {
                **task_json(t),
                "plan": t.plan_id,
                "unit": t.plan.unit.code if t.plan.unit else None,
                "on": on.isoformat(),
            }
            for t in tasks
        ]
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    setup_django()
    from django.http import Http404

    from thuocdo.accounts.scopes import Scope
    from thuocdo.plans import selectors, xlsx

    scope = Scope(role="admin")
    try:
        plan = selectors.plan_get(scope=scope, plan_id=args.plan_id)
    except Http404 as exc:
        return fail(str(exc))
    tasks = list(plan.tasks.select_related("group").order_by("position"))
    Path(args.output).write_bytes(xlsx.export_plan(plan, tasks))
    print_json({"plan": plan.pk, "tasks": len(tasks), "file": args.output})
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError
    from django.http import Http404

    from thuocdo.plans import services, xlsx

    try:
        report = services.plan_import(actor=None, data=xlsx.read_file(args.file))
    except (ValidationError, Http404) as exc:
        return fail(_errors(exc))
    print_json(
        {
            "plan": report.plan.pk,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "unregistered_units": [u.as_json() for u in report.unregistered],
        }
    )
    return 0
