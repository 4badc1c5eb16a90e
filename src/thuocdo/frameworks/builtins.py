"""Built-in criteria sets (``frameworks/builtin/*.yaml``), loaded as published versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

BUILTIN_DIR = Path(__file__).parent / "builtin"


def builtin_files() -> list[Path]:
    return sorted(p for p in BUILTIN_DIR.glob("*.yaml") if p.name != "solution_tags.yaml")


def load() -> dict[str, Any]:
    """Load every built-in set (idempotent: unchanged versions are left alone)."""
    from thuocdo.frameworks.services import framework_version_load

    created = 0
    for path in builtin_files():
        _, was_created = framework_version_load(
            actor=None,
            text=path.read_bytes(),
            source_name=str(path.name),
            publish=True,
            builtin=True,
        )
        created += int(was_created)
    return {"criteria_sets": len(builtin_files()), "created": created}
