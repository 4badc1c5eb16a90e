"""``thuocdo geo``: find administrative units."""

from __future__ import annotations

import argparse
from typing import Any

from thuocdo.cli.common import print_json, setup_django


def register(sub: Any) -> None:
    geo = sub.add_parser("geo", help="administrative units")
    geo_sub = geo.add_subparsers(dest="geo_command", metavar="SUBCOMMAND")
    p = geo_sub.add_parser("find", help="find units by name, ignoring diacritics and case (JSON)")
    p.add_argument("name")
    p.add_argument("--structure", choices=["2025", "legacy", "all"], default="2025")
    p.add_argument("--level", choices=["province", "district", "commune"], default=None)
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_find)
    geo.set_defaults(func=lambda args: geo.print_help() or 0)


def cmd_find(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.geo.selectors import unit_search

    structure = None if args.structure == "all" else args.structure
    units = unit_search(args.name, structure=structure, level=args.level, limit=args.limit)
    print_json(
        [
            {
                "code": u.code,
                "name": u.name,
                "level": u.level,
                "structure": u.structure,
                "parent": {"code": u.parent.code, "name": u.parent.name} if u.parent else None,
                "former": {"code": u.former.code, "name": u.former.name} if u.former else None,
            }
            for u in units
        ]
    )
    return 0
