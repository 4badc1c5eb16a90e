"""The packaged DTI structures and published history (no Django)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from thuocdo.dti.domain.scorecard import Structure, load_structure

BUILTIN = Path(__file__).resolve().parent.parent / "builtin"
STRUCTURE_FILES = ("dti-province-922.yaml", "dti-province-405.yaml", "dti-ministry-405.yaml")


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def builtin_structures() -> list[tuple[dict[str, Any], Structure]]:
    out = []
    for name in STRUCTURE_FILES:
        data = read_yaml(BUILTIN / name)
        out.append((data, load_structure(data)))
    return out


def builtin_history() -> list[dict[str, Any]]:
    data = read_yaml(BUILTIN / "history.yaml")
    return [dict(e, source=data["source"]) for e in data["entries"]]
