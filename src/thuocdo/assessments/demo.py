"""Demo data of the assessments capability, loaded by `thuocdo demo`."""

from __future__ import annotations

from typing import Any


def load_demo() -> dict[str, Any]:
    """Load (idempotently) this capability's demo data; returns counts for the report."""
    return {}
