"""Which criteria apply given the answers so far, and conditions as JSON for the browser
(no Django here).

The browser evaluates the same parsed conditions (``condition_json``) with
``static/thuocdo/assessments/relevance.js`` to show and hide questions at once; the server
stays the authority: it recomputes relevance with :func:`relevance` when it renders a page
and the engine ignores answers to criteria that do not apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thuocdo.frameworks.engine import Framework, expr, validate_answers
from thuocdo.frameworks.engine.scoring import condition_value


def relevance(fw: Framework, answers: Mapping[str, Any]) -> dict[str, bool]:
    """``criterion code → applies`` in file order (bad answer values count as unanswered)."""
    bad = {p.criterion for p in validate_answers(fw, answers)}
    env: dict[str, Any] = {}
    out: dict[str, bool] = {}
    for c in fw.criteria():
        applies = c.relevant is None or expr.evaluate(c.relevant.root, env)
        out[c.code] = applies
        value = answers.get(c.code)
        if applies and value is not None and c.code not in bad:
            env[c.code] = condition_value(c.question, value)
    return out


def _atom(atom: Any) -> dict[str, Any]:
    if isinstance(atom, expr.Ref):
        return {"ref": atom.code}
    return {"lit": atom.value}


def condition_json(node: Any) -> dict[str, Any]:
    """The parsed condition as plain JSON: ``{"cmp": op, "l": atom, "r": atom}``,
    ``{"in": [item, container]}``, ``{"truth": atom}``, ``{"not": node}``,
    ``{"and"|"or": [nodes]}``; an atom is ``{"ref": code}`` or ``{"lit": value}``."""
    if isinstance(node, expr.Compare):
        return {"cmp": node.op, "l": _atom(node.left), "r": _atom(node.right)}
    if isinstance(node, expr.Member):
        return {"in": [_atom(node.item), _atom(node.container)]}
    if isinstance(node, expr.Truth):
        return {"truth": _atom(node.atom)}
    if isinstance(node, expr.Not):
        return {"not": condition_json(node.operand)}
    return {node.op: [condition_json(o) for o in node.operands]}


def form_schema(fw: Framework, lang: str = "vi") -> dict[str, Any]:
    """What a browser needs to show the questions and evaluate conditions, in order."""
    pillars = []
    for p in fw.pillars:
        criteria = []
        for c in p.criteria:
            q = c.question
            item: dict[str, Any] = {
                "code": c.code,
                "name": c.name.get(lang),
                "text": q.text.get(lang),
                "type": q.type,
                "required": c.required,
                "when": condition_json(c.relevant.root) if c.relevant is not None else None,
            }
            if q.options:
                item["options"] = [
                    {"code": o.code, "text": o.text.get(lang), "exclusive": o.exclusive}
                    for o in q.options
                ]
            if q.min is not None:
                item["min"] = q.min
            if q.max is not None:
                item["max"] = q.max
            if q.unit:
                item["unit"] = q.unit
            criteria.append(item)
        pillars.append({"code": p.code, "name": p.name.get(lang), "criteria": criteria})
    return {"code": fw.code, "version": fw.version, "pillars": pillars}
