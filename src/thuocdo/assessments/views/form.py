"""Reading the answers of one pillar page from a POST, and what a page shows (no queries)."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from thuocdo.assessments.domain.relevance import relevance
from thuocdo.frameworks.engine import Criterion, Framework, Pillar


def field_name(code: str) -> str:
    return f"q_{code}"


def evidence_name(code: str) -> str:
    return f"ev_{code}"


def parse_evidence(pillar: Pillar, post: QueryDict, stored: dict[str, str]) -> dict[str, str]:
    """The evidence links after this page: the stored ones of other pages, and this page's
    inputs (an empty input removes the criterion's link). Checked by the service."""
    out = {k: v for k, v in stored.items() if k not in {c.code for c in pillar.criteria}}
    for c in pillar.criteria:
        raw = (post.get(evidence_name(c.code)) or "").strip()
        if raw:
            out[c.code] = raw
    return out


def _number(raw: str) -> float | int:
    value = float(raw.replace(" ", "").replace(",", "."))
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def parse_pillar(pillar: Pillar, post: QueryDict) -> tuple[dict[str, Any], dict[str, str]]:
    """Answers given on the page (``None`` = cleared) and per-criterion errors."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for c in pillar.criteria:
        name = field_name(c.code)
        q = c.question
        if q.type == "multi":
            values = [v for v in post.getlist(name) if v]
            answers[c.code] = values or None
            continue
        raw = (post.get(name) or "").strip()
        if not raw:
            answers[c.code] = None
        elif q.type == "single":
            answers[c.code] = raw
        elif q.type == "boolean":
            answers[c.code] = raw == "yes" if raw in ("yes", "no") else raw
        else:
            try:
                answers[c.code] = _number(raw)
            except ValueError:
                errors[c.code] = _("Enter a number.")
                answers[c.code] = None
    return answers, errors


def merge(stored: dict[str, Any], page: dict[str, Any]) -> dict[str, Any]:
    out = dict(stored)
    for code, value in page.items():
        if value is None:
            out.pop(code, None)
        else:
            out[code] = value
    return out


def _shown_value(c: Criterion, value: Any) -> Any:
    if value is None:
        return [] if c.question.type == "multi" else ""
    if c.question.type == "boolean":
        return "yes" if value is True else "no" if value is False else ""
    if c.question.type in ("number", "scale") and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def page_items(
    fw: Framework, pillar: Pillar, answers: dict[str, Any], lang: str
) -> list[dict[str, Any]]:
    applies = relevance(fw, answers)
    items = []
    for c in pillar.criteria:
        q = c.question
        value = _shown_value(c, answers.get(c.code))
        item: dict[str, Any] = {
            "code": c.code,
            "name": field_name(c.code),
            "label": q.text.get(lang),
            "title": c.name.get(lang),
            "help": q.help.get(lang) if q.help else "",
            "type": q.type,
            "required": c.required,
            "hidden": not applies[c.code],
            "value": value,
            "unit": q.unit or "",
            "min": q.min,
            "max": q.max,
        }
        if q.type in ("single", "multi"):
            chosen = set(value) if isinstance(value, list) else {value}
            item["options"] = [
                {
                    "code": o.code,
                    "text": o.text.get(lang),
                    "checked": o.code in chosen,
                    "exclusive": o.exclusive,
                }
                for o in q.options
            ]
        elif q.type == "scale":
            lo, hi = int(q.min or 0), int(q.max or 0)
            item["options"] = [
                {"code": str(v), "text": str(v), "checked": str(v) == str(value)}
                for v in range(lo, hi + 1)
            ]
        items.append(item)
    return items


def compact_schema(fw: Framework) -> list[dict[str, Any]]:
    """Criteria in file order with their type, pillar and condition, for relevance.js."""
    from thuocdo.assessments.domain.relevance import condition_json

    return [
        {
            "code": c.code,
            "type": c.question.type,
            "when": condition_json(c.relevant.root) if c.relevant is not None else None,
        }
        for c in fw.criteria()
    ]
