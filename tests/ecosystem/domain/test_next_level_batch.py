"""Batch next-level planner: every plan confirmed by the engine; optimal where greedy is."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from thuocdo.ecosystem.domain import next_level as nl
from thuocdo.ecosystem.domain.next_level_batch import PLAN, BatchPlanner
from thuocdo.frameworks.builtins import builtin_files
from thuocdo.frameworks.engine import (
    BatchScorer,
    Framework,
    framework_from_dict,
    load_framework_file,
    score,
)

from .test_next_level import all_low, assert_improves, crit, lowering_case, single, t


def random_answers(fw: Framework, rng: np.random.Generator) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for c in fw.criteria():
        q = c.question
        if q.type == "single":
            answers[c.code] = q.options[int(rng.integers(len(q.options)))].code
        elif q.type == "boolean":
            answers[c.code] = bool(rng.integers(2))
        elif q.type == "multi":
            plain = [o.code for o in q.options if not o.exclusive]
            answers[c.code] = [o for o in plain if rng.random() < 0.3]
        elif q.type == "number":
            answers[c.code] = float(rng.integers(0, 30))
        else:
            assert q.min is not None and q.max is not None
            answers[c.code] = float(rng.integers(int(q.min), int(q.max) + 1))
    r = score(fw, answers, validate=False)
    return {k: v for k, v in answers.items() if r.criteria.get(k) is not None or k in r.missing}


@pytest.mark.parametrize("path", builtin_files()[:5], ids=lambda p: p.stem)
def test_batch_plans_reach_the_next_level(path: Any) -> None:
    fw = load_framework_file(path)
    rng = np.random.default_rng(7)
    rows = [random_answers(fw, rng) for _ in range(60)]
    rows += [{k: all_low(fw, k) for k in rows[0]}]
    bs = BatchScorer(fw, threads=1)
    enc = bs.encode(rows)
    plans = BatchPlanner(fw, bs).plan(enc)
    confirmed = 0
    for i, answers in enumerate(rows):
        base = score(fw, answers, validate=False)
        plan = plans.plan(i, answers)
        if isinstance(plan, nl.NoPlan):
            assert plan.reason in (nl.TOP_LEVEL, nl.NOT_FOUND, nl.UNREACHABLE)
            continue
        r = score(fw, plan.apply(answers))
        assert r.complete and r.level >= plan.level > base.level
        assert_improves(fw, plan)
        if plans.status[i] == PLAN:
            confirmed += 1
            # nothing unneeded: without any one of its changes the plan falls short
            for ch in plan.changes:
                rest = {k: v for k, v in plan.apply(answers).items() if k != ch.criterion}
                if ch.before is not None:
                    rest[ch.criterion] = ch.before
                rr = score(fw, rest, validate=False)
                assert not (rr.complete and rr.level >= plan.level), (i, ch.criterion)
    assert confirmed > 0  # most rows are planned by the vectorised path, not the fallback


def test_batch_count_is_minimal_without_conditions_or_pillar_rules() -> None:
    rng = np.random.default_rng(11)
    crits = [
        crit(
            f"C{i}",
            single(*sorted(rng.choice([0, 20, 50, 80, 100], 3, replace=False).tolist())),
            weight=int(rng.integers(1, 4)),
        )
        for i in range(8)
    ]
    crits[2]["required_for_level"] = 2
    crits[2]["target"] = 50  # reachable: its best option scores at least 50
    fw = framework_from_dict(
        {
            "code": "flat",
            "version": "1",
            "name": t("flat"),
            "levels": [
                {"code": i, "name": t(str(i)), "min": m} for i, m in enumerate([0, 25, 50, 75])
            ],
            "pillars": [
                {"code": "a", "name": t("a"), "weight": 1, "criteria": crits[:4]},
                {"code": "b", "name": t("b"), "weight": 2, "criteria": crits[4:]},
            ],
        }
    )
    rows = [random_answers(fw, rng) for _ in range(80)]
    bs = BatchScorer(fw, threads=1)
    plans = BatchPlanner(fw, bs).plan(bs.encode(rows))
    compared = 0
    for i, answers in enumerate(rows):
        exact = (
            nl.plan_to_level(fw, answers, int(plans.target[i]), budget=10**6)
            if plans.target[i] >= 0
            else None
        )
        got = plans.plan(i, answers)
        if isinstance(exact, nl.Plan):
            assert exact.exact
            assert isinstance(got, nl.Plan)
            assert len(got.changes) == len(exact.changes)
            compared += 1
    assert compared > 0


def test_batch_plans_never_lower_an_answer() -> None:
    # lowering T (c → b) would make the low, heavy S2 not applicable; neither the vectorised
    # path nor the scalar fallback may do that
    fw = lowering_case()
    rows = [
        {"T": "c", "S2": "a", "S3": "a"},
        {"T": "c", "S2": "a", "S3": "b"},
        {"T": "a", "S3": "a"},
    ]
    bs = BatchScorer(fw, threads=1)
    for budget in (0, 10**6):
        plans = BatchPlanner(fw, bs).plan(bs.encode(rows), fallback_budget=budget)
        for i, answers in enumerate(rows):
            plan = plans.plan(i, answers)
            assert isinstance(plan, nl.Plan), (i, plan)
            assert score(fw, plan.apply(answers)).level >= 1
            assert_improves(fw, plan)


def test_batch_plans_drop_changes_they_do_not_need() -> None:
    # the greedy aims at level 1 (two pillars ≥ 65) and changes C0 and C3; C3 alone gives
    # an overall of 66 — level 2 has no pillar rule, so the response reaches level 2 ≥ 1 and
    # the change to C0 is not needed
    fw = framework_from_dict(
        {
            "code": "drop",
            "version": "1",
            "name": t("drop"),
            "levels": [
                {"code": 0, "name": t("0"), "min": 0},
                {"code": 1, "name": t("1"), "min": 65, "min_pillars": 2, "pillar_min": 65},
                {"code": 2, "name": t("2"), "min": 66},
                {"code": 3, "name": t("3"), "min": 94, "min_pillars": 2, "pillar_min": 94},
            ],
            "pillars": [
                {
                    "code": "p0",
                    "name": t("p0"),
                    "weight": 2,
                    "criteria": [
                        crit("C0", single(0, 50, 100), weight=2),
                        crit("C1", single(0, 80, 100), weight=2),
                        crit("C2", single(0, 20, 100)),
                    ],
                },
                {
                    "code": "p1",
                    "name": t("p1"),
                    "weight": 2,
                    "criteria": [crit("C3", single(20, 80, 100))],
                },
                {
                    "code": "p2",
                    "name": t("p2"),
                    "weight": 1,
                    "criteria": [crit("C4", single(50, 80, 100), weight=2)],
                },
            ],
        }
    )
    answers = {"C0": "a", "C1": "c", "C2": "a", "C3": "a", "C4": "a"}
    bs = BatchScorer(fw, threads=1)
    plans = BatchPlanner(fw, bs).plan(bs.encode([answers]))
    assert plans.status[0] == PLAN
    plan = plans.plan(0, answers)
    assert isinstance(plan, nl.Plan)
    assert [c.criterion for c in plan.changes] == ["C3"]
    assert plans.n_changes[0] == 1
    assert score(fw, plan.apply(answers)).level >= plan.level
