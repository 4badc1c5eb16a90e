"""``thuocdo indicators``: strategy indicators, targets, submissions, forecasts, Annex 01 XLSX,
overdue list and reminders.

Units are province codes of the current structure (``01`` Hà Nội); ``VN`` or no ``--unit`` is
the nation. Commands act as the system administrator unless ``--as USERNAME`` names an
account, whose scope then applies. Exit codes: 0 ok, 1 invalid input (problems on stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from thuocdo.cli.common import fail, print_json, setup_django


def _as(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--as",
        dest="as_user",
        default=None,
        metavar="USERNAME",
        help="act as this account (its scope applies); default: system administrator",
    )


def register(sub: Any) -> None:
    ind = sub.add_parser("indicators", help="strategy indicators, targets, reporting, forecasts")
    isub = ind.add_subparsers(dest="indicators_command", metavar="SUBCOMMAND")

    p = isub.add_parser("list", help="indicators with unit, direction and targets (JSON)")
    p.add_argument("--unit", default=None, help="also list this province's own targets")
    p.set_defaults(func=cmd_list)

    p = isub.add_parser("target", help="set a target for a year, nationally or for a province")
    p.add_argument("code")
    p.add_argument("--unit", default=None, help="province code, or VN / omitted for national")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--value", required=True)
    p.add_argument("--comparator", choices=[">=", ">", "<=", "<", "~"], default=None)
    p.add_argument("--plan", action="store_true", help="a yearly plan value, not a target")
    _as(p)
    p.set_defaults(func=cmd_target)

    p = isub.add_parser("submit", help="report a value for a period (2025Q3 or 2025)")
    p.add_argument("code")
    p.add_argument("--unit", default=None, help="province code, or VN / omitted for national")
    p.add_argument("--period", required=True, help="2025Q3, Quý III/2025, 2025 …")
    p.add_argument("--value", required=True)
    p.add_argument("--provisional", action="store_true", help="a provisional estimate")
    p.add_argument("--source", default="")
    p.add_argument("--unit-symbol", default=None, help="unit of the value, checked (e.g. %%)")
    p.add_argument("--international-value", default=None)
    p.add_argument("--international-reference", default="")
    p.add_argument("--trend", default="", help="trend assessment (Annex 01 §III)")
    p.add_argument("--comparison", default="", help="international comparison (§IV)")
    p.add_argument("--difficulties", default="", help="difficulties (§V)")
    p.add_argument("--proposals", default="", help="proposals (§VI)")
    p.add_argument(
        "--sector", default="", help="sector code, for an indicator broken down by sector"
    )
    _as(p)
    p.set_defaults(func=cmd_submit)

    p = isub.add_parser("forecast", help="forecast against the target, with verdict (JSON)")
    p.add_argument("code")
    p.add_argument("--unit", default=None)
    p.add_argument("--year", type=int, default=None, help="target year (default: next target)")
    p.add_argument("--details", action="store_true", help="add method, history and notes")
    p.set_defaults(func=cmd_forecast)

    p = isub.add_parser("export", help="write the Annex 01 reporting form (XLSX)")
    p.add_argument("--period", required=True)
    p.add_argument("--unit", default=None)
    p.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    p.set_defaults(func=cmd_export)

    p = isub.add_parser("import", help="read a filled Annex 01 form (all rows or nothing)")
    p.add_argument("file", metavar="FILE.xlsx")
    _as(p)
    p.set_defaults(func=cmd_import)

    p = isub.add_parser("overdue", help="submissions missing after the deadline (JSON)")
    p.add_argument("--period", default=None, help="default: the latest quarter past its deadline")
    p.add_argument("--unit", default=None, help="only this province (VN: national)")
    p.set_defaults(func=cmd_overdue)

    p = isub.add_parser("remind", help="e-mail reminders of overdue submissions")
    p.add_argument("--period", default=None)
    p.set_defaults(func=cmd_remind)

    p = isub.add_parser(
        "warnings", help="early warning: indicators off track, at risk or far ahead (JSON)"
    )
    p.add_argument("--unit", default="all", help="only this unit (VN: national)")
    p.set_defaults(func=cmd_warnings)

    p = isub.add_parser(
        "backtest",
        help="backtest the forecast method on the stored series, per series and per indicator",
    )
    p.add_argument("--json", action="store_true", help="the per-indicator figures as JSON")
    p.set_defaults(func=cmd_backtest)

    p = isub.add_parser("propose-target", help="propose a new target (awaits another's approval)")
    p.add_argument("code")
    p.add_argument("--unit", default=None, help="province code, or VN / omitted for national")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--value", required=True)
    p.add_argument("--comparator", choices=[">=", ">", "<=", "<", "~"], default=None)
    p.add_argument("--reason", required=True)
    _as(p)
    p.set_defaults(func=cmd_propose_target)

    p = isub.add_parser("proposals", help="target-change proposals in scope (JSON)")
    p.add_argument("--status", default=None, choices=["pending", "approved", "rejected"])
    _as(p)
    p.set_defaults(func=cmd_proposals)

    p = isub.add_parser("decide-proposal", help="approve or reject a target-change proposal")
    p.add_argument("id", type=int)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--approve", action="store_true")
    g.add_argument("--reject", action="store_true")
    p.add_argument("--note", default="")
    _as(p)
    p.set_defaults(func=cmd_decide_proposal)

    p = isub.add_parser(
        "measure", help="declare digital-economy inputs (JSON file) and compute the shares"
    )
    p.add_argument("file", metavar="INPUTS.json")
    _as(p)
    p.set_defaults(func=cmd_measure)

    p = isub.add_parser("close-period", help="close (or --reopen) a period to submissions")
    p.add_argument("period")
    p.add_argument("--reopen", action="store_true")
    p.add_argument("--plan", default=None, help="reporting plan code (default: the built-in one)")
    p.set_defaults(func=cmd_close_period)

    p = isub.add_parser("deadlines", help="show or change a reporting plan's deadline days (JSON)")
    p.add_argument("--plan", default=None, help="reporting plan code (default: the built-in one)")
    p.add_argument("--day", type=int, default=None, help="data due on this day (1-28)")
    p.add_argument("--consolidation-day", type=int, default=None, help="consolidation due (1-28)")
    p.add_argument(
        "--close-after-days",
        type=int,
        default=None,
        help="close each period this many days after consolidation (-1: never automatically)",
    )
    p.set_defaults(func=cmd_deadlines)

    p = isub.add_parser("define", help="add an indicator with its measurement method (JSON)")
    p.add_argument("code")
    p.add_argument("--name", required=True, help="Vietnamese name")
    p.add_argument("--name-en", default="")
    p.add_argument("--unit-symbol", default="%")
    p.add_argument("--unit-kind", default="percent", help="percent, count, money, index, rate")
    p.add_argument("--direction", default="higher", choices=["higher", "lower"])
    p.add_argument("--scope", default="national,province", help="national, ministry, province")
    p.add_argument("--method", default="input", choices=["input", "formula", "survey"])
    p.add_argument("--formula", default="", help="over other indicator codes, for --method formula")
    p.add_argument("--survey-source", default="", help="published results, for --method survey")
    p.add_argument("--responsible-unit", default="")
    p.add_argument("--reporting-unit", default="")
    _as(p)
    p.set_defaults(func=cmd_define)

    p = isub.add_parser("lock", help="lock (chốt số liệu) an indicator's figures of a period")
    p.add_argument("code")
    p.add_argument("--period", required=True)
    p.add_argument("--unit", default=None, help="province code, or VN / omitted for national")
    _as(p)
    p.set_defaults(func=cmd_lock)

    p = isub.add_parser("unlock", help="unlock consolidated figures for a correction")
    p.add_argument("code")
    p.add_argument("--period", required=True)
    p.add_argument("--unit", default=None, help="province code, or VN / omitted for national")
    p.add_argument("--reason", required=True)
    _as(p)
    p.set_defaults(func=cmd_unlock)

    p = isub.add_parser("consolidation", help="consolidation status of a period (JSON)")
    p.add_argument("--period", required=True)
    p.add_argument("--unit", default=None, help="province code, or VN / omitted for national")
    _as(p)
    p.set_defaults(func=cmd_consolidation)

    p = isub.add_parser(
        "compare", help="set (or --clear) an indicator's international comparison value (JSON)"
    )
    p.add_argument("code")
    p.add_argument("--value", default=None, help="the comparison value, e.g. 64.5")
    p.add_argument("--source", default="", help="where the value comes from (required)")
    p.add_argument("--year", type=int, default=None, help="the year the value refers to")
    p.add_argument("--clear", action="store_true", help="remove the value")
    _as(p)
    p.set_defaults(func=cmd_compare)

    ind.set_defaults(func=lambda args: ind.print_help() or 0)


def _actor(username: str | None) -> tuple[Any, Any]:
    from thuocdo.accounts.models import User
    from thuocdo.accounts.scopes import Scope
    from thuocdo.accounts.selectors import scope_for

    if username is None:
        return None, Scope(role="admin")
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise LookupError(username)
    return user, scope_for(user)


def _problems(exc: Exception) -> str:
    from django.core.exceptions import ValidationError

    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "\n".join(
                f"{field}: {msg}" for field, msgs in exc.message_dict.items() for msg in msgs
            )
        return "\n".join(exc.messages)
    return str(exc)


def _run(func: Callable[[], int]) -> int:
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404

    try:
        return func()
    except LookupError as exc:
        return fail(f"Không có tài khoản đang hoạt động: {exc}")
    except (ValidationError, PermissionDenied, Http404) as exc:
        return fail(_problems(exc) or "Không được phép / not allowed")


def cmd_list(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.indicators.reporting import resolve_unit, unit_code
    from thuocdo.indicators.selectors import indicator_list

    def run() -> int:
        unit = resolve_unit(args.unit)
        out: list[dict[str, Any]] = []
        for ind in indicator_list():
            targets: list[dict[str, Any]] = [
                {
                    "year": t.year,
                    "value": t.value,
                    "comparator": t.comparator,
                    "kind": t.kind,
                    "unit": unit_code(t.unit),
                }
                for t in ind.targets.all()
                if t.unit is None or (unit is not None and t.unit_id == unit.pk)
            ]
            out.append(
                {
                    "code": ind.code,
                    "name": ind.name_vi,
                    "name_en": ind.name_en,
                    "unit": ind.unit_symbol,
                    "direction": ind.direction,
                    "kind": ind.kind,
                    "targets": sorted(targets, key=lambda t: (t["year"], t["unit"])),
                }
            )
        print_json(out)
        return 0

    return _run(run)


def cmd_target(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.indicators.reporting import unit_code
    from thuocdo.indicators.services import target_set

    def run() -> int:
        actor, scope = _actor(args.as_user)
        t = target_set(
            scope=scope,
            actor=actor,
            indicator_code=args.code,
            unit_code=args.unit,
            year=args.year,
            value=args.value,
            comparator=args.comparator,
            kind="plan" if args.plan else "target",
        )
        print_json(
            {
                "code": t.indicator.code,
                "unit": unit_code(t.unit),
                "year": t.year,
                "value": t.value,
                "comparator": t.comparator,
                "kind": t.kind,
            }
        )
        return 0

    return _run(run)


def cmd_submit(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.indicators.reporting import unit_code
    from thuocdo.indicators.services import submission_submit

    def run() -> int:
        actor, scope = _actor(args.as_user)
        result = submission_submit(
            scope=scope,
            actor=actor,
            indicator_code=args.code,
            unit_code=args.unit,
            period=args.period,
            value=args.value,
            provisional=args.provisional,
            source=args.source,
            unit_symbol=args.unit_symbol,
            international_value=args.international_value,
            international_reference=args.international_reference,
            trend_assessment=args.trend,
            international_comparison=args.comparison,
            difficulties=args.difficulties,
            proposals=args.proposals,
            sector=args.sector,
        )
        s = result.submission
        print_json(
            {
                "code": s.indicator.code,
                "unit": unit_code(s.unit),
                "period": s.period,
                "sector": s.sector,
                "value": s.value,
                "provisional": s.provisional,
                "created": result.created,
                "changed": result.changed,
                "replaced": None
                if result.replaced is None
                else {"value": result.replaced.value, "status": result.replaced.status},
                "late": s.late,
                "warnings": result.warnings,
            }
        )
        return 0

    return _run(run)


def cmd_forecast(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.accounts.scopes import Scope
    from thuocdo.indicators.forecasting import contract, forecast_get

    def run() -> int:
        fc = forecast_get(
            scope=Scope(role="admin"), code=args.code, unit_code=args.unit, target_year=args.year
        )
        print_json(fc if args.details else contract(fc))
        return 0

    return _run(run)


def cmd_export(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.accounts.scopes import Scope
    from thuocdo.indicators.annex import annex_export

    def run() -> int:
        data = annex_export(
            scope=Scope(role="admin"), period=args.period, unit_code_=args.unit, path=args.output
        )
        print_json({"file": args.output, "bytes": len(data)})
        return 0

    return _run(run)


def cmd_import(args: argparse.Namespace) -> int:
    setup_django()
    from pathlib import Path

    from thuocdo.indicators.annex import AnnexImportError, annex_import

    def run() -> int:
        if not Path(args.file).is_file():
            return fail(f"Không tìm thấy tệp / file not found: {args.file}")
        actor, scope = _actor(args.as_user)
        try:
            report = annex_import(scope=scope, actor=actor, source=args.file)
        except AnnexImportError as exc:
            for e in exc.report.errors:
                sys.stderr.write(e["message"] + "\n")
            sys.stderr.write(
                f"Không nhập dòng nào ({len(exc.report.errors)} lỗi) / nothing imported\n"
            )
            return 1
        print_json(report.to_dict())
        return 0

    return _run(run)


def cmd_overdue(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.accounts.scopes import Scope
    from thuocdo.indicators.reporting import resolve_unit, unit_code
    from thuocdo.indicators.selectors import overdue_list

    def run() -> int:
        rows = overdue_list(scope=Scope(role="admin"), period=args.period)
        if args.unit is not None:
            code = unit_code(resolve_unit(args.unit))
            rows = [r for r in rows if r["unit_code"] == code]
        print_json(
            [{k: v for k, v in r.items() if k not in ("unit_id", "unit_path")} for r in rows]
        )
        return 0

    return _run(run)


def cmd_remind(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.indicators.services import reminders_send

    def run() -> int:
        print_json(reminders_send(period=args.period))
        return 0

    return _run(run)


def cmd_close_period(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.accounts.scopes import Scope
    from thuocdo.indicators.services import period_close, period_reopen

    def run() -> int:
        func = period_reopen if args.reopen else period_close
        setting = func(
            scope=Scope(role="admin"), actor=None, period=args.period, plan_code=args.plan
        )
        print_json({"period": setting.period, "plan": setting.plan.code, "closed": setting.closed})
        return 0

    return _run(run)


def cmd_deadlines(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.accounts.scopes import Scope
    from thuocdo.indicators.selectors import plan_deadlines
    from thuocdo.indicators.services import plan_set_deadlines

    def run() -> int:
        current = plan_deadlines(plan_code=args.plan)
        if (args.day, args.consolidation_day, args.close_after_days) != (None, None, None):
            after = args.close_after_days
            plan_set_deadlines(
                scope=Scope(role="admin"),
                actor=None,
                plan_code=current["plan"],
                deadline_day=current["deadline_day"] if args.day is None else args.day,
                consolidation_day=(
                    current["consolidation_day"]
                    if args.consolidation_day is None
                    else args.consolidation_day
                ),
                close_after_days=(
                    current["close_after_days"] if after is None else (None if after < 0 else after)
                ),
            )
            current = plan_deadlines(plan_code=current["plan"])
        print_json(current)
        return 0

    return _run(run)


def cmd_backtest(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.indicators.forecasting import backtest_by_indicator, backtest_text, stored_backtest

    def run() -> int:
        report = stored_backtest()
        if args.json:
            print_json(backtest_by_indicator(report))
        else:
            print(backtest_text(report))
        return 0

    return _run(run)


def cmd_propose_target(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.indicators.proposals import proposal_dict, proposal_open

    def run() -> int:
        actor, scope = _actor(args.as_user)
        p = proposal_open(
            scope=scope,
            actor=actor,
            indicator_code=args.code,
            unit_code_=args.unit,
            year=args.year,
            value=args.value,
            comparator=args.comparator,
            reason=args.reason,
        )
        print_json(proposal_dict(p))
        return 0

    return _run(run)


def cmd_proposals(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.indicators.proposals import proposal_dict, proposal_list

    def run() -> int:
        _actor_user, scope = _actor(args.as_user)
        print_json([proposal_dict(p) for p in proposal_list(scope=scope, status=args.status)])
        return 0

    return _run(run)


def cmd_decide_proposal(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.indicators.proposals import proposal_decide, proposal_dict

    def run() -> int:
        actor, scope = _actor(args.as_user)
        p = proposal_decide(
            scope=scope, actor=actor, proposal_id=args.id, approve=args.approve, note=args.note
        )
        print_json(proposal_dict(p))
        return 0

    return _run(run)


def cmd_measure(args: argparse.Namespace) -> int:
    """INPUTS.json: {"unit": "01", "period": "2025Q3", "grdp": …, "grdp_source": "…",
    "currency_unit": "tỷ đồng", "core": [{"label", "value", "source", "vsic_codes"}],
    "platform": [...] or null, "sectoral": [{"sector", "source", "digital_value_added" or
    "sector_value_added" + "digital_share_pct"}] or null}."""
    setup_django()
    import json
    from pathlib import Path

    from thuocdo.indicators.digital_economy import de_declare

    def run() -> int:
        path = Path(args.file)
        if not path.is_file():
            return fail(f"Không tìm thấy tệp / file not found: {args.file}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            return fail(f"{args.file}: JSON không hợp lệ / invalid JSON: {exc}")
        if not isinstance(data, dict):
            return fail(f"{args.file}: cần một đối tượng JSON / a JSON object is expected")
        actor, scope = _actor(args.as_user)
        result = de_declare(
            scope=scope,
            actor=actor,
            unit_code_=data.get("unit"),
            period=str(data.get("period", "")),
            grdp=data.get("grdp"),
            grdp_source=str(data.get("grdp_source", "")),
            core=data.get("core") or [],
            platform=data.get("platform"),
            sectoral=data.get("sectoral"),
            currency_unit=str(data.get("currency_unit", "tỷ đồng")),
        )
        print_json(
            {
                "id": result.pk,
                "unit": data.get("unit") or "VN",
                "period": result.period,
                "method_version": result.method_version,
                "de_share_pct": result.de_share_pct,
                "ict_share_pct": result.ict_share_pct,
                "platform_share_pct": result.platform_share_pct,
                "digitalisation_share_pct": result.digitalisation_share_pct,
                "missing": result.missing,
                "notes": result.notes,
                "declaration": result.declaration_id,
            }
        )
        return 0

    return _run(run)


def cmd_warnings(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.accounts.scopes import Scope
    from thuocdo.indicators.forecasting import early_warnings

    def run() -> int:
        print_json(early_warnings(scope=Scope(role="admin"), unit_code=args.unit))
        return 0

    return _run(run)


def cmd_lock(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.indicators.consolidation import consolidation_dict, consolidation_lock

    def run() -> int:
        actor, scope = _actor(args.as_user)
        lock = consolidation_lock(
            scope=scope,
            actor=actor,
            indicator_code=args.code,
            unit_code_=args.unit,
            period=args.period,
        )
        print_json(consolidation_dict(lock))
        return 0

    return _run(run)


def cmd_unlock(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.indicators.consolidation import consolidation_unlock

    def run() -> int:
        actor, scope = _actor(args.as_user)
        consolidation_unlock(
            scope=scope,
            actor=actor,
            indicator_code=args.code,
            unit_code_=args.unit,
            period=args.period,
            reason=args.reason,
        )
        print_json({"code": args.code, "period": args.period, "locked": False})
        return 0

    return _run(run)


def cmd_consolidation(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.indicators.consolidation import consolidation_status

    def run() -> int:
        _user, scope = _actor(args.as_user)
        print_json(consolidation_status(scope=scope, period=args.period, unit_code_=args.unit))
        return 0

    return _run(run)


def cmd_define(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.indicators.services import indicator_create

    def run() -> int:
        actor, scope = _actor(args.as_user)
        ind = indicator_create(
            scope=scope,
            actor=actor,
            code=args.code,
            name_vi=args.name,
            name_en=args.name_en,
            unit_symbol=args.unit_symbol,
            unit_kind=args.unit_kind,
            direction=args.direction,
            scopes=[s.strip() for s in args.scope.split(",") if s.strip()],
            kind=args.method,
            formula=args.formula,
            survey_source=args.survey_source,
            responsible_unit=args.responsible_unit,
            reporting_unit=args.reporting_unit,
        )
        print_json(
            {
                "code": ind.code,
                "name": ind.name_vi,
                "unit": ind.unit_symbol,
                "direction": ind.direction,
                "scope": ind.scope,
                "method": ind.kind,
                "formula": ind.formula,
                "survey_source": ind.survey_source,
                "responsible_unit": ind.responsible_unit,
                "reporting_unit": ind.reporting_unit,
            }
        )
        return 0

    return _run(run)


def cmd_compare(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.indicators.services import indicator_set_international_value

    def run() -> int:
        if not args.clear and args.value is None:
            return fail("Cần --value hoặc --clear / --value or --clear is required")
        actor, scope = _actor(args.as_user)
        ind = indicator_set_international_value(
            scope=scope,
            actor=actor,
            code=args.code,
            value=None if args.clear else args.value,
            source=args.source,
            year=args.year,
        )
        print_json(
            {
                "indicator": ind.code,
                "international_value": ind.international_value,
                "international_value_source": ind.international_value_source,
                "international_value_year": ind.international_value_year,
            }
        )
        return 0

    return _run(run)
