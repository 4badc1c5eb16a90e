"""Synthetic answers to a criteria set, for demo data, benchmarks and tests (no Django here).

``synthetic_answers(fw, rng, maturity)`` answers every criterion with a valid value;
``maturity`` in [0, 1] biases the choice towards better-scoring answers (1 always takes the
best one). Answers to criteria that turn out not applicable are harmless: the engine ignores
them.
"""

from __future__ import annotations

import random
from typing import Any

from thuocdo.frameworks.engine import Framework, Question


def _pick_index(n: int, rng: random.Random, maturity: float) -> int:
    if maturity >= 1:
        return n - 1
    centre = maturity * (n - 1)
    return max(0, min(n - 1, round(rng.gauss(centre, max(n / 4, 0.6)))))


def answer_for(q: Question, rng: random.Random, maturity: float) -> Any:
    if q.type == "single":
        ordered = sorted(q.options, key=lambda o: o.score)
        return ordered[_pick_index(len(ordered), rng, maturity)].code
    if q.type == "multi":
        plain = [o for o in q.options if not o.exclusive]
        exclusive = [o for o in q.options if o.exclusive]
        if maturity >= 1:
            return [o.code for o in plain] or [exclusive[0].code]
        chosen = [o.code for o in plain if rng.random() < maturity * 0.9 + 0.05]
        if not chosen and exclusive:
            return [exclusive[0].code]
        return chosen
    if q.type == "boolean":
        return True if maturity >= 1 else rng.random() < maturity * 0.9 + 0.05
    if q.type == "number":
        mins = sorted(t.min for t in q.thresholds) or [0.0]
        value = mins[_pick_index(len(mins), rng, maturity)]
        if q.min is not None:
            value = max(value, q.min)
        if q.max is not None:
            value = min(value, q.max)
        return int(value) if float(value).is_integer() else value
    assert q.min is not None
    assert q.max is not None
    steps = int(q.max - q.min)
    return int(q.min) + _pick_index(steps + 1, rng, maturity)


def synthetic_answers(
    fw: Framework, rng: random.Random | None = None, maturity: float = 1.0
) -> dict[str, Any]:
    rng = rng or random.Random(0)
    return {c.code: answer_for(c.question, rng, maturity) for c in fw.criteria()}
