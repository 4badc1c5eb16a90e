"""`thuocdo` subcommands of the ecosystem capability."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """Add this capability's subcommands to the parser."""
