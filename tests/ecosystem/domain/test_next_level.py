"""Next-level planner: plans re-scored by the engine, minimality checked by brute force."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
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
        return [list(c) for r in range(len(codes) + 1) for c in itertools.combinations(codes, r)]
    assert q.type == "number"
    values = {0.0, 1000.0, 3.0, math.nextafter(3.0, -math.inf)}  # 3: the condition literal
    for th in q.thresholds:
        values.update({th.min, math.nextafter(th.min, -math.inf)})
    return sorted(v for v in values if 0 <= v <= 1000)


def brute_force(fw: Framework, answers: dict[str, Any], target: int) -> tuple[int, float] | None:
    """Fewest changes (and the least weighted increase among them) reaching ``target``."""
    codes = [c.code for c in fw.criteria()]
    base = score(fw, answers)
    ww = {c.code: c.weight * p.weight for p in fw.pillars for c in p.criteria}
    options = [
        [answers.get(c)] + [v for v in all_values(fw, c) if v != answers.get(c)] for c in codes
    ]
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


@st.composite
def small_cases(draw: Any) -> tuple[Framework, dict[str, Any]]:
    n_pillars = draw(st.integers(1, 2))
    pillars = []
    index = 0
    codes: list[tuple[str, str]] = []
    for p in range(n_pillars):
        crits = []
        for _ in range(draw(st.integers(1, 3))):
            index += 1
            code = f"C{index}"
            kind = draw(st.sampled_from(["single", "boolean", "number", "multi"]))
            if kind == "single":
                scores = sorted(
                    draw(st.lists(st.sampled_from([0, 20, 50, 70, 100]), min_size=2, max_size=4))
                )
                q = single(*scores)
            elif kind == "boolean":
                q = {"type": "boolean"}
            elif kind == "multi":
                q = {
                    "type": "multi",
                    "options": [
                        {"code": f"m{i}", "text": t(str(i)), "score": s}
                        for i, s in enumerate(
                            draw(st.lists(st.sampled_from([10, 30, 60]), min_size=1, max_size=3))
                        )
                    ],
                }
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
            if codes and draw(st.booleans()) and draw(st.booleans()):
                ref, ref_kind = draw(st.sampled_from(codes))
                if ref_kind == "boolean":
                    extra["relevant"] = f"{ref} == true"
                elif ref_kind == "single":
                    extra["relevant"] = f"{ref} != 'a'"
                elif ref_kind == "number":
                    extra["relevant"] = f"{ref} >= 3"
                else:
                    extra["relevant"] = f"'m0' in {ref}"
            if draw(st.booleans()) and not draw(st.booleans()):
                extra["required_for_level"] = draw(st.integers(1, 3))
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
    # keep only answers that make the response complete
    for c in fw.criteria():
        r = score(fw, answers, validate=False)
        if c.code in r.missing:
            answers[c.code] = all_values(fw, c.code)[0]
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
