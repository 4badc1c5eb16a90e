"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thuocdo.config.settings")
    import django

    django.setup()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str, code: int = 1) -> int:
    sys.stderr.write(message.rstrip() + "\n")
    return code


def command_group(sub: Any, name: str, help_text: str) -> Any:
    """The sub-parsers of the command group ``name`` (``thuocdo campaigns …``), created on first
    use; several modules add their commands to the same group of the same parser."""
    parser = sub.choices.get(name)
    if parser is None:
        parser = sub.add_parser(name, help=help_text)
        parser.set_defaults(func=lambda args: parser.print_help() or 0)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND")
