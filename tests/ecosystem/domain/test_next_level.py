"""Next-level planner: plans re-scored by the engine, minimality checked by brute force."""

from __future__ import annotations

import itertools
import math
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from thuocdo.ecosystem.domain import next_level as nl
from thuocdo.frameworks.builtins import builtin_files
from thuocdo.frameworks.engine import (
    Framework,
    criterion_score,
    framework_from_dict,
    load_framework_file,
    score,
)


def t(vi: str) -> dict[str, str]:
    return {"vi": vi, "en": vi}


def crit(code: str, question: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {"code": code, "name": t(code), "question": {"text": t(code), **question}, **kw}


def single(*scores: float) -> dict[str, Any]:
    return {
        "type": "single",
        "options": [
            {"code": chr(ord("a") + i), "text": t(str(i)), "score": s} for i, s in enumerate(scores)
        ],
    }


def fw_of(pillars: list[dict[str, Any]], levels: list[dict[str, Any]]) -> Framework:
    return framework_from_dict(
        {
            "code": "gen",
            "version": "1",
            "name": t("gen"),
            "levels": [{"code": i, "name": t(str(i)), **lv} for i, lv in enumerate(levels)],
            "pillars": pillars,
        }
    )


# ---------------------------------------------------------------- brute force


def all_values(fw: Framework, code: str) -> list[Any]:
    """Every answer of a small question, independent of the planner's candidate rules."""
    q = fw.criterion(code).question
    if q.type == "single":
        return [o.code for o in q.options]
    if q.type == "boolean":
        return [False, True]
    if q.type == "multi":
        codes = [o.code for o in q.options]
        sets = [list(c) for r in range(len(codes) + 1) for c in itertools.combinations(codes, r)]
        exclusive = {o.code for o in q.options if o.exclusive}
        return [v for v in sets if len(v) <= 1 or not exclusive & set(v)]
    if q.type == "scale":
        assert q.min is not None and q.max is not None
        steps = {float(v) for v in range(int(q.min), int(q.max) + 1)}
        steps.update({3.0, math.nextafter(3.0, -math.inf)})  # 3: the condition literal
        return sorted(v for v in steps if q.min <= v <= q.max)
    assert q.type == "number"
    values = {0.0, 1000.0, 3.0, math.nextafter(3.0, -math.inf)}  # 3: the condition literal
    for th in q.thresholds:
        values.update({th.min, math.nextafter(th.min, -math.inf)})
    return sorted(v for v in values if 0 <= v <= 1000)


def improvements(fw: Framework, code: str, current: Any) -> list[Any]:
    """Every other answer that does not score lower than ``current`` (a plan never lowers)."""
    q = fw.criterion(code).question
    floor = -1.0 if current is None else criterion_score(q, current)
    return [v for v in all_values(fw, code) if v != current and criterion_score(q, v) >= floor]


def brute_force(fw: Framework, answers: dict[str, Any], target: int) -> tuple[int, float] | None:
    """Fewest changes (and the least weighted increase among them) reaching ``target``."""
    codes = [c.code for c in fw.criteria()]
    base = score(fw, answers)
    ww = {c.code: c.weight * p.weight for p in fw.pillars for c in p.criteria}
    options = [[answers.get(c), *improvements(fw, c, answers.get(c))] for c in codes]
    best: tuple[int, float] | None = None
    for combo in itertools.product(*options):
        trial = {c: v for c, v in zip(codes, combo, strict=True) if v is not None}
        changed = [c for c, v in zip(codes, combo, strict=True) if v != answers.get(c)]
        if best is not None and len(changed) > best[0]:
            continue
        r = score(fw, trial, validate=False)
        if not (r.complete and r.level >= target):
            continue
        cost = sum(
            ww[c] * (criterion_score(fw.criterion(c).question, trial[c]) - (base.criteria[c] or 0))
            for c in changed
        )
        key = (len(changed), cost)
        if best is None or key < (best[0], best[1] - 1e-9):
            best = key
    return best


# ---------------------------------------------------------------- generated small sets


def condition_on(draw: Any, ref: str, kind: str) -> str:
    """A condition that refers to ``ref`` (a criterion of type ``kind``)."""
    if kind == "boolean":
        return f"{ref} == true"
    if kind == "single":
        return draw(st.sampled_from([f"{ref} != 'a'", f"not ({ref} == 'b')"]))
    if kind in ("number", "scale"):
        return draw(st.sampled_from([f"{ref} >= 3", f"not ({ref} < 3)"]))
    if kind == "multi+none":
        return draw(st.sampled_from([f"'m0' in {ref}", f"not ('none' in {ref})"]))
    return f"'m0' in {ref}"


@st.composite
def small_cases(draw: Any) -> tuple[Framework, dict[str, Any]]:
    """Up to six criteria of every question type: optional criteria (``required: false``),
    exclusive options, scales, simple and compound conditions (``and``/``or``/``not``), gates
    with their own targets, and starting answers that may leave required criteria unanswered."""
    n_pillars = draw(st.integers(1, 2))
    pillars = []
    index = 0
    codes: list[tuple[str, str]] = []
    for p in range(n_pillars):
        crits = []
        for _ in range(draw(st.integers(1, 3))):
            index += 1
            code = f"C{index}"
            kind = draw(st.sampled_from(["single", "boolean", "number", "multi", "scale"]))
            if kind == "single":
                scores = sorted(
                    draw(st.lists(st.sampled_from([0, 20, 50, 70, 100]), min_size=2, max_size=4))
                )
                q = single(*scores)
            elif kind == "boolean":
                q = {"type": "boolean"}
            elif kind == "multi":
                options: list[dict[str, Any]] = [
                    {"code": f"m{i}", "text": t(str(i)), "score": sc}
                    for i, sc in enumerate(
                        draw(st.lists(st.sampled_from([10, 30, 60]), min_size=1, max_size=2))
                    )
                ]
                if draw(st.booleans()):
                    options.append(
                        {"code": "none", "text": t("none"), "score": 0, "exclusive": True}
                    )
                    kind = "multi+none"
                q = {"type": "multi", "options": options}
            elif kind == "scale":
                q = {"type": "scale", "min": 1, "max": draw(st.sampled_from([3, 4]))}
            else:
                q = {
                    "type": "number",
                    "min": 0,
                    "max": 1000,
                    "thresholds": [
                        {"min": 0, "score": 0},
                        {"min": 5, "score": 50},
                        {"min": 20, "score": 100},
                    ],
                }
            extra: dict[str, Any] = {"weight": draw(st.sampled_from([1, 2, 3]))}
            if codes and draw(st.booleans()):
                ref, ref_kind = draw(st.sampled_from(codes))
                cond = condition_on(draw, ref, ref_kind)
                if len(codes) > 1 and draw(st.booleans()):
                    ref2, kind2 = draw(st.sampled_from([x for x in codes if x[0] != ref]))
                    op = draw(st.sampled_from(["and", "or"]))
                    cond = f"({cond}) {op} ({condition_on(draw, ref2, kind2)})"
                extra["relevant"] = cond
            if draw(st.booleans()) and not draw(st.booleans()):
                extra["required_for_level"] = draw(st.integers(1, 3))
                extra["target"] = draw(st.sampled_from([30, 50, 100]))
            if draw(st.integers(0, 3)) == 0:
                extra["required"] = False
            crits.append(crit(code, q, **extra))
            codes.append((code, kind))
        pillars.append(
            {
                "code": f"p{p}",
                "name": t(f"p{p}"),
                "weight": draw(st.sampled_from([1, 2])),
                "criteria": crits,
            }
        )
    mins = sorted(draw(st.lists(st.integers(5, 100), min_size=3, max_size=3, unique=True)))
    levels: list[dict[str, Any]] = [{"min": 0}]
    for i, m in enumerate(mins):
        lv: dict[str, Any] = {"min": m}
        if i == 1 and n_pillars > 1 and draw(st.booleans()):
            lv.update({"min_pillars": 2, "pillar_min": m})
        levels.append(lv)
    fw = fw_of(pillars, levels)
    answers: dict[str, Any] = {}
    for c in fw.criteria():
        r = score(fw, answers, validate=False)
        if c.code in r.missing or draw(st.booleans()):
            answers[c.code] = draw(st.sampled_from(all_values(fw, c.code)))
    if draw(st.booleans()):
        # most starting responses are complete; the others leave required criteria unanswered
        for c in fw.criteria():
            r = score(fw, answers, validate=False)
            if c.code in r.missing:
                answers[c.code] = all_values(fw, c.code)[0]
    if any(c.relevant is not None for c in fw.criteria()):
        event("conditions")
    if any(" and " in (c.relevant.source if c.relevant else "") for c in fw.criteria()):
        event("compound conditions")
    if not score(fw, answers, validate=False).complete:
        event("incomplete start")
    return fw, answers


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cases())
def test_plan_reaches_next_level_and_nothing_smaller_exists(
    case: tuple[Framework, dict[str, Any]],
) -> None:
    fw, answers = case
    base = score(fw, answers)
    higher = [lv.code for lv in fw.levels if lv.code > base.level]
    for target in higher[:2]:
        plan = nl.plan_to_level(fw, answers, target, budget=10**7)
        expected = brute_force(fw, answers, target)
        if expected is None:
            assert isinstance(plan, nl.NoPlan)
            assert plan.reason == nl.UNREACHABLE
            continue
        assert isinstance(plan, nl.Plan), (answers, target, expected)
        assert plan.exact
        changed = plan.apply(answers)
        r = score(fw, changed)
        assert r.complete and r.level >= target
        assert len(plan.changes) == expected[0]
        assert plan.cost == pytest.approx(expected[1], abs=1e-6)
        assert_improves(fw, plan)


def assert_improves(fw: Framework, plan: nl.Plan) -> None:
    for ch in plan.changes:
        q = fw.criterion(ch.criterion).question
        if ch.before is not None:
            assert criterion_score(q, ch.after) >= criterion_score(q, ch.before), ch


def test_plan_to_next_level_on_a_hand_case() -> None:
    fw = fw_of(
        [
            {
                "code": "p",
                "name": t("p"),
                "weight": 1,
                "criteria": [
                    crit("S1", single(0, 50, 100)),
                    crit("S2", {"type": "boolean"}, weight=3),
                    crit("S3", single(0, 40, 80, 100), weight=2),
                ],
            }
        ],
        [{"min": 0}, {"min": 30}, {"min": 60}, {"min": 90}],
    )
    answers = {"S1": "a", "S2": False, "S3": "a"}
    result = nl.plan_next_level(fw, answers)
    assert result.level == 0
    assert isinstance(result.next, nl.Plan)
    # S2 alone: 3·100/6 = 50 ≥ 30 — one change, the only single change that reaches 30
    # besides S3 → d (2·100/6 = 33.3, weighted increase 200 < 300): S3 wins the tie-break.
    assert [(c.criterion, c.after) for c in result.next.changes] == [("S3", "d")]
    assert isinstance(result.after, nl.Plan)
    assert score(fw, result.after.apply(answers)).level >= 2


def test_conditional_criterion_made_applicable_must_be_answered() -> None:
    fw = fw_of(
        [
            {
                "code": "p",
                "name": t("p"),
                "weight": 1,
                "criteria": [
                    crit("S1", {"type": "boolean"}, weight=1),
                    crit("S2", single(0, 100), weight=1, relevant="S1 == true"),
                ],
            }
        ],
        [{"min": 0}, {"min": 60}],
    )
    answers = {"S1": False}
    plan = nl.plan_to_level(fw, answers, 1)
    assert isinstance(plan, nl.Plan)
    # S1 → true makes S2 applicable and required: S2 is answered too and counts as a change
    assert [c.criterion for c in plan.changes] == ["S1", "S2"]
    assert score(fw, plan.apply(answers)).level == 1


def lowering_case() -> Framework:
    """Lowering T from c (100) to b (90) makes the low, heavy S2 not applicable."""
    return fw_of(
        [
            {
                "code": "p",
                "name": t("p"),
                "weight": 1,
                "criteria": [
                    crit("T", single(0, 90, 100)),
                    crit("S2", single(0, 100), weight=3, relevant="T == 'c'"),
                    crit("S3", single(0, 50, 100)),
                ],
            }
        ],
        [{"min": 0}, {"min": 40}],
    )


def test_a_plan_never_lowers_an_answer_to_make_a_criterion_not_applicable() -> None:
    # lowering T to b would reach level 1 with one change (weighted increase −10); a plan
    # improves answers, so it raises S3 to c (1·100/5 + 100/5 = 40, increase 100; S2 → b
    # would cost 300)
    fw = lowering_case()
    answers = {"T": "c", "S2": "a", "S3": "a"}
    plan = nl.plan_to_level(fw, answers, 1)
    assert isinstance(plan, nl.Plan) and plan.exact
    assert [(c.criterion, c.after) for c in plan.changes] == [("S3", "c")]
    assert plan.cost >= 0
    assert_improves(fw, plan)
    assert brute_force(fw, answers, 1) == (1, plan.cost)


def test_top_level_has_no_plan() -> None:
    fw = fw_of(
        [{"code": "p", "name": t("p"), "weight": 1, "criteria": [crit("S1", single(0, 100))]}],
        [{"min": 0}, {"min": 50}],
    )
    result = nl.plan_next_level(fw, {"S1": "b"})
    assert result.level == 1
    assert isinstance(result.next, nl.NoPlan) and result.next.reason == nl.TOP_LEVEL


def test_unreachable_gate_has_no_plan() -> None:
    fw = fw_of(
        [
            {
                "code": "p",
                "name": t("p"),
                "weight": 1,
                "criteria": [
                    crit("S1", single(0, 100)),
                    crit("S2", single(0, 60), target=80, required_for_level=1),
                ],
            }
        ],
        [{"min": 0}, {"min": 10}],
    )
    result = nl.plan_next_level(fw, {"S1": "a", "S2": "a"})
    assert isinstance(result.next, nl.NoPlan)
    assert result.next.reason == nl.UNREACHABLE
    assert result.next.detail == "S2"


@pytest.mark.parametrize("path", builtin_files(), ids=lambda p: p.stem)
def test_builtin_sets_low_answers_get_a_working_plan(path: Any) -> None:
    fw = load_framework_file(path)
    answers: dict[str, Any] = {}
    for c in fw.criteria():
        r = score(fw, answers, validate=False)
        if c.code in r.missing or c.relevant is None:
            answers[c.code] = all_low(fw, c.code)
    r = score(fw, answers, validate=False)
    for code in r.missing:
        answers[code] = all_low(fw, code)
    result = nl.plan_next_level(fw, answers)
    assert isinstance(result.next, nl.Plan)
    changed = score(fw, result.next.apply(answers))
    assert changed.complete and changed.level >= result.next.level


def all_low(fw: Framework, code: str) -> Any:
    q = fw.criterion(code).question
    if q.type == "single":
        return min(q.options, key=lambda o: o.score).code
    if q.type == "multi":
        return []
    if q.type == "boolean":
        return False
    return q.min if q.min is not None else 0


def sampled_answers(fw: Framework, rng: random.Random) -> dict[str, Any]:
    """A complete response with random answers (only those of applicable criteria kept)."""
    answers: dict[str, Any] = {}
    for c in fw.criteria():
        q = c.question
        if q.type == "single":
            answers[c.code] = rng.choice(q.options).code
        elif q.type == "boolean":
            answers[c.code] = rng.random() < 0.5
        elif q.type == "multi":
            answers[c.code] = [o.code for o in q.options if not o.exclusive and rng.random() < 0.3]
        elif q.type == "number":
            answers[c.code] = float(rng.randint(0, 40))
        else:
            assert q.min is not None and q.max is not None
            answers[c.code] = float(rng.randint(int(q.min), int(q.max)))
    r = score(fw, answers, validate=False)
    return {k: v for k, v in answers.items() if r.criteria.get(k) is not None}


@pytest.mark.parametrize("path", builtin_files(), ids=lambda p: p.stem)
def test_builtin_sets_sampled_answers_get_exact_plans_at_the_default_budget(path: Any) -> None:
    fw = load_framework_file(path)
    rng = random.Random(f"{path.stem}-1")
    exact_next = planned_next = 0
    for _ in range(6):
        answers = sampled_answers(fw, rng)
        result = nl.plan_next_level(fw, answers)
        for plan in (result.next, result.after):
            if not isinstance(plan, nl.Plan):
                assert plan is None or plan.reason in (nl.TOP_LEVEL, nl.UNREACHABLE, nl.NOT_FOUND)
                continue
            changed = score(fw, plan.apply(answers))
            assert changed.complete and changed.level >= plan.level
            assert isinstance(plan.exact, bool)
            assert_improves(fw, plan)
            if plan is result.next:
                planned_next += 1
                exact_next += plan.exact
    # the plans to the next level of these responses (up to five changes) are all proven
    # smallest at the default budget; some plans to the level after are not. dbi-1970 (60
    # criteria of six answers each, plans of four to eight changes) gets working plans that
    # the default budget does not prove smallest
    assert planned_next > 0
    if path.stem != "dbi-1970":
        assert exact_next == planned_next
