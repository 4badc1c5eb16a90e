"""Differences between two versions of a criteria set."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .model import Criterion, Framework, Level, LocalText, Option, Pillar, Question

Change = dict[str, Any]  # {"old": ..., "new": ...}

# fields whose change leaves every score unchanged
_TEXT_FIELDS = frozenset(
    {"name", "question_text", "help", "description", "text", "unit", "solution_tags", "points"}
)


def _plain(value: Any) -> Any:
    if isinstance(value, LocalText):
        return {"vi": value.vi, "en": value.en}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {
            k: _plain(getattr(value, k)) for k in value.__dataclass_fields__ if k != "option_index"
        }
    return value


def _compare(fields: dict[str, tuple[Any, Any]]) -> dict[str, Change]:
    return {k: {"old": _plain(a), "new": _plain(b)} for k, (a, b) in fields.items() if a != b}


@dataclass
class OptionChanges:
    """Options added, removed or changed within one question."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, dict[str, Change]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {"added": self.added, "removed": self.removed, "changed": self.changed}


@dataclass
class CriterionChange:
    """What changed in one criterion present in both versions."""

    code: str
    fields: dict[str, Change]
    options: OptionChanges

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {"code": self.code, "fields": self.fields, "options": self.options.to_dict()}


@dataclass
class FrameworkDiff:
    """Everything that differs between criteria sets ``a`` (old) and ``b`` (new)."""

    fields: dict[str, Change] = field(default_factory=dict)
    pillars_added: list[str] = field(default_factory=list)
    pillars_removed: list[str] = field(default_factory=list)
    pillars_changed: dict[str, dict[str, Change]] = field(default_factory=dict)
    criteria_added: list[str] = field(default_factory=list)
    criteria_removed: list[str] = field(default_factory=list)
    criteria_changed: list[CriterionChange] = field(default_factory=list)
    levels_added: list[int] = field(default_factory=list)
    levels_removed: list[int] = field(default_factory=list)
    levels_changed: dict[int, dict[str, Change]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """True when the two sets are the same (apart from where they were loaded from)."""
        return not any(
            (
                self.fields, self.pillars_added, self.pillars_removed, self.pillars_changed,
                self.criteria_added, self.criteria_removed, self.criteria_changed,
                self.levels_added, self.levels_removed, self.levels_changed,
            )
        )  # fmt: skip

    @property
    def affects_scores(self) -> bool:
        """True when some response could score differently (text-only edits do not)."""
        if (
            self.pillars_added or self.pillars_removed or self.criteria_added
            or self.criteria_removed or self.levels_added or self.levels_removed
        ):  # fmt: skip
            return True
        if any(set(ch) - _TEXT_FIELDS for ch in self.pillars_changed.values()):
            return True
        if any(set(ch) - _TEXT_FIELDS for ch in self.levels_changed.values()):
            return True
        for cc in self.criteria_changed:
            if set(cc.fields) - _TEXT_FIELDS or cc.options.added or cc.options.removed:
                return True
            if any(set(ch) - _TEXT_FIELDS for ch in cc.options.changed.values()):
                return True
        return False

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "fields": self.fields,
            "pillars": {
                "added": self.pillars_added,
                "removed": self.pillars_removed,
                "changed": self.pillars_changed,
            },
            "criteria": {
                "added": self.criteria_added,
                "removed": self.criteria_removed,
                "changed": [c.to_dict() for c in self.criteria_changed],
            },
            "levels": {
                "added": self.levels_added,
                "removed": self.levels_removed,
                "changed": {str(k): v for k, v in self.levels_changed.items()},
            },
            "affects_scores": self.affects_scores,
        }


def _options(a: tuple[Option, ...], b: tuple[Option, ...]) -> OptionChanges:
    old = {o.code: o for o in a}
    new = {o.code: o for o in b}
    out = OptionChanges(
        added=[c for c in new if c not in old], removed=[c for c in old if c not in new]
    )
    for code, o in new.items():
        if code in old:
            p = old[code]
            ch = _compare(
                {
                    "score": (p.score, o.score),
                    "exclusive": (p.exclusive, o.exclusive),
                    "text": (p.text, o.text),
                }
            )
            if ch:
                out.changed[code] = ch
    if not out.added and not out.removed and list(old) != list(new):
        out.changed["(order)"] = {"order": {"old": list(old), "new": list(new)}}
    return out


def _question_fields(a: Question, b: Question) -> dict[str, tuple[Any, Any]]:
    return {
        "type": (a.type, b.type),
        "question_text": (a.text, b.text),
        "help": (a.help, b.help),
        "yes_score": (a.yes_score, b.yes_score),
        "no_score": (a.no_score, b.no_score),
        "thresholds": (a.thresholds, b.thresholds),
        "min": (a.min, b.min),
        "max": (a.max, b.max),
        "unit": (a.unit, b.unit),
    }


def _criterion(a: Criterion, b: Criterion, pa: str, pb: str) -> CriterionChange | None:
    fields = {
        "name": (a.name, b.name),
        "pillar": (pa, pb),
        "weight": (a.weight, b.weight),
        "required": (a.required, b.required),
        "relevant": (
            a.relevant.source if a.relevant else None,
            b.relevant.source if b.relevant else None,
        ),
        "target": (a.target, b.target),
        "gate": (a.required_for_level, b.required_for_level),
        "unanswered_as_zero": (a.unanswered_as_zero, b.unanswered_as_zero),
        "solution_tags": (a.solution_tags, b.solution_tags),
        "description": (a.description, b.description),
        **_question_fields(a.question, b.question),
    }
    changed = _compare(fields)
    options = _options(a.question.options, b.question.options)
    if not changed and not options:
        return None
    return CriterionChange(a.code, changed, options)


def _pillar(a: Pillar, b: Pillar) -> dict[str, Change]:
    out = _compare(
        {
            "name": (a.name, b.name),
            "weight": (a.weight, b.weight),
            "description": (a.description, b.description),
        }
    )
    # criteria kept in the pillar but in another order: the file order decides unmet ties and
    # which criteria a condition may name, so a reorder is a change (shown as both lists)
    old_codes = [c.code for c in a.criteria]
    new_codes = [c.code for c in b.criteria]
    kept_old = [c for c in old_codes if c in set(new_codes)]
    kept_new = [c for c in new_codes if c in set(old_codes)]
    if kept_old != kept_new:
        out["order"] = {"old": old_codes, "new": new_codes}
    return out


def _level(a: Level, b: Level) -> dict[str, Change]:
    return _compare(
        {
            "name": (a.name, b.name),
            "min": (a.min, b.min),
            "min_pillars": (a.min_pillars, b.min_pillars),
            "pillar_min": (a.pillar_min, b.pillar_min),
            "compare": (">" if a.strict else ">=", ">" if b.strict else ">="),
            "pillar_compare": (">" if a.pillar_strict else ">=", ">" if b.pillar_strict else ">="),
            "description": (a.description, b.description),
        }
    )


def diff(a: Framework, b: Framework) -> FrameworkDiff:
    """What changed from ``a`` (old) to ``b`` (new)."""
    out = FrameworkDiff()
    out.fields = _compare(
        {
            "code": (a.code, b.code),
            "version": (a.version, b.version),
            "name": (a.name, b.name),
            "sector": (a.sector, b.sector),
            "entity_types": (a.entity_types, b.entity_types),
            "source": (a.source, b.source),
            "description": (a.description, b.description),
            "points": (a.points, b.points),
        }
    )
    old_p = {p.code: p for p in a.pillars}
    new_p = {p.code: p for p in b.pillars}
    out.pillars_added = [c for c in new_p if c not in old_p]
    out.pillars_removed = [c for c in old_p if c not in new_p]
    for code, p in new_p.items():
        if code in old_p and (ch := _pillar(old_p[code], p)):
            out.pillars_changed[code] = ch
    old_c = {c.code: (c, p.code) for p in a.pillars for c in p.criteria}
    new_c = {c.code: (c, p.code) for p in b.pillars for c in p.criteria}
    out.criteria_added = [c for c in new_c if c not in old_c]
    out.criteria_removed = [c for c in old_c if c not in new_c]
    for code, (c, pcode) in new_c.items():
        if code in old_c:
            cc = _criterion(old_c[code][0], c, old_c[code][1], pcode)
            if cc is not None:
                out.criteria_changed.append(cc)
    old_l = {lv.code: lv for lv in a.levels}
    new_l = {lv.code: lv for lv in b.levels}
    out.levels_added = [c for c in new_l if c not in old_l]
    out.levels_removed = [c for c in old_l if c not in new_l]
    for lcode, lv in new_l.items():
        if lcode in old_l and (ch := _level(old_l[lcode], lv)):
            out.levels_changed[lcode] = ch
    return out
