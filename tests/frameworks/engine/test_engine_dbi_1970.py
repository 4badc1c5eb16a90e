"""The built-in ``dbi-1970`` set reproduces Decision 1970/QĐ-BTTTT's SME scoring exactly.

Every expected value below is computed by hand from the decision's rules: criteria of 0–5
points (strategy 0–25), pillar maxima 65 / 25 / 80 / 65 / 50 / 35 (320 in all), a pillar's
level from its share of its maximum (> 10 %, > 20 %, > 40 %, > 60 %, > 80 %), the overall
level from the total (> 20, > 64, > 128, > 192, > 256 points) and the number of pillars at
that level (4, 4, 4, 5, 6). Both scorers must give the same results.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from thuocdo.frameworks.builtins import BUILTIN_DIR
from thuocdo.frameworks.engine import BatchScorer, Framework, load_framework_file, score

FW: Framework = load_framework_file(BUILTIN_DIR / "dbi-1970.yaml")
PILLARS = ("customer", "strategy", "infrastructure", "operations", "culture", "data")
MAXIMA = {"customer": 65, "strategy": 25, "infrastructure": 80, "operations": 65, "culture": 50,
          "data": 35}  # fmt: skip


def answers(**points: int) -> dict[str, Any]:
    """Answers giving each named pillar its points, criteria filled in file order (5, 5, …,
    the remainder, then 0); the strategy criterion takes its points in steps of 5."""
    out: dict[str, Any] = {}
    for pillar in FW.pillars:
        left = points.get(pillar.code, 0)
        for c in pillar.criteria:
            top = 25 if pillar.code == "strategy" else 5
            given = min(left, top)
            out[c.code] = f"p{given}"
            left -= given
        assert left == 0, pillar.code
    return out


def test_structure_is_the_decisions() -> None:
    assert FW.key == "dbi-1970@2021.1" and FW.points == 320
    assert [p.code for p in FW.pillars] == list(PILLARS)
    assert [len(p.criteria) for p in FW.pillars] == [13, 1, 16, 13, 10, 7]
    assert {p.code: p.weight for p in FW.pillars} == MAXIMA
    assert len(FW.criteria()) == 60
    assert all(c.unanswered_as_zero for c in FW.criteria())
    assert [(lv.min, lv.strict, lv.min_pillars, lv.pillar_min, lv.pillar_strict)
            for lv in FW.levels[1:]] == [
        (6.25, True, 4, 10, True), (20, True, 4, 20, True), (40, True, 4, 40, True),
        (60, True, 5, 60, True), (80, True, 6, 80, True),
    ]  # fmt: skip
    assert "placeholder" in FW.source and "1970/QĐ-BTTTT" in FW.source


# (pillar points, expected overall level, expected pillar levels in PILLARS order)
CASES: list[tuple[str, dict[str, int], int, tuple[int, ...]]] = [
    # exactly 20 points: level 0 (the total must exceed 20)
    ("total-20", {"customer": 7, "strategy": 5, "culture": 4, "data": 4}, 0, (1, 1, 0, 0, 0, 1)),
    # 22 points, four pillars above 10 %: 7/65, 5/25, 6/50, 4/35
    ("total-22", {"customer": 7, "strategy": 5, "culture": 6, "data": 4}, 1, (1, 1, 0, 0, 1, 1)),
    # exactly 64 points with four pillars above 20 % (strategy 10/25 = 40 % is level 2): level 1
    ("total-64", {"customer": 10, "strategy": 10, "infrastructure": 20, "culture": 14, "data": 10},
     1, (1, 2, 2, 0, 2, 2)),
    ("total-65", {"customer": 11, "strategy": 10, "infrastructure": 20, "culture": 14, "data": 10},
     2, (1, 2, 2, 0, 2, 2)),
    # exactly 128 points with four pillars above 40 %: level 2; one point more: level 3
    ("total-128", {"customer": 12, "infrastructure": 40, "operations": 33, "culture": 25,
                   "data": 18}, 2, (1, 0, 3, 3, 3, 3)),
    ("total-129", {"customer": 13, "infrastructure": 40, "operations": 33, "culture": 25,
                   "data": 18}, 3, (1, 0, 3, 3, 3, 3)),  # customer 13/65 = 20 %: level 1
    # exactly 192 points with five pillars above 60 %: level 3; one point more: level 4
    ("total-192", {"customer": 40, "strategy": 20, "infrastructure": 49, "operations": 40,
                   "culture": 31, "data": 12}, 3, (4, 4, 4, 4, 4, 2)),
    ("total-193", {"customer": 40, "strategy": 20, "infrastructure": 49, "operations": 40,
                   "culture": 31, "data": 13}, 4, (4, 4, 4, 4, 4, 2)),
    # exactly 256 points, every pillar exactly at 80 %: every pillar level 4, level 4
    ("total-256", {"customer": 52, "strategy": 20, "infrastructure": 64, "operations": 52,
                   "culture": 40, "data": 28}, 4, (4, 4, 4, 4, 4, 4)),
    # 257: infrastructure above 80 % (level 5) but not all six: still 4
    ("total-257", {"customer": 52, "strategy": 20, "infrastructure": 65, "operations": 52,
                   "culture": 40, "data": 28}, 4, (4, 4, 5, 4, 4, 4)),
    # 265: five pillars above 80 %, culture exactly at 80 %: 4; culture 41/50: 5
    ("total-265", {"customer": 53, "strategy": 25, "infrastructure": 65, "operations": 53,
                   "culture": 40, "data": 29}, 4, (5, 5, 5, 5, 4, 5)),
    ("total-266", {"customer": 53, "strategy": 25, "infrastructure": 65, "operations": 53,
                   "culture": 41, "data": 29}, 5, (5, 5, 5, 5, 5, 5)),
    ("full", dict(MAXIMA), 5, (5, 5, 5, 5, 5, 5)),
    ("nothing", {}, 0, (0, 0, 0, 0, 0, 0)),
]  # fmt: skip


@pytest.mark.parametrize(("points", "level", "pillar_levels"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])  # fmt: skip
def test_hand_computed_answer_sets(
    points: dict[str, int], level: int, pillar_levels: tuple[int, ...]
) -> None:
    given = answers(**points)
    result = score(FW, given)
    total = sum(points.values())
    assert result.complete
    assert result.overall == pytest.approx(total / 320 * 100, abs=1e-9)
    assert result.overall * 320 / 100 == pytest.approx(total, abs=1e-9)
    for code in PILLARS:
        assert result.pillars[code] == pytest.approx(
            points.get(code, 0) / MAXIMA[code] * 100, abs=1e-9
        ), code
    assert result.level == level
    assert tuple(result.pillar_levels[c] for c in PILLARS) == pillar_levels
    # the batch scorer agrees, row for row
    scorer = BatchScorer(FW)
    batch = scorer.score(scorer.encode([given]))
    assert batch.to_json_dict(0) == result.to_json_dict()


@pytest.mark.parametrize(
    ("pillar", "boundaries"),
    [("infrastructure", (8, 16, 32, 48, 64)), ("culture", (5, 10, 20, 30, 40))],
)
def test_pillar_boundaries_are_strict(pillar: str, boundaries: tuple[int, ...]) -> None:
    """10/20/40/60/80 % of the pillar's maximum: exactly at it stays below, one point more
    reaches the next pillar level."""
    for level, at in enumerate(boundaries):
        exact = score(FW, answers(**{pillar: at}))
        above = score(FW, answers(**{pillar: at + 1}))
        assert exact.pillars[pillar] == pytest.approx((10, 20, 40, 60, 80)[level], abs=1e-12)
        assert exact.pillar_levels[pillar] == level, (pillar, at)
        assert above.pillar_levels[pillar] == level + 1, (pillar, at + 1)


def test_unanswered_criteria_count_as_zero() -> None:
    """A draft with only some answers: the missing criteria score 0 and stay in every
    denominator (the pillar is its points over its full maximum), the draft is incomplete."""
    given = {"HT1": "p5", "HT2": "p5", "CL1": "p15"}
    result = score(FW, given)
    assert not result.complete and len(result.missing) == 57
    assert result.pillars["infrastructure"] == pytest.approx(10 / 80 * 100)
    assert result.pillars["strategy"] == pytest.approx(60.0)
    assert result.pillars["customer"] == 0.0
    assert result.criteria["HT3"] == 0.0
    assert result.overall == pytest.approx(25 / 320 * 100)
    assert result.pillar_levels == {
        "customer": 0, "strategy": 3, "infrastructure": 1, "operations": 0, "culture": 0,
        "data": 0,
    }  # fmt: skip
    scorer = BatchScorer(FW)
    batch = scorer.score(scorer.encode([given]))
    assert batch.to_json_dict(0) == result.to_json_dict()
    assert not bool(np.asarray(batch.complete)[0])
