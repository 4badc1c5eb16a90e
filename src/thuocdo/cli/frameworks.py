"""``thuocdo frameworks …`` and ``thuocdo score``: criteria sets from the command line.

The commands themselves live in ``thuocdo.frameworks.commands`` (with the app's messages);
this module only declares them. Exit status: 0 on success, 1 when a file, a criteria set or
the answers are invalid (every problem is printed), 2 for usage errors.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from thuocdo.cli.common import setup_django

LANGS = ["vi", "en"]


def register(sub: Any) -> None:
    fw = sub.add_parser("frameworks", help="criteria sets: list, show, validate, load, diff")
    fw_sub = fw.add_subparsers(dest="frameworks_command", metavar="SUBCOMMAND")

    p = fw_sub.add_parser("list", help="list stored criteria-set versions (JSON)")
    p.add_argument("--sector", default=None)
    p.add_argument("--entity-type", default=None)
    p.add_argument("--status", choices=["draft", "published", "retired"], default=None)
    p.add_argument("--code", default=None)
    p.add_argument("--lang", choices=LANGS, default="vi")
    p.set_defaults(func=_command("cmd_list"))

    p = fw_sub.add_parser("show", help="show one version, CODE@VERSION (JSON, or its YAML)")
    p.add_argument("label", metavar="CODE@VERSION")
    p.add_argument("--yaml", action="store_true", help="print the stored YAML text instead")
    p.add_argument("--lang", choices=LANGS, default="vi")
    p.set_defaults(func=_command("cmd_show"))

    p = fw_sub.add_parser(
        "validate", help="validate a criteria-set YAML file; exit 1 with every problem"
    )
    p.add_argument("file", metavar="FILE.yaml")
    p.add_argument("--lang", choices=LANGS, default="vi", help="language of the messages")
    p.add_argument("--json", action="store_true", help="print the problems as JSON")
    p.set_defaults(func=_command("cmd_validate"))

    p = fw_sub.add_parser(
        "load", help="store a criteria-set YAML file as a draft version (or --publish it)"
    )
    p.add_argument("file", metavar="FILE.yaml")
    p.add_argument("--publish", action="store_true", help="publish it at once")
    p.add_argument("--lang", choices=LANGS, default="vi")
    p.set_defaults(func=_command("cmd_load"))

    p = fw_sub.add_parser(
        "diff", help="differences between two versions (each CODE@VERSION or a YAML path; JSON)"
    )
    p.add_argument("old", metavar="A")
    p.add_argument("new", metavar="B")
    p.add_argument("--lang", choices=LANGS, default="vi")
    p.set_defaults(func=_command("cmd_diff"))
    fw.set_defaults(func=lambda args: fw.print_help() or 0)

    p = sub.add_parser(
        "score",
        help="score one response: FRAMEWORK (YAML path or CODE@VERSION) and ANSWERS.json",
    )
    p.add_argument("framework", metavar="FRAMEWORK")
    p.add_argument("answers", metavar="ANSWERS.json")
    p.add_argument("--lang", choices=LANGS, default="vi", help="language of the messages")
    p.set_defaults(func=_command("cmd_score"))


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        setup_django()
        from thuocdo.frameworks import commands

        return commands.run(getattr(commands, name), args)

    return run
