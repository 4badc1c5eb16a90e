"""What to fix for the next level: the fewest answer changes that raise a response's level.

Pure logic, no Django. Every plan is checked with the scoring engine itself
(:func:`thuocdo.frameworks.engine.score`), so gates, conditions, weights and pillar rules are
the engine's. A plan is a set of changed answers such that the changed response is complete
(every required, applicable criterion answered: a change that makes another criterion
applicable and required must answer it too, which counts as a change) and reaches at least the
target level. A plan only improves: no changed answer scores lower than the answer it
replaces (not even to make another criterion not applicable). Among plans with the fewest
changes the one with the smallest total weighted
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

from thuocdo.frameworks.engine import (
    Criterion,
    Framework,
    Level,
    ScoreResult,
    criterion_score,
    score,
)

from .candidates import Candidate, candidates, triggers

DEFAULT_BUDGET = 1500  # engine evaluations of the exact search
NODES_PER_EVALUATION = 50  # search nodes (no evaluation) allowed per unit of budget
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
    pillar_of: dict[str, str] = field(default_factory=dict)
    min_cost: dict[str, float] = field(default_factory=dict)  # cheapest change of each criterion
    evaluations: int = 0
    nodes: int = 0

    @property
    def reaching(self) -> list[Level]:
        """The levels whose rules a response reaching the target meets."""
        return [lv for lv in self.fw.levels if lv.code >= self.target]

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
            s.pillar_of[c.code] = p.code
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
    s.evaluations = s.nodes = 0  # the budget bounds the exact search only
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
        if not c.required and s.answers.get(c.code) is None:
            continue  # an optional gate left unanswered does not block the level
        best = max([x.score for x in cands.get(c.code, [])], default=-1.0)
        current = s.base.criteria.get(c.code)
        if max(best, current if current is not None else -1.0) < c.target:
            return NoPlan(s.target, UNREACHABLE, c.code)
    optional_open = any(not c.required and s.answers.get(c.code) is None for c in fw.criteria())
    if not trig and not optional_open:
        # no conditions and every criterion answered in the end: the level is monotone, so
        # the best answer everywhere is an upper bound (answering an optional criterion may
        # lower a pillar or fail a gate, so not with open optional ones)
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
    plan already found) larger change sets are not searched.

    A change set is split into its trigger part (criteria a condition refers to) and its plain
    part. Each answer combination of a trigger part is scored once; it fixes which criteria
    apply, so the plain part can only add to the pillar numerators: the score it can reach is
    bounded by adding the largest gains ``Wᵖ/ΣW · wᶜ·(best − s)/den_p`` (the denominator only
    grows), and a branch of the depth-first search over plain criteria whose bound stays below
    the level's minimum is cut without any evaluation. Branches that cannot beat the cheapest
    plan found so far are cut too (every change costs ≥ 0)."""
    order = [c.code for c in s.fw.criteria() if c.code in cands]
    position = {code: i for i, code in enumerate(order)}
    forced_set = set(forced)
    forced_t = [c for c in forced if c in trig]
    forced_p = [c for c in forced if c not in trig]
    free_t = [c for c in order if c in trig and c not in forced_set]
    top = len(order) if k_max is None else min(k_max, len(order))
    states: dict[tuple[tuple[str, int], ...], _TriggerState | None] = {}
    s.min_cost = {c: min(s.cost({c: x}) for x in cands[c]) for c in order}
    try:
        for k in range(len(forced), top + 1):
            best: _Found | None = None
            hi = min(k - len(forced_p), len(forced_t) + len(free_t))
            for j in range(len(forced_t), hi + 1):
                for extra in itertools.combinations(free_t, j - len(forced_t)):
                    tcodes = sorted([*forced_t, *extra], key=position.__getitem__)
                    for idx in itertools.product(*(range(len(cands[c])) for c in tcodes)):
                        key = tuple(zip(tcodes, idx, strict=True))
                        if key not in states:
                            states[key] = _trigger_state(s, cands, trig, key)
                        state = states[key]
                        if state is not None:
                            best = _plain_part(s, cands, state, forced_p, k - j, position, best)
            if best is not None:
                return _plan(s, best.changes, best.result, exact=True)
    except _BudgetExceededError:
        return None
    if k_max is not None:
        return None  # not reached for a plan the greedy search found: keep that one
    return NoPlan(s.target, UNREACHABLE, "")


@dataclass(frozen=True)
class _TriggerState:
    """Answers with one trigger part applied, their score and the plain part's bounds."""

    changes: dict[str, Candidate]
    answers: dict[str, Any]
    result: ScoreResult
    cost: float
    key: tuple[tuple[int, int], ...]  # (file position, candidate index) of the trigger part
    gains: dict[str, list[float]]  # plain criterion → bound on the gain of each candidate
    need: float  # overall points still missing (−inf: no bound)
    gates: tuple[str, ...]  # plain criteria failing a gate of the target: every plan changes them
    pillar_gains: dict[str, list[float]]  # the same bound on the criterion's pillar score


@dataclass(frozen=True)
class _Found:
    cost: float
    key: tuple[tuple[int, int], ...]
    changes: dict[str, Candidate]
    result: ScoreResult


def _trigger_state(
    s: _Search,
    cands: dict[str, list[Candidate]],
    trig: Mapping[str, Any],
    key: tuple[tuple[str, int], ...],
) -> _TriggerState | None:
    changes = {code: cands[code][i] for code, i in key}
    answers = dict(s.answers)
    for code, cand in changes.items():
        answers[code] = cand.value
    r = _counted(s, answers) if changes else s.base
    if any(code in trig or code not in cands for code in r.missing):
        return None  # a trigger part that leaves a trigger (or an unanswerable) one missing
    fw = s.fw
    dens: dict[str, float] = {}
    for p in fw.pillars:
        dens[p.code] = sum(c.weight for c in p.criteria if r.criteria.get(c.code) is not None)
    oden = sum(p.weight for p in fw.pillars if r.pillars.get(p.code) is not None)
    gains: dict[str, list[float]] = {}
    pillar_gains: dict[str, list[float]] = {}
    gates: list[str] = []
    bounded = oden > 0
    for p in fw.pillars:
        for c in p.criteria:
            if c.code in trig:
                continue
            now = r.criteria.get(c.code)
            gate = c.required_for_level
            if now is not None and gate is not None and gate <= s.target and now < c.target:
                # applicability stays as it is: this gate fails unless the plain part fixes it
                if max((x.score for x in cands.get(c.code, [])), default=-1.0) < c.target:
                    return None
                gates.append(c.code)
            if c.code not in cands:
                continue
            if dens[p.code] <= 0:
                bounded = False  # a pillar that may start to count: no bound
                gains[c.code] = [math.inf] * len(cands[c.code])
                pillar_gains[c.code] = [math.inf] * len(cands[c.code])
                continue
            rise = [max(0.0, c.weight * (x.score - (now or 0.0))) for x in cands[c.code]]
            pillar_gains[c.code] = [g / dens[p.code] for g in rise]
            gains[c.code] = [g / dens[p.code] * p.weight / oden for g in rise]
    lowest = min(lv.min for lv in s.reaching)  # any level from the target up will do
    need = lowest - r.overall - 1e-9 if bounded else -math.inf
    position = {c.code: i for i, c in enumerate(fw.criteria())}
    return _TriggerState(
        changes=changes,
        answers=answers,
        result=r,
        cost=s.cost(changes),
        key=tuple((position[code], i) for code, i in key),
        gains=gains,
        need=need,
        gates=tuple(gates),
        pillar_gains=pillar_gains,
    )


def _plain_part(
    s: _Search,
    cands: dict[str, list[Candidate]],
    state: _TriggerState,
    forced_p: list[str],
    size: int,
    position: Mapping[str, int],
    best: _Found | None,
) -> _Found | None:
    """The cheapest plain part of ``size`` criteria completing ``state`` (or ``best``)."""
    r = state.result
    mandatory = sorted(
        {*forced_p, *state.gates, *(c for c in r.missing if c not in state.changes)},
        key=position.__getitem__,
    )
    if len(mandatory) > size:
        return best
    optional = [c for c in position if c in state.gains and c not in mandatory]
    optional = [c for c in optional if c not in state.changes]
    top_gain = {c: _gain(state, c, None) for c in optional}
    min_cost = s.min_cost
    start_gain = sum(_gain(state, c, None) for c in mandatory)
    start_cost = state.cost + sum(min_cost[c] for c in mandatory)
    room = size - len(mandatory)
    # suffix_top[i][r]: the r largest gains among optional[i:]
    suffix_top: list[list[float]] = []
    for i in range(len(optional) + 1):
        ranked = sorted((top_gain[c] for c in optional[i:]), reverse=True)[:room]
        sums = [0.0]
        for g in ranked:
            sums.append(sums[-1] + g)
        suffix_top.append(sums)
    # suffix_cheap[i][r]: the r smallest cheapest-change costs among optional[i:]
    suffix_cheap: list[list[float]] = []
    for i in range(len(optional) + 1):
        ranked = sorted(min_cost[c] for c in optional[i:])[:room]
        sums = [0.0]
        for g in ranked:
            sums.append(sums[-1] + g)
        suffix_cheap.append(sums)
    found = best

    def visit(i: int, picked: list[str], gain: float, cost: float) -> None:
        nonlocal found
        s.nodes += 1
        if s.nodes > s.budget * NODES_PER_EVALUATION:
            raise _BudgetExceededError
        left = room - len(picked)
        if found is not None and cost > found.cost + EPS:
            return
        chosen = [*mandatory, *picked]
        if left == 0:
            if _can_pass(s, state, [(c, None) for c in chosen], gain=gain):
                found = _assign(s, cands, state, chosen, position, found)
            return
        if len(optional) - i < left:
            return
        if gain + suffix_top[i][min(left, len(suffix_top[i]) - 1)] < state.need:
            return
        if found is not None and cost + suffix_cheap[i][left] > found.cost + EPS:
            return
        if not _can_pass(s, state, [(c, None) for c in chosen], left=left):
            return
        for j in range(i, len(optional) - left + 1):
            c = optional[j]
            visit(j + 1, [*picked, c], gain + top_gain[c], cost + min_cost[c])

    visit(0, [], start_gain, start_cost)
    return found


def _can_pass(
    s: _Search,
    state: _TriggerState,
    items: list[tuple[str, int | None]],
    *,
    left: int = 0,
    gain: float | None = None,
) -> bool:
    """Whether some level from the target up can hold with these plain changes (candidate
    index, None: the best one) and ``left`` more: its ``min_pillars`` rule (each change can
    lift at most one pillar) and, given the bound ``gain`` on the overall rise, its ``min`` —
    by the same bounds as the overall score."""
    rise: dict[str, float] = {}
    for code, i in items:
        found = state.pillar_gains.get(code)
        g = math.inf if found is None else (max(found) if i is None else found[i])
        pillar = s.pillar_of[code]
        rise[pillar] = rise.get(pillar, 0.0) + g
    overall = None if gain is None else state.result.overall + gain
    for level in s.reaching:  # reaching a higher level is as good
        if overall is not None and overall < level.min - 1e-9:
            continue
        if not level.min_pillars:
            return True
        count = left
        for p in s.fw.pillars:
            now = state.result.pillars.get(p.code)
            if now is None:
                count += p.code in rise  # a pillar that starts to count: anything is possible
            elif now + rise.get(p.code, 0.0) >= level.effective_pillar_min - 1e-9:
                count += 1
        if count >= level.min_pillars:
            return True
    return False


def _gain(state: _TriggerState, code: str, i: int | None) -> float:
    """The bound on the gain of candidate ``i`` of ``code`` (None: of its best candidate)."""
    found = state.gains.get(code)
    if found is None:
        return math.inf
    return max(found) if i is None else found[i]


def _assign(
    s: _Search,
    cands: dict[str, list[Candidate]],
    state: _TriggerState,
    plain: list[str],
    position: Mapping[str, int],
    best: _Found | None,
) -> _Found | None:
    """The cheapest answers to ``plain`` (with the trigger part of ``state``) that reach the
    target, if cheaper than ``best``."""
    combos: list[tuple[float, tuple[int, ...]]] = []
    for idx in itertools.product(*(range(len(cands[code])) for code in plain)):
        s.nodes += 1
        if s.nodes > s.budget * NODES_PER_EVALUATION:
            raise _BudgetExceededError
        gain = sum(_gain(state, code, i) for code, i in zip(plain, idx, strict=True))
        if gain < state.need:
            continue
        if any(
            code in state.gates and cands[code][i].score < s.fw.criterion(code).target
            for code, i in zip(plain, idx, strict=True)
        ):
            continue
        if not _can_pass(s, state, list(zip(plain, idx, strict=True)), gain=gain):
            continue
        cost = state.cost + sum(
            s.cost({code: cands[code][i]}) for code, i in zip(plain, idx, strict=True)
        )
        combos.append((cost, idx))
    combos.sort()
    if not combos or (best is not None and combos[0][0] > best.cost + EPS):
        return best
    if plain:
        top = dict(state.answers)
        for code in plain:
            top[code] = _max(cands[code]).value
        if not s.reaches(_counted(s, top)):
            return best  # applicability is fixed: the best answers are an upper bound
    for cost, idx in combos:
        if best is not None and cost > best.cost + EPS:
            break
        changes = dict(state.changes)
        trial = dict(state.answers)
        for code, i in zip(plain, idx, strict=True):
            changes[code] = cands[code][i]
            trial[code] = cands[code][i].value
        r = _counted(s, trial) if plain else state.result
        if not s.reaches(r):
            continue
        key = tuple(
            sorted([*state.key, *((position[c], i) for c, i in zip(plain, idx, strict=True))])
        )
        if best is None or cost < best.cost - EPS or key < best.key:
            return _Found(cost, key, changes, r)
        return best
    return best


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


# A strict threshold (``compare: ">"``) is reached only above its minimum: the searches aim
# this far past it, so that a score exactly at the boundary still counts as short.
STRICT_STEP = 1e-6


def strict_min(value: float, strict: bool) -> float:
    """The score a search aims at to reach ``value`` (a little above it when strict)."""
    return value + STRICT_STEP if strict else value


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
    short = max(0.0, strict_min(level.min, level.strict) - r.overall)
    if level.min_pillars:
        pillars = sorted((p for p in r.pillars.values() if p is not None), reverse=True)
        pm = strict_min(level.effective_pillar_min, level.pillar_strict)
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
