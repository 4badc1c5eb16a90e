"""Canonical dict/JSON form of a Framework, its content hash, and the public loaders."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .loader import MAX_BYTES, load_yaml, read_bounded
from .messages import FrameworkInvalid, Problem
from .model import Criterion, Framework, Level, LocalText, Pillar, Question
from .validate import build_framework


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else x


def _text(t: LocalText) -> dict[str, str]:
    return {"vi": t.vi, "en": t.en}


def _question(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {"type": q.type, "text": _text(q.text)}
    if q.help is not None:
        out["help"] = _text(q.help)
    if q.type in ("single", "multi"):
        out["options"] = [
            {
                "code": o.code,
                "text": _text(o.text),
                "score": _num(o.score),
                "exclusive": o.exclusive,
            }
            for o in q.options
        ]
    elif q.type == "boolean":
        out["yes_score"] = _num(q.yes_score)
        out["no_score"] = _num(q.no_score)
    elif q.type == "number":
        out["thresholds"] = [{"min": _num(t.min), "score": _num(t.score)} for t in q.thresholds]
    if q.type in ("number", "scale"):
        if q.min is not None:
            out["min"] = _num(q.min)
        if q.max is not None:
            out["max"] = _num(q.max)
    if q.unit is not None:
        out["unit"] = q.unit
    return out


def _criterion(c: Criterion) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": c.code,
        "name": _text(c.name),
        "weight": _num(c.weight),
        "required": c.required,
        "target": _num(c.target),
    }
    if c.relevant is not None:
        out["relevant"] = c.relevant.source
    if c.required_for_level is not None:
        out["required_for_level"] = c.required_for_level
    out["solution_tags"] = list(c.solution_tags)
    if c.unanswered_as_zero:  # written only when set, so earlier sets keep their content hash
        out["unanswered_as_zero"] = True
    if c.description is not None:
        out["description"] = _text(c.description)
    out["question"] = _question(c.question)
    return out


def _level(lv: Level) -> dict[str, Any]:
    out: dict[str, Any] = {"code": lv.code, "name": _text(lv.name), "min": _num(lv.min)}
    if lv.min_pillars is not None:
        out["min_pillars"] = lv.min_pillars
    if lv.pillar_min is not None:
        out["pillar_min"] = _num(lv.pillar_min)
    if lv.description is not None:
        out["description"] = _text(lv.description)
    if lv.strict:  # written only when strict, so earlier sets keep their content hash
        out["compare"] = ">"
    if lv.pillar_strict:
        out["pillar_compare"] = ">"
    return out


def _pillar(p: Pillar) -> dict[str, Any]:
    out: dict[str, Any] = {"code": p.code, "name": _text(p.name), "weight": _num(p.weight)}
    if p.description is not None:
        out["description"] = _text(p.description)
    out["criteria"] = [_criterion(c) for c in p.criteria]
    return out


def framework_to_dict(fw: Framework) -> dict[str, Any]:
    """Canonical, JSON-able dict with every default written out; round-trips exactly."""
    out: dict[str, Any] = {
        "code": fw.code,
        "version": fw.version,
        "name": _text(fw.name),
        "sector": fw.sector,
        "entity_types": list(fw.entity_types),
        "source": fw.source,
    }
    if fw.description is not None:
        out["description"] = _text(fw.description)
    if fw.points is not None:
        out["points"] = _num(fw.points)
    out["levels"] = [_level(lv) for lv in fw.levels]
    out["pillars"] = [_pillar(p) for p in fw.pillars]
    return out


def framework_from_dict(d: Any, source_name: str = "<dict>") -> Framework:
    """Validate and build a Framework from a dict (as stored); raises FrameworkInvalid."""
    return build_framework(d, source_name)


def canonical_json(fw: Framework) -> str:
    """Canonical JSON text (sorted keys, no spaces, UTF-8 characters kept)."""
    return json.dumps(
        framework_to_dict(fw), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def content_hash(fw: Framework) -> str:
    """sha256 hex digest of the canonical JSON."""
    return hashlib.sha256(canonical_json(fw).encode("utf-8")).hexdigest()


def load_framework_text(text: str | bytes, source_name: str = "<text>") -> Framework:
    """Load a criteria set from YAML text or bytes; raises FrameworkInvalid with every problem."""
    loaded = load_yaml(text, source_name)
    if loaded.data is None:
        raise FrameworkInvalid(loaded.problems or [Problem(source_name, "", "file.empty")])
    try:
        fw = build_framework(loaded.data, source_name, loaded.lines)
    except FrameworkInvalid as exc:
        # a scalar the loader could not read is already reported; its None is no news
        later = [p for p in exc.problems if p.path not in loaded.unreadable]
        raise FrameworkInvalid(loaded.problems + later) from None
    if loaded.problems:
        raise FrameworkInvalid(loaded.problems)
    return fw


def load_framework_file(path: str | os.PathLike[str]) -> Framework:
    """Load a criteria-set YAML file (size checked before reading it all)."""
    p = Path(path)
    name = str(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise FrameworkInvalid(
                [Problem(name, "", "file.too_large", {"size": size, "limit": MAX_BYTES})]
            )
        with p.open("rb") as fh:
            raw = read_bounded(fh)
    except OSError as exc:
        raise FrameworkInvalid(
            [Problem(name, "", "file.unreadable", {"error": exc.strerror or str(exc)})]
        ) from None
    return load_framework_text(raw, name)
