"""YAML text of a criteria set: the canonical dump and copying a file under a new version.

Pure module (no Django): used when a draft starts as a copy of an earlier version, so that the
author keeps the comments and layout of the file they know.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from thuocdo.frameworks.engine import FrameworkInvalid, content_hash, load_framework_text

_VERSION_LINE = re.compile(r"^version[ \t]*:[^\n]*$", re.MULTILINE)


def dump(definition: dict[str, Any]) -> str:
    """The canonical definition as YAML (keys in the engine's order, UTF-8 kept)."""
    return yaml.safe_dump(
        definition, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )


def retarget_version(
    text: str, new_version: str, definition: dict[str, Any], expected_hash: str
) -> str:
    """``text`` with its top-level ``version:`` set to ``new_version``.

    The edited text is kept only if it loads to exactly the expected content (same hash);
    otherwise (no text, several ``version:`` lines, flow style, …) the canonical YAML of
    ``definition`` is returned instead.
    """
    matches = _VERSION_LINE.findall(text or "")
    if len(matches) == 1:
        edited = _VERSION_LINE.sub(f"version: {json.dumps(new_version)}", text, count=1)
        try:
            fw = load_framework_text(edited, "<copy>")
        except FrameworkInvalid:
            fw = None
        if fw is not None and content_hash(fw) == expected_hash:
            return edited
    return canonical_text(definition)


def canonical_text(definition: dict[str, Any]) -> str:
    """A readable YAML file for a stored definition (used when no original text is kept)."""
    header = "# Bộ tiêu chí (criteria set) — canonical form written by Thước đo\n"
    return header + dump(definition)
