"""The ``thuocdo`` command: one subcommand module per domain, each calling services."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES = (
    "thuocdo.cli.core",
    "thuocdo.cli.accounts",
    "thuocdo.cli.geo",
    "thuocdo.cli.frameworks",
    "thuocdo.cli.assessments",
    "thuocdo.cli.importing",
    "thuocdo.cli.analytics",
    "thuocdo.cli.ecosystem",
    "thuocdo.cli.indicators",
    "thuocdo.cli.plans",
    "thuocdo.cli.dti",
    "thuocdo.cli.ops",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="thuocdo",
        description=(
            "Thước đo: đo lường chuyển đổi số và kinh tế số. "
            "Measuring digital transformation and the digital economy."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0
    try:
        result = func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from thuocdo.config.setup_errors import explain

        line = explain(exc)
        if line is None:
            raise
        sys.stderr.write(line + "\n")
        return 1
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
