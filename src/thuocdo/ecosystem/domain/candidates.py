"""Candidate answers the next-level planner tries for each criterion (no Django here).

For a criterion that no condition refers to, only answers that score strictly higher than the
current one can help (the level is monotone in every criterion score while applicability stays
fixed), and among answers with the same score one representative is enough: the first option
in file order, the smallest option set, the lowest number or scale value. A criterion that a
condition refers to may change which other criteria apply, so every answer that behaves
differently is a candidate: every option (or option set), both booleans, and for numbers the
threshold and condition boundaries with the values just beside them — as long as it does not
score lower than the current answer. A plan is a set of improvements: it never lowers an
answer, not even to make another criterion not applicable.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from thuocdo.frameworks.engine import Criterion, Framework, criterion_score
from thuocdo.frameworks.engine import expr as ex

MAX_SUBSET_OPTIONS = 10  # multi questions with more options use prefix sets only
MAX_SCALE_STEPS = 20


@dataclass(frozen=True)
class Candidate:
    value: Any
    score: float


def triggers(fw: Framework) -> dict[str, set[Any]]:
    """Criteria referred to by a condition, with the literals each is compared with (numbers,
    and option codes for single and multi questions)."""
    out: dict[str, set[Any]] = {}

    def walk(node: ex.Node) -> None:
        if isinstance(node, ex.Compare):
            for a, b in ((node.left, node.right), (node.right, node.left)):
                if isinstance(a, ex.Ref):
                    lits = out.setdefault(a.code, set())
                    value = b.value if isinstance(b, ex.Lit) else None
                    if isinstance(value, str):
                        lits.add(value)
                    elif isinstance(value, int | float) and not isinstance(value, bool):
                        lits.add(float(value))
        elif isinstance(node, ex.Member):
            if isinstance(node.container, ex.Ref):
                lits = out.setdefault(node.container.code, set())
                if isinstance(node.item, ex.Lit) and isinstance(node.item.value, str):
                    lits.add(node.item.value)
        elif isinstance(node, ex.Truth):
            if isinstance(node.atom, ex.Ref):
                out.setdefault(node.atom.code, set())
        elif isinstance(node, ex.Not):
            walk(node.operand)
        else:
            for operand in node.operands:
                walk(operand)

    for c in fw.criteria():
        if c.relevant is not None:
            walk(c.relevant.root)
    return out


def _multi_sets(c: Criterion) -> Iterator[list[str]]:
    options = c.question.options
    codes = [o.code for o in options]
    if len(options) <= MAX_SUBSET_OPTIONS:
        for r in range(len(options) + 1):
            for combo in itertools.combinations(range(len(options)), r):
                if r > 1 and any(options[i].exclusive for i in combo):
                    continue
                yield [codes[i] for i in combo]
        return
    ranked = sorted(
        (i for i, o in enumerate(options) if not o.exclusive), key=lambda i: -options[i].score
    )
    yield []
    for r in range(1, len(ranked) + 1):
        yield [codes[i] for i in sorted(ranked[:r])]


def _number_values(c: Criterion, literals: set[Any]) -> list[float]:
    q = c.question
    lo = q.min if q.min is not None else -math.inf
    hi = q.max if q.max is not None else math.inf
    points: set[float] = set()
    for t in q.thresholds:
        points.add(t.min)
        points.add(math.nextafter(t.min, -math.inf))
    for v in literals:
        if isinstance(v, float):
            points.update((v, math.nextafter(v, math.inf), math.nextafter(v, -math.inf)))
    if q.type == "scale":
        assert q.min is not None and q.max is not None
        span = q.max - q.min
        steps = int(span) if span == int(span) and span <= MAX_SCALE_STEPS else MAX_SCALE_STEPS
        points.update(q.min + span * k / steps for k in range(steps + 1))
    for end in (q.min, q.max):
        if end is not None:
            points.add(end)
    if not math.isinf(lo):
        points.add(lo)
    return sorted(p for p in points if lo <= p <= hi and math.isfinite(p))


def _all_values(c: Criterion, literals: set[Any]) -> list[Any]:
    q = c.question
    if q.type == "single":
        return [o.code for o in q.options]
    if q.type == "boolean":
        return [False, True]
    if q.type == "multi":
        return list(_multi_sets(c))
    return _number_values(c, literals)


def _behaviour(qtype: str, value: Any, literals: set[Any]) -> Any:
    """What a condition can tell apart about ``value`` (besides its score)."""
    if qtype == "multi":
        return frozenset(v for v in value if v in literals)
    if qtype == "single":
        return value if value in literals else None
    return value  # booleans and numbers: the values tried are already the distinct ones


def candidates(c: Criterion, current: Any, trigger_literals: set[Any] | None) -> list[Candidate]:
    """Answers to try for ``c`` instead of ``current`` (``None`` = unanswered)."""
    q = c.question
    values = _all_values(c, trigger_literals or set())
    cur = None if current is None else criterion_score(q, current)
    out: list[Candidate] = []
    if trigger_literals is not None:
        seen: set[Any] = set()
        for v in values:
            if current is not None and _same(q.type, v, current):
                continue
            s = criterion_score(q, v)
            if cur is not None and s < cur:  # a plan improves answers, it never lowers one
                continue
            key = (_behaviour(q.type, v, trigger_literals), s)
            if key in seen:  # same score, same effect on every condition
                continue
            seen.add(key)
            out.append(Candidate(v, s))
        return out
    best: dict[float, Any] = {}
    for v in values:
        s = criterion_score(q, v)
        if cur is not None and s <= cur:
            continue
        if s not in best:  # values come lowest / smallest / file order first
            best[s] = v
    return [Candidate(v, s) for s, v in sorted(best.items())]


def _same(qtype: str, a: Any, b: Any) -> bool:
    if qtype == "multi":
        return set(a) == set(b)
    if qtype in ("number", "scale"):
        return float(a) == float(b)
    return bool(a == b)
