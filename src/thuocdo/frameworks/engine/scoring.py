"""Scalar scorer: one response at a time (DESIGN §4).

Answers map a criterion code to: an option code (single); a list of option codes (multi; an
empty list is an answered multi scoring 0); ``true``/``false`` (boolean; must be a real
boolean); a number (number, scale; int or float, finite, never a bool and never a string, even
one that looks numeric). ``None`` means unanswered. Scale answers may be non-integer (e.g. an
averaged sub-score) but must lie within [min, max]. An answer to a criterion that is not
applicable (its condition is false) is ignored, even a bad one; an unknown criterion code is
always an error.

Accumulation is ``num += w * s; den += w`` criterion by criterion in file order (pillars the
same way), so the batch scorer reproduces these floats bit for bit. A required, relevant but
unanswered criterion is left out of the scores (``None``) and listed in ``missing``; it is
applicable and not met, so as a gate it lowers the level (draft scoring) but, having no score,
it is not in ``unmet``. When every pillar is null, ``overall`` is 0.0.
Pillar and overall scores are clamped to 100 to absorb rounding (e.g. Σw·100/Σw = 100.00…01).
Conditions see a present answer as: the option code (single), the set of chosen codes
(multi), the boolean, or the number as a float.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import expr
from .messages import AnswerProblem, AnswersInvalid
from .model import Criterion, Framework, Level, Question, reaches

# Float noise allowance shared by both scorers: a level (or a pillar rule) holds when the score
# is at least its minimum − TOLERANCE (0.1·60 + 0.1·60 + 0.1·60 over 0.3 is 59.99999999999999,
# which must reach a level at 60), and unmet keys closer than TOLERANCE tie (file order).
TOLERANCE = 1e-9


def unmet_key(weight: float, gap: float) -> float:
    """Sort key of an unmet criterion: −(w·W·(target − s)) in steps of TOLERANCE (largest
    first; equal steps keep file order). The batch scorer computes the same IEEE operations."""
    steps = -(weight * gap) / TOLERANCE + 0.5
    return float(math.floor(steps)) if math.isfinite(steps) else steps


@dataclass(frozen=True)
class ScoreResult:
    """The score of one response."""

    overall: float
    level: int
    pillars: dict[str, float | None]
    criteria: dict[str, float | None]
    unmet: list[str]
    complete: bool
    missing: list[str]
    pillar_levels: dict[str, int | None] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        """The §4 JSON contract: overall, level, pillars, pillar_levels, criteria, unmet."""
        return {
            "overall": self.overall,
            "level": self.level,
            "pillars": dict(self.pillars),
            "pillar_levels": dict(self.pillar_levels),
            "criteria": dict(self.criteria),
            "unmet": list(self.unmet),
        }


def pillar_level(levels: tuple[Level, ...], score: float | None) -> int | None:
    """The level a pillar score reaches on its own: the highest level ≥ 1 whose pillar
    threshold (``pillar_min``, default ``min``) it reaches with ``pillar_compare``; 0 below
    every one; ``None`` for a null pillar. Gates and pillar counts do not apply."""
    if score is None:
        return None
    result = 0
    for lv in levels[1:]:
        if reaches(score, lv.effective_pillar_min, lv.pillar_strict, TOLERANCE):
            result = lv.code
    return result


def overall_level(fw: Framework, overall: float, present: list[float]) -> int:
    """The highest level whose overall threshold and pillar rule hold (before gates)."""
    level = 0
    for lv in fw.levels[1:]:
        if reaches(overall, lv.min, lv.strict, TOLERANCE) and (
            lv.min_pillars is None
            or sum(
                1
                for p in present
                if reaches(p, lv.effective_pillar_min, lv.pillar_strict, TOLERANCE)
            )
            >= lv.min_pillars
        ):
            level = lv.code
    return level


def points_of(fw: Framework, score: float | None) -> float | None:
    """A 0–100 score in the set's own points (``points`` total), or None when not declared."""
    if fw.points is None or score is None:
        return None
    return score * fw.points / 100.0


def criterion_score(question: Question, value: Any) -> float:
    """Score in [0, 100] of a valid answer to ``question``."""
    qtype = question.type
    if qtype == "single":
        return question.options[question.option_index[value]].score
    if qtype == "multi":
        chosen = set(value)
        total = 0.0
        for option in question.options:
            if option.code in chosen:
                total += option.score
        return min(total, 100.0)
    if qtype == "boolean":
        return question.yes_score if value else question.no_score
    v = float(value)
    if qtype == "number":
        result = 0.0
        for threshold in question.thresholds:
            if threshold.min <= v:
                result = threshold.score
            else:
                break
        return result
    assert question.min is not None
    assert question.max is not None
    return (v - question.min) / (question.max - question.min) * 100.0


def condition_value(question: Question, value: Any) -> Any:
    """The value a condition sees for a present answer."""
    if question.type == "multi":
        return frozenset(value)
    if question.type in ("number", "scale"):
        return float(value)
    return value


def score(fw: Framework, answers: Mapping[str, Any], *, validate: bool = True) -> ScoreResult:
    """Score one response. Raises AnswersInvalid for bad values (not for missing ones)."""
    if validate:
        problems = validate_answers(fw, answers)
        if problems:
            raise AnswersInvalid(problems)
    env: dict[str, Any] = {}
    crit_scores: dict[str, float | None] = {}
    pillar_scores: dict[str, float | None] = {}
    missing: list[str] = []
    unmet: list[tuple[float, int, str]] = []
    failed_gates: list[int] = []
    onum = 0.0
    oden = 0.0
    position = 0
    for pillar in fw.pillars:
        num = 0.0
        den = 0.0
        for c in pillar.criteria:
            position += 1
            value = answers.get(c.code)
            if c.relevant is not None and not expr.evaluate(c.relevant.root, env):
                crit_scores[c.code] = None
                continue
            if value is None:
                if c.required:  # applicable and not met: a gate still lowers the level
                    missing.append(c.code)
                if not c.unanswered_as_zero:
                    crit_scores[c.code] = None
                    if c.required and c.required_for_level is not None:
                        failed_gates.append(c.required_for_level)
                    continue
                s = 0.0  # counts as 0 and stays in the denominator (missing in conditions)
            else:
                s = criterion_score(c.question, value)
                env[c.code] = condition_value(c.question, value)
            crit_scores[c.code] = s
            num += c.weight * s
            den += c.weight
            if s < c.target:
                unmet.append((unmet_key(c.weight * pillar.weight, c.target - s), position, c.code))
                if c.required_for_level is not None:
                    failed_gates.append(c.required_for_level)
        if den > 0:
            p = min(num / den, 100.0)  # guards against rounding just above 100
            pillar_scores[pillar.code] = p
            onum += pillar.weight * p
            oden += pillar.weight
        else:
            pillar_scores[pillar.code] = None
    overall = min(onum / oden, 100.0) if oden > 0 else 0.0
    present = [p for p in pillar_scores.values() if p is not None]
    level = overall_level(fw, overall, present)
    for gate in failed_gates:
        level = min(level, gate - 1)
    unmet.sort(key=lambda item: (item[0], item[1]))
    return ScoreResult(
        overall=overall,
        level=level,
        pillars=pillar_scores,
        criteria=crit_scores,
        unmet=[code for _, _, code in unmet],
        complete=not missing,
        missing=missing,
        pillar_levels={k: pillar_level(fw.levels, v) for k, v in pillar_scores.items()},
    )


# ---------------------------------------------------------------- answer validation


def _check_value(c: Criterion, value: Any) -> list[AnswerProblem]:
    q = c.question
    code = c.code

    def problem(kind: str, bad: Any = value, **params: Any) -> list[AnswerProblem]:
        return [AnswerProblem(code, kind, bad, params)]

    if q.type == "single":
        if not isinstance(value, str):
            return problem("answer.wrong_type", expected="option_code")
        if value not in q.option_index:
            return problem("answer.unknown_option")
        return []
    if q.type == "multi":
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            return problem("answer.wrong_type", expected="option_list")
        out: list[AnswerProblem] = []
        seen: set[str] = set()
        for v in value:
            if v not in q.option_index:
                out += problem("answer.unknown_option", v)
            elif v in seen:
                out += problem("answer.duplicate_option", v)
            seen.add(v)
        if len(seen) > 1:
            for v in value:
                idx = q.option_index.get(v)
                if idx is not None and q.options[idx].exclusive:
                    out += problem("answer.exclusive_combined", v)
                    break
        return out
    if q.type == "boolean":
        if not isinstance(value, bool):
            return problem("answer.wrong_type", expected="boolean")
        return []
    if isinstance(value, str):
        return problem("answer.not_a_number")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return problem("answer.wrong_type", expected="number")
    if not expr.is_finite_number(value):
        return problem("answer.too_large" if isinstance(value, int) else "answer.not_finite")
    lo = q.min if q.min is not None else float("-inf")
    hi = q.max if q.max is not None else float("inf")
    if not lo <= value <= hi:
        return problem("answer.out_of_range", min=f"{lo:g}", max=f"{hi:g}")
    return []


def validate_answers(fw: Framework, answers: Any) -> list[AnswerProblem]:
    """Every bad answer value (unknown criterion, unknown option, exclusive combined, wrong type,
    out of range, …), except to a criterion that is not applicable: that answer is ignored
    (DESIGN §4). Missing answers are reported by :func:`missing_answers`."""
    return answer_problems(fw, answers)[0]


def answer_problems(fw: Framework, answers: Any) -> tuple[list[AnswerProblem], set[str]]:
    """The problems of :func:`validate_answers` and the codes of the answers ignored because
    their criterion is not applicable (bad or not). Applicability is decided in file order
    from the good answers to applicable criteria, as the scorer does; a bad answer counts as
    missing in later conditions."""
    if not isinstance(answers, Mapping):
        problem = AnswerProblem("", "answer.not_mapping", None, {"got": type(answers).__name__})
        return [problem], set()
    env: dict[str, Any] = {}
    ignored: set[str] = set()
    bad: dict[str, list[AnswerProblem]] = {}
    for c in fw.criteria():
        value = answers.get(c.code)
        if c.relevant is not None and not expr.evaluate(c.relevant.root, env):
            if value is not None:
                ignored.add(c.code)
            continue
        if value is None:
            continue
        problems = _check_value(c, value)
        if problems:
            bad[c.code] = problems
        else:
            env[c.code] = condition_value(c.question, value)
    out: list[AnswerProblem] = []
    for key, value in answers.items():
        if not _known(fw, key):
            out.append(AnswerProblem(str(key), "answer.unknown_criterion", value))
        else:
            out += bad.get(key, [])
    return out, ignored


def _known(fw: Framework, key: object) -> bool:
    try:
        return isinstance(key, str) and fw.criterion(key) is not None
    except KeyError:
        return False


def missing_answers(fw: Framework, answers: Mapping[str, Any]) -> list[AnswerProblem]:
    """Required, relevant criteria without an answer (answers with bad values count as given)."""
    problems, ignored = answer_problems(fw, answers)
    bad = {p.criterion for p in problems}
    clean = {k: v for k, v in answers.items() if k not in bad and k not in ignored}
    result = score(fw, clean, validate=False)
    return [AnswerProblem(code, "answer.missing") for code in result.missing if code not in bad]


def check_answers(fw: Framework, answers: Any) -> list[AnswerProblem]:
    """Bad values followed by missing required answers: what blocks a submission."""
    problems = validate_answers(fw, answers)
    if isinstance(answers, Mapping) and not any(p.code == "answer.not_mapping" for p in problems):
        problems += missing_answers(fw, answers)
    return problems
