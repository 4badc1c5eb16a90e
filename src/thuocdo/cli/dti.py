"""``thuocdo dti``: DTI structures, entered component values, scorecards and rankings."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from thuocdo.cli.common import fail, print_json, setup_django


def register(sub: Any) -> None:
    dti = sub.add_parser("dti", help="DX index of provinces and ministries (DTI)")
    d = dti.add_subparsers(dest="dti_command", metavar="SUBCOMMAND")
    p = d.add_parser("structures", help="list the DTI structures (JSON)")
    p.set_defaults(func=cmd_structures)
    p = d.add_parser("load", help="load a ministry's structure file (YAML or JSON)")
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_load)
    p = d.add_parser("enter", help="enter component values from a JSON file (all or nothing)")
    p.add_argument("values", type=Path, help='JSON {"component": points | {"points", "evidence"}}')
    _subject(p)
    p.add_argument("--name", default="", help="ministry name")
    p.set_defaults(func=cmd_enter)
    p = d.add_parser(
        "fill", help="fill a province's components read from indicators and campaigns (JSON)"
    )
    p.add_argument("--structure", required=True, help="code@version")
    p.add_argument("--code", required=True, help="province code (current structure)")
    p.add_argument("--year", type=int, required=True)
    p.set_defaults(func=cmd_fill)
    p = d.add_parser("show", help="a subject's self-computed DTI (JSON)")
    _subject(p)
    p.set_defaults(func=cmd_show)
    p = d.add_parser("ranking", help="ranking of self-computed values (JSON)")
    p.add_argument("--structure", required=True, help="code@version")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--geo", choices=["2025", "legacy"], default="2025")
    p.set_defaults(func=cmd_ranking)
    p = d.add_parser("history", help="published DTI figures (JSON)")
    p.set_defaults(func=cmd_history)
    dti.set_defaults(func=lambda args: dti.print_help() or 0)


def _subject(p: argparse.ArgumentParser) -> None:
    p.add_argument("--structure", required=True, help="code@version, e.g. dti-province@405-2025")
    p.add_argument("--kind", choices=["province", "ministry"], default="province")
    p.add_argument("--code", required=True, help="province code or ministry code")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--geo", choices=["2025", "legacy"], default="", help="province structure")


def _system() -> tuple[Any, Any]:
    from thuocdo.accounts.scopes import Scope

    return Scope(role="admin"), None


def _errors(exc: Any) -> str:
    if hasattr(exc, "error_dict"):
        return "\n".join(f"{field}: {m}" for field, ms in exc.message_dict.items() for m in ms)
    return "\n".join(getattr(exc, "messages", [str(exc)]))


def cmd_structures(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.dti import selectors

    print_json(selectors.structures_list())
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError

    from thuocdo.dti import services

    scope, actor = _system()
    try:
        row = services.dti_structure_load(scope=scope, actor=actor, path=args.file)
    except FileNotFoundError:
        return fail(f"Không có tệp {args.file}.")
    except ValidationError as exc:
        return fail(_errors(exc))
    print_json({"structure": row.label, "origin": row.origin})
    return 0


def cmd_enter(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from thuocdo.dti import services

    try:
        values = json.loads(args.values.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return fail(f"Không có tệp {args.values}.")
    except json.JSONDecodeError as exc:
        return fail(f"{args.values}: không phải JSON ({exc}).")
    if not isinstance(values, dict):
        return fail(f"{args.values}: cần một đối tượng JSON {{mã thành phần: điểm}}.")
    scope, actor = _system()
    try:
        result = services.dti_values_enter(
            scope=scope,
            actor=actor,
            structure=args.structure,
            kind=args.kind,
            code=args.code,
            year=args.year,
            values=values,
            geo_structure=args.geo,
            name=args.name,
        )
    except (ValidationError, PermissionDenied) as exc:
        return fail(_errors(exc))
    print_json(result)
    return 0


def cmd_fill(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from thuocdo.dti import services

    scope, actor = _system()
    try:
        result = services.dti_values_fill(
            scope=scope, actor=actor, structure=args.structure, code=args.code, year=args.year
        )
    except (ValidationError, PermissionDenied) as exc:
        return fail(_errors(exc))
    print_json(result)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from thuocdo.dti import selectors

    scope, _actor = _system()
    try:
        card = selectors.scorecard(
            scope=scope,
            structure=args.structure,
            kind=args.kind,
            code=args.code,
            year=args.year,
            geo_structure=args.geo,
        )
    except (ValidationError, PermissionDenied) as exc:
        return fail(_errors(exc))
    print_json(card)
    return 0


def cmd_ranking(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError

    from thuocdo.dti import selectors

    try:
        rows = selectors.ranking(structure=args.structure, year=args.year, geo_structure=args.geo)
    except ValidationError as exc:
        return fail(_errors(exc))
    print_json(rows)
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.dti import selectors

    print_json(selectors.history())
    return 0
