"""Built-in data of the plans capability, loaded by `thuocdo load-builtins`."""

from __future__ import annotations

from typing import Any


def load() -> dict[str, Any]:
    """Load (idempotently) this capability's built-in data; returns counts for the report."""
    return {}
