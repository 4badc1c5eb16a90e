"""What to fix for the next level: the fewest answer changes that raise a response's level.

Pure logic, no Django. Every plan is checked with the scoring engine itself
(:func:`thuocdo.frameworks.engine.score`), so gates, conditions, weights and pillar rules are
the engine's. A plan is a set of changed answers such that the changed response is complete
(every required, applicable criterion answered: a change that makes another criterion
applicable and required must answer it too, which counts as a change) and reaches at least the
target level. Among plans with the fewest changes the one with the smallest total weighted
score increase Σ wᶜ·Wᵖ·(s'ᶜ − sᶜ) wins (an unanswered or not applicable criterion counts as
0), then the first in file order.

Search: a greedy search first (largest progress per change, then dropping changes that are
not needed and lowering the rest to the cheapest answers that still work) gives a plan of k
changes; then iterative deepening on the number of changes, up to k, over the criteria in file
order, with the candidate answers of :mod:`.candidates` for each criterion. Gate criteria that
apply unconditionally and fail, and unconditional required criteria left unanswered, are part
of every plan; a set of changes that touches no condition is first tried with its best answers
(the level is monotone there); answer combinations are tried cheapest first. The search is
exact while it stays within ``budget`` engine evaluations (always so for small sets); past
that the greedy plan is returned, marked ``exact=False``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from thuocdo.frameworks.engine import Criterion, Framework, ScoreResult, criterion_score, score

from .candidates import Candidate, candidates, triggers

DEFAULT_BUDGET = 1500
EPS = 1e-9

# reasons why no plan is given
TOP_LEVEL = "top_level"
UNREACHABLE = "unreachable"
NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Change:
    """One changed answer."""

    criterion: str
    before: Any
    after: Any
    score_before: float | None
    score_after: float


@dataclass(frozen=True)
class Plan:
    """Changes that take a response to ``level`` (it may even reach ``reached`` ≥ level)."""

    level: int
    reached: int
    changes: tuple[Change, ...]
    overall_before: float
    overall_after: float
    cost: float
    exact: bool = True

    def apply(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(answers)
        for ch in self.changes:
            out[ch.criterion] = ch.after
        return out


@dataclass(frozen=True)
class NoPlan:
    """Why no plan reaches ``level``: ``top_level``, ``unreachable`` or ``not_found``."""

    level: int
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class NextLevel:
    """The current level, the plan to the next level and the plan to the level after."""

    level: int
    overall: float
    next: Plan | NoPlan
    after: Plan | NoPlan | None = None


@dataclass
class _Search:
    fw: Framework
    answers: dict[str, Any]
    base: ScoreResult
    target: int
    budget: int
    ww: dict[str, float] = field(default_factory=dict)
    evaluations: int = 0

    def evaluate(self, trial: Mapping[str, Any]) -> ScoreResult:
        self.evaluations += 1
        return score(self.fw, trial, validate=False)

    def reaches(self, r: ScoreResult) -> bool:
        return r.complete and r.level >= self.target

    def cost(self, changes: Mapping[str, Candidate]) -> float:
        total = 0.0
        for code, cand in changes.items():
            before = self.base.criteria.get(code)
            total += self.ww[code] * (cand.score - (before or 0.0))
        return total


def level_codes(fw: Framework) -> list[int]:
    return [lv.code for lv in fw.levels]


def plan_next_level(
    fw: Framework, answers: Mapping[str, Any], *, budget: int = DEFAULT_BUDGET
) -> NextLevel:
    """The plan to the next level and the one to the level after (each from ``answers``)."""
    base = score(fw, answers)
    codes = level_codes(fw)
    higher = [c for c in codes if c > base.level]
    nxt: Plan | NoPlan
    after: Plan | NoPlan | None = None
    if not higher:
        nxt = NoPlan(base.level + 1, TOP_LEVEL)
    else:
        nxt = plan_to_level(fw, answers, higher[0], budget=budget, base=base)
        if len(higher) > 1:
            after = plan_to_level(fw, answers, higher[1], budget=budget, base=base)
        else:
            after = NoPlan(higher[0] + 1, TOP_LEVEL)
    return NextLevel(level=base.level, overall=base.overall, next=nxt, after=after)


def plan_to_level(
    fw: Framework,
    answers: Mapping[str, Any],
    target: int,
    *,
    budget: int = DEFAULT_BUDGET,
    base: ScoreResult | None = None,
) -> Plan | NoPlan:
    """The smallest set of answer changes that makes the response reach ``target``."""
    base = base or score(fw, answers)
    if target not in level_codes(fw):
        return NoPlan(target, TOP_LEVEL)
    s = _Search(fw, dict(answers), base, target, budget)
    for p in fw.pillars:
        for c in p.criteria:
            s.ww[c.code] = c.weight * p.weight
    if s.reaches(base):
        return Plan(target, base.level, (), base.overall, base.overall, 0.0)
    trig = triggers(fw)
    cands: dict[str, list[Candidate]] = {}
    for c in fw.criteria():
        lits = trig.get(c.code)
        found = candidates(c, answers.get(c.code), lits)
        if found:
            cands[c.code] = found
    blocked = _unreachable(fw, s, cands, trig)
    if blocked is not None:
        return blocked
    forced = _forced(fw, s)
    if any(code not in cands for code in forced):
        return NoPlan(target, UNREACHABLE, ",".join(c for c in forced if c not in cands))
    greedy = _greedy(s, cands)
    s.evaluations = 0  # the budget bounds the exact search only
    k_max = len(greedy.changes) if isinstance(greedy, Plan) else None
    exact = _exact(s, cands, forced, trig, k_max)
    if isinstance(exact, Plan | NoPlan):
        return exact
    return greedy


def _unreachable(
    fw: Framework, s: _Search, cands: dict[str, list[Candidate]], trig: Mapping[str, Any]
) -> NoPlan | None:
    level = next(lv for lv in fw.levels if lv.code == s.target)
    if level.min > 100.0 or (level.min_pillars is not None and level.min_pillars > len(fw.pillars)):
        return NoPlan(s.target, UNREACHABLE, "level")
    for c in fw.criteria():
        if c.required_for_level is None or c.required_for_level > s.target:
            continue
        if c.relevant is not None:
            continue
        best = max([x.score for x in cands.get(c.code, [])], default=-1.0)
        current = s.base.criteria.get(c.code)
        if max(best, current if current is not None else -1.0) < c.target:
            return NoPlan(s.target, UNREACHABLE, c.code)
    if not trig:
        # no conditions: the level is monotone, so the best answer everywhere is an upper bound
        best_answers = dict(s.answers)
        for code, found in cands.items():
            best_answers[code] = max(found, key=lambda x: x.score).value
        if not s.reaches(s.evaluate(best_answers)):
            return NoPlan(s.target, UNREACHABLE, "")
    return None


def _forced(fw: Framework, s: _Search) -> list[str]:
    """Criteria every plan changes: unconditional failing gates and unanswered required ones."""
    out = []
    for c in fw.criteria():
        if c.relevant is not None:
            continue
        sc = s.base.criteria.get(c.code)
        if sc is None:
            if c.required and s.answers.get(c.code) is None:
                out.append(c.code)
            continue
        gate = c.required_for_level
        if gate is not None and gate <= s.target and sc < c.target:
            out.append(c.code)
    return out


class _BudgetExceededError(Exception):
    pass


def _exact(
    s: _Search,
    cands: dict[str, list[Candidate]],
    forced: list[str],
    trig: Mapping[str, Any],
    k_max: int | None,
) -> Plan | NoPlan | None:
    """The exact plan (None when the budget runs out first). With ``k_max`` (the size of a
    plan already found) larger change sets are not searched."""
    order = [c.code for c in s.fw.criteria() if c.code in cands]
    position = {code: i for i, code in enumerate(order)}
    rest = [code for code in order if code not in forced]
    top = len(order) if k_max is None else min(k_max, len(order))
    try:
        for k in range(len(forced), top + 1):
            if s.evaluations + math.comb(len(rest), k - len(forced)) > s.budget:
                return None  # each change set costs at least one evaluation: give up early
            best: tuple[float, dict[str, Candidate], ScoreResult] | None = None
            for extra in itertools.combinations(rest, k - len(forced)):
                chosen = sorted([*forced, *extra], key=position.__getitem__)
                found = _best_assignment(s, chosen, cands, trig)
                if found is not None and (best is None or found[0] < best[0] - EPS):
                    best = found
            if best is not None:
                return _plan(s, best[1], best[2], exact=True)
    except _BudgetExceededError:
        return None
    if k_max is not None:
        return None  # not reached for a plan the greedy search found: keep that one
    return NoPlan(s.target, UNREACHABLE, "")


def _best_assignment(
    s: _Search, chosen: list[str], cands: dict[str, list[Candidate]], trig: Mapping[str, Any]
) -> tuple[float, dict[str, Candidate], ScoreResult] | None:
    if not any(code in trig for code in chosen):
        top = dict(s.answers)
        for code in chosen:
            top[code] = _max(cands[code]).value
        if not s.reaches(_counted(s, top)):
            return None
    combos: list[tuple[float, int, dict[str, Candidate]]] = []
    for combo in itertools.product(*(cands[code] for code in chosen)):
        changes = dict(zip(chosen, combo, strict=True))
        combos.append((s.cost(changes), len(combos), changes))
    combos.sort(key=lambda item: (item[0], item[1]))  # cheapest first, then candidate order
    for cost, _, changes in combos:
        trial = dict(s.answers)
        for code, cand in changes.items():
            trial[code] = cand.value
        r = _counted(s, trial)
        if s.reaches(r):
            return (cost, changes, r)
    return None


def _counted(s: _Search, trial: Mapping[str, Any]) -> ScoreResult:
    if s.evaluations >= s.budget:
        raise _BudgetExceededError
    return s.evaluate(trial)


def _max(found: list[Candidate]) -> Candidate:
    return max(found, key=lambda x: x.score)


def _plan(
    s: _Search, changes: Mapping[str, Candidate], result: ScoreResult, *, exact: bool
) -> Plan:
    order = {c.code: i for i, c in enumerate(s.fw.criteria())}
    items = []
    for code in sorted(changes, key=order.__getitem__):
        cand = changes[code]
        items.append(
            Change(
                criterion=code,
                before=s.answers.get(code),
                after=cand.value,
                score_before=s.base.criteria.get(code),
                score_after=cand.score,
            )
        )
    return Plan(
        level=s.target,
        reached=result.level,
        changes=tuple(items),
        overall_before=s.base.overall,
        overall_after=result.overall,
        cost=s.cost(changes),
        exact=exact,
    )


# ---------------------------------------------------------------- greedy search


def _shortfall(s: _Search, r: ScoreResult) -> tuple[int, float]:
    """How far ``r`` is from the target level: (blocking criteria, score points short)."""
    fw = s.fw
    level = next(lv for lv in fw.levels if lv.code == s.target)
    blocking = len(r.missing)
    for code, sc in r.criteria.items():
        c = fw.criterion(code)
        gate = c.required_for_level
        if sc is not None and gate is not None and gate <= s.target and sc < c.target:
            blocking += 1
    short = max(0.0, level.min - r.overall)
    if level.min_pillars:
        pillars = sorted((p for p in r.pillars.values() if p is not None), reverse=True)
        pm = level.effective_pillar_min
        top = pillars[: level.min_pillars]
        short += sum(max(0.0, pm - p) for p in top) + pm * (level.min_pillars - len(top))
    return blocking, short


def _greedy(s: _Search, cands: dict[str, list[Candidate]]) -> Plan | NoPlan:
    chosen: dict[str, Candidate] = {}
    current = dict(s.answers)
    r = s.evaluate(current)
    while not s.reaches(r):
        here = _shortfall(s, r)
        best: tuple[tuple[int, float], str, Candidate, ScoreResult] | None = None
        for code, found in cands.items():
            if code in chosen:
                continue
            for cand in found:
                trial = dict(current)
                trial[code] = cand.value
                rr = s.evaluate(trial)
                key = (0, 0.0) if s.reaches(rr) else _shortfall(s, rr)
                if best is None or key < best[0]:
                    best = (key, code, cand, rr)
        if best is None or not best[0] < here:
            return NoPlan(s.target, NOT_FOUND)
        _, code, cand, r = best
        chosen[code] = cand
        current[code] = cand.value
    # drop changes that are not needed, last first
    for code in reversed(list(chosen)):
        trial = dict(current)
        trial[code] = s.answers.get(code)
        if trial[code] is None:
            del trial[code]
        rr = s.evaluate(trial)
        if s.reaches(rr):
            current, r = trial, rr
            del chosen[code]
    # lower each remaining change to its cheapest working answer
    for code in list(chosen):
        for cand in sorted(cands[code], key=lambda x: x.score):
            if cand.score >= chosen[code].score:
                break
            trial = dict(current)
            trial[code] = cand.value
            rr = s.evaluate(trial)
            if s.reaches(rr):
                current, r = trial, rr
                chosen[code] = cand
                break
    return _plan(s, chosen, r, exact=False)


def criterion_label(c: Criterion, value: Any) -> str:
    """A short rendering of an answer value: option codes, yes/no or the number."""
    if value is None:
        return "—"
    if c.question.type == "multi":
        return ", ".join(value) if value else "∅"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def score_of(c: Criterion, value: Any) -> float | None:
    return None if value is None else criterion_score(c.question, value)
