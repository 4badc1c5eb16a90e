"""A criteria set as a readable document, in Vietnamese or English (pure, no Django).

``describe_condition`` renders a ``relevant`` condition in plain language, naming criteria and
options by their texts; ``document`` turns a Framework into plain dicts and strings that a
template can show as they are (pillars with their share of the weight, criteria, questions,
options and their scores, thresholds, conditions, gates, levels with their pillar rules).
"""

from __future__ import annotations

from typing import Any

from .engine import Framework
from .engine import expr as ex
from .engine.model import Criterion, Question

PHRASES: dict[str, dict[str, str]] = {
    "vi": {
        "==": "là",
        "!=": "không phải là",
        "<": "nhỏ hơn",
        "<=": "không quá",
        ">": "lớn hơn",
        ">=": "từ",
        ">=_tail": " trở lên",
        "and": " và ",
        "or": " hoặc ",
        "not": "không đúng rằng ",
        "in": "có chọn",
        "yes": "Có",
        "no": "Không",
        "always": "luôn áp dụng",
        "never": "không bao giờ áp dụng",
        "answer": "câu trả lời «{name}» ({code})",
        "truth": "«{name}» ({code}) là Có",
        "number_min": "từ {min} trở lên",
        "points": "{score} điểm",
        "scale": "thang {min}–{max}: {min} ứng với 0 điểm, {max} ứng với 100 điểm, tuyến tính",
        "boolean": "Có: {yes} điểm; Không: {no} điểm",
        "below": "dưới {min}: 0 điểm",
        "level_min": "tổng điểm từ {min}",
        "level_min_strict": "tổng điểm trên {min}",
        "level_pillars": "và ít nhất {n} trụ cột đạt từ {pmin} điểm",
        "level_pillars_strict": "và ít nhất {n} trụ cột trên {pmin} điểm",
        "in_points": "({pts} / {total} điểm)",
        "always_holds": "luôn đạt",
        "gate": "phải đạt thì mới được xếp từ mức {level} ({name}) trở lên",
        "multi": "nhiều lựa chọn; tổng điểm các lựa chọn, tối đa 100",
        "single": "một lựa chọn",
        "number": "số",
        "scale_type": "thang điểm",
        "boolean_type": "có/không",
        "exclusive": "không chọn cùng lựa chọn khác",
        "range": "giá trị từ {min} đến {max}",
        "range_min": "giá trị từ {min}",
        "range_max": "giá trị đến {max}",
    },
    "en": {
        "==": "is",
        "!=": "is not",
        "<": "is less than",
        "<=": "is at most",
        ">": "is more than",
        ">=": "is at least",
        ">=_tail": "",
        "and": " and ",
        "or": " or ",
        "not": "it is not the case that ",
        "in": "includes",
        "yes": "Yes",
        "no": "No",
        "always": "always applies",
        "never": "never applies",
        "answer": "the answer to «{name}» ({code})",
        "truth": "«{name}» ({code}) is Yes",
        "number_min": "{min} or more",
        "points": "{score} points",
        "scale": "scale {min}–{max}: {min} gives 0 points, {max} gives 100 points, linearly",
        "boolean": "Yes: {yes} points; No: {no} points",
        "below": "below {min}: 0 points",
        "level_min": "total score at least {min}",
        "level_min_strict": "total score above {min}",
        "level_pillars": "and at least {n} pillars scoring {pmin} or more",
        "level_pillars_strict": "and at least {n} pillars scoring above {pmin}",
        "in_points": "({pts} / {total} points)",
        "always_holds": "always holds",
        "gate": "must be met for level {level} ({name}) or above",
        "multi": "several choices; the chosen options' scores add up, at most 100",
        "single": "one choice",
        "number": "number",
        "scale_type": "scale",
        "boolean_type": "yes/no",
        "exclusive": "cannot be combined with other choices",
        "range": "a value from {min} to {max}",
        "range_min": "a value from {min}",
        "range_max": "a value up to {max}",
    },
}


def num(x: float | None, lang: str = "en") -> str:
    """A number as people write it (no trailing .0; a decimal comma in Vietnamese)."""
    if x is None:
        return ""
    text = f"{x:g}" if float(x).is_integer() or abs(x) >= 1e-4 else repr(x)
    return text.replace(".", ",") if lang == "vi" else text


def numl(lang: str, x: float | None) -> str:
    return num(x, lang)


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "vi"


def _criterion(fw: Framework, code: str) -> Criterion | None:
    try:
        return fw.criterion(code)
    except KeyError:
        return None


def _atom(atom: ex.Atom, other: ex.Atom | None, fw: Framework, lang: str) -> str:
    p = PHRASES[lang]
    if isinstance(atom, ex.Ref):
        c = _criterion(fw, atom.code)
        name = c.name.get(lang) if c else atom.code
        return p["answer"].format(name=name, code=atom.code)
    value = atom.value
    if isinstance(value, bool):
        return p["yes"] if value else p["no"]
    if isinstance(value, float):
        return numl(lang, value)
    # a string: an option code of the criterion on the other side, shown by its text
    if isinstance(other, ex.Ref):
        c = _criterion(fw, other.code)
        if c is not None and value in c.question.option_index:
            option = c.question.options[c.question.option_index[value]]
            return f"«{option.text.get(lang)}»"
    return f"«{value}»"


def _node(node: ex.Node, fw: Framework, lang: str, nested: bool) -> str:
    p = PHRASES[lang]
    if isinstance(node, ex.Compare):
        left = _atom(node.left, node.right, fw, lang)
        right = _atom(node.right, node.left, fw, lang)
        tail = p[">=_tail"] if node.op == ">=" else ""
        return f"{left} {p[node.op]} {right}{tail}"
    if isinstance(node, ex.Member):
        container = _atom(node.container, None, fw, lang)
        item = _atom(node.item, node.container, fw, lang)
        return f"{container} {p['in']} {item}"
    if isinstance(node, ex.Truth):
        atom = node.atom
        if isinstance(atom, ex.Ref):
            c = _criterion(fw, atom.code)
            return p["truth"].format(name=c.name.get(lang) if c else atom.code, code=atom.code)
        return p["always"] if atom.value else p["never"]
    if isinstance(node, ex.Not):
        return p["not"] + _node(node.operand, fw, lang, True)
    text = p[node.op].join(_node(o, fw, lang, True) for o in node.operands)
    return f"({text})" if nested else text


def describe_condition(condition: ex.Condition, fw: Framework, lang: str = "vi") -> str:
    """The condition in plain language, e.g. «câu trả lời «Có website» (S0) là «Có»»."""
    return _node(condition.root, fw, _lang(lang), False)


def _question(q: Question, lang: str) -> dict[str, Any]:
    p = PHRASES[lang]
    kind = {
        "single": p["single"],
        "multi": p["multi"],
        "boolean": p["boolean_type"],
        "number": p["number"],
        "scale": p["scale_type"],
    }[q.type]
    out: dict[str, Any] = {
        "type": q.type,
        "kind": kind,
        "text": q.text.get(lang),
        "help": q.help.get(lang) if q.help else "",
        "unit": q.unit or "",
        "options": [
            {
                "code": o.code,
                "text": o.text.get(lang),
                "score": numl(lang, o.score),
                "exclusive": o.exclusive,
            }
            for o in q.options
        ],
        "scoring": [],
    }
    if q.type == "boolean":
        out["scoring"] = [
            p["boolean"].format(yes=numl(lang, q.yes_score), no=numl(lang, q.no_score))
        ]
    elif q.type == "number":
        rows = []
        if q.thresholds and q.thresholds[0].min > (q.min if q.min is not None else float("-inf")):
            rows.append(p["below"].format(min=numl(lang, q.thresholds[0].min)))
        rows += [
            f"{p['number_min'].format(min=numl(lang, t.min))}: {p['points'].format(score=numl(lang, t.score))}"
            for t in q.thresholds
        ]
        out["scoring"] = rows
    elif q.type == "scale":
        out["scoring"] = [p["scale"].format(min=numl(lang, q.min), max=numl(lang, q.max))]
    if q.type == "number":
        if q.min is not None and q.max is not None:
            out["range"] = p["range"].format(min=numl(lang, q.min), max=numl(lang, q.max))
        elif q.min is not None:
            out["range"] = p["range_min"].format(min=numl(lang, q.min))
        elif q.max is not None:
            out["range"] = p["range_max"].format(max=numl(lang, q.max))
    return out


def source_in(source: str, lang: str) -> str:
    """The part of a bilingual ``source`` ("Vietnamese … / English …") in ``lang``; the whole
    text when it is not written that way."""
    parts = source.split(" / ")
    if len(parts) != 2:
        return source
    return parts[1].strip() if lang == "en" else parts[0].strip()


def document(fw: Framework, lang: str = "vi") -> dict[str, Any]:
    """The criteria set as plain data for a page."""
    lang = _lang(lang)
    p = PHRASES[lang]
    levels = {lv.code: lv for lv in fw.levels}
    total_weight = sum(pl.weight for pl in fw.pillars) or 1.0
    pillars: list[dict[str, Any]] = []
    gates: dict[int, list[dict[str, str]]] = {}
    for pillar in fw.pillars:
        crit_weight = sum(c.weight for c in pillar.criteria) or 1.0
        criteria = []
        for c in pillar.criteria:
            gate = ""
            if c.required_for_level is not None:
                lv = levels[c.required_for_level]
                gate = p["gate"].format(level=lv.code, name=lv.name.get(lang))
                gates.setdefault(lv.code, []).append({"code": c.code, "name": c.name.get(lang)})
            criteria.append(
                {
                    "code": c.code,
                    "name": c.name.get(lang),
                    "description": c.description.get(lang) if c.description else "",
                    "weight": numl(lang, c.weight),
                    "share": round(100 * c.weight / crit_weight, 1),
                    "required": c.required,
                    "unanswered_as_zero": c.unanswered_as_zero,
                    "target": numl(lang, c.target),
                    "relevant": describe_condition(c.relevant, fw, lang) if c.relevant else "",
                    "relevant_source": c.relevant.source if c.relevant else "",
                    "gate": gate,
                    "gate_level": c.required_for_level,
                    "solution_tags": list(c.solution_tags),
                    "question": _question(c.question, lang),
                }
            )
        pillars.append(
            {
                "code": pillar.code,
                "name": pillar.name.get(lang),
                "description": pillar.description.get(lang) if pillar.description else "",
                "weight": numl(lang, pillar.weight),
                "share": round(100 * pillar.weight / total_weight, 1),
                "criteria": criteria,
            }
        )
    level_rows = []
    for i, lv in enumerate(fw.levels):
        if i == 0:
            rule = p["always_holds"]
        else:
            rule = p["level_min_strict" if lv.strict else "level_min"].format(
                min=numl(lang, lv.min)
            )
            if fw.points is not None:
                pts = round(lv.min * fw.points / 100.0, 6)
                rule += " " + p["in_points"].format(
                    pts=numl(lang, pts), total=numl(lang, fw.points)
                )
            if lv.min_pillars is not None:
                key = "level_pillars_strict" if lv.pillar_strict else "level_pillars"
                rule += " " + p[key].format(
                    n=lv.min_pillars, pmin=numl(lang, lv.effective_pillar_min)
                )
        level_rows.append(
            {
                "code": lv.code,
                "name": lv.name.get(lang),
                "description": lv.description.get(lang) if lv.description else "",
                "min": numl(lang, lv.min),
                "rule": rule,
                "gates": gates.get(lv.code, []),
            }
        )
    return {
        "code": fw.code,
        "version": fw.version,
        "label": fw.key,
        "name": fw.name.get(lang),
        "description": fw.description.get(lang) if fw.description else "",
        "source": source_in(fw.source, lang),
        "sector": fw.sector,
        "entity_types": list(fw.entity_types),
        "points": numl(lang, fw.points) if fw.points is not None else "",
        "pillars": pillars,
        "levels": level_rows,
        "criterion_count": sum(len(pl.criteria) for pl in fw.pillars),
        "gate_count": sum(len(g) for g in gates.values()),
    }
