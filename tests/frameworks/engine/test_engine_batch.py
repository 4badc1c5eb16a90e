"""Batch scorer: agreement with the scalar scorer on random valid criteria sets (Hypothesis)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thuocdo.frameworks.engine import (
    AnswersInvalid,
    BatchScorer,
    Framework,
    framework_from_dict,
    score,
)

T = {"vi": "x", "en": "x"}
SCORES = st.one_of(
    st.sampled_from([0.0, 10.0, 25.0, 33.3, 50.0, 60.0, 75.0, 100.0]),
    st.floats(0, 100, allow_nan=False),
)
WEIGHTS = st.one_of(st.sampled_from([1, 2, 3, 0.5, 0.1, 1.5]), st.floats(0.01, 20))
NUMS = st.sampled_from([-5.0, 0.0, 0.5, 1.0, 2.0, 3.0, 10.0, 42.5, 100.0])


def _condition(draw: Any, earlier: list[tuple[str, dict[str, Any]]], depth: int = 0) -> str:
    kind = draw(st.integers(0, 5 if depth < 2 else 2))
    if kind >= 3:
        op = draw(st.sampled_from(["and", "or"]))
        left = _condition(draw, earlier, depth + 1)
        right = _condition(draw, earlier, depth + 1)
        text = f"{left} {op} {right}"
        return f"({text})" if draw(st.booleans()) else text
    if kind == 2:
        return f"not {_condition(draw, earlier, depth + 1)}"
    code, q = draw(st.sampled_from(earlier))
    t = q["type"]
    if t in ("single", "multi"):
        option = draw(st.sampled_from([o["code"] for o in q["options"]]))
        if t == "multi":
            return f"'{option}' in {code}"
        op = draw(st.sampled_from(["==", "!="]))
        quote = draw(st.sampled_from(["'", '"']))
        return f"{code} {op} {quote}{option}{quote}"
    if t == "boolean":
        return draw(st.sampled_from([code, f"{code} == true", f"{code} != false"]))
    op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
    return f"{code} {op} {draw(NUMS):g}"


def _question(draw: Any, qtype: str) -> dict[str, Any]:
    q: dict[str, Any] = {"type": qtype, "text": T}
    if qtype in ("single", "multi"):
        n = draw(st.integers(1, 6))
        q["options"] = [{"code": f"o{i}", "text": T, "score": draw(SCORES)} for i in range(n)]
        if qtype == "multi" and draw(st.booleans()):
            q["options"][-1]["exclusive"] = True
    elif qtype == "boolean":
        if draw(st.booleans()):
            q["yes_score"] = draw(SCORES)
            q["no_score"] = draw(SCORES)
    elif qtype == "number":
        mins = sorted(set(draw(st.lists(NUMS, min_size=1, max_size=4))))
        q["thresholds"] = [{"min": m, "score": draw(SCORES)} for m in mins]
    else:
        lo = draw(st.sampled_from([0, 1, -2, 0.5]))
        q["min"] = lo
        q["max"] = lo + draw(st.sampled_from([1, 4, 10, 2.5]))
    return q


@st.composite
def frameworks(draw: Any) -> dict[str, Any]:
    n_pillars = draw(st.integers(1, 4))
    n_levels = draw(st.integers(1, 5))
    mins = sorted(
        set(draw(st.lists(st.floats(1, 100), min_size=n_levels - 1, max_size=n_levels - 1)))
    )
    levels: list[dict[str, Any]] = [{"code": 0, "name": T, "min": 0}]
    for k, m in enumerate(mins, start=1):
        lv: dict[str, Any] = {"code": k, "name": T, "min": m}
        if draw(st.booleans()):
            lv["min_pillars"] = draw(st.integers(1, n_pillars))
            if draw(st.booleans()):
                lv["pillar_min"] = draw(SCORES)
        if draw(st.booleans()):
            lv["compare"] = draw(st.sampled_from([">", ">="]))
        if draw(st.booleans()):
            lv["pillar_compare"] = draw(st.sampled_from([">", ">="]))
        levels.append(lv)
    earlier: list[tuple[str, dict[str, Any]]] = []
    pillars = []
    for p in range(n_pillars):
        criteria = []
        for _ in range(draw(st.integers(1, 5))):
            code = f"C{len(earlier)}"
            qtype = draw(st.sampled_from(["single", "multi", "boolean", "number", "scale"]))
            crit: dict[str, Any] = {
                "code": code,
                "name": T,
                "weight": draw(WEIGHTS),
                "required": draw(st.booleans()),
                "question": _question(draw, qtype),
            }
            if draw(st.booleans()):
                crit["target"] = draw(st.floats(0.5, 100))
            if draw(st.integers(0, 3)) == 0:
                crit["unanswered_as_zero"] = True
            if earlier and draw(st.integers(0, 2)) == 0:
                crit["relevant"] = _condition(draw, earlier)
            if len(levels) > 1 and draw(st.integers(0, 3)) == 0:
                crit["required_for_level"] = draw(st.integers(1, len(levels) - 1))
            criteria.append(crit)
            earlier.append((code, crit["question"]))
        pillars.append({"code": f"p{p}", "name": T, "weight": draw(WEIGHTS), "criteria": criteria})
    return {"code": "prop", "version": "1", "name": T, "levels": levels, "pillars": pillars}


def _answer(draw: Any, q: dict[str, Any]) -> Any:
    t = q["type"]
    if t == "single":
        return draw(st.sampled_from([o["code"] for o in q["options"]]))
    if t == "multi":
        codes = [o["code"] for o in q["options"] if not o.get("exclusive")]
        exclusive = [o["code"] for o in q["options"] if o.get("exclusive")]
        if exclusive and draw(st.integers(0, 3)) == 0:
            return exclusive
        return draw(st.lists(st.sampled_from(codes), unique=True)) if codes else []
    if t == "boolean":
        return draw(st.booleans())
    if t == "number":
        return draw(st.one_of(NUMS, st.floats(-50, 500), st.integers(-5, 200)))
    lo, hi = q["min"], q["max"]
    return draw(st.one_of(st.sampled_from([lo, hi]), st.floats(lo, hi)))


@st.composite
def cases(draw: Any) -> tuple[Framework, list[dict[str, Any]]]:
    d = draw(frameworks())
    fw = framework_from_dict(d, "hypothesis")
    rows = []
    for _ in range(draw(st.integers(1, 8))):
        row = {}
        for p in d["pillars"]:
            for c in p["criteria"]:
                if draw(st.integers(0, 4)) > 0:
                    row[c["code"]] = _answer(draw, c["question"])
        rows.append(row)
    return fw, rows


def _in_range(x: float | None) -> bool:
    return x is None or (0.0 <= x <= 100.0 and not math.isnan(x))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_scalar_and_batch_agree(case: tuple[Framework, list[dict[str, Any]]]) -> None:
    fw, rows = case
    scorer = BatchScorer(fw, chunk_size=3, threads=2)
    enc = scorer.encode(rows)
    batch = scorer.score(enc)
    again = scorer.from_columns(enc.columns, enc.answered)
    batch2 = BatchScorer(fw, threads=1).score(again)
    level_codes = {lv.code for lv in fw.levels}
    orders, counts = batch.unmet_orders(0, len(rows))
    for i, row in enumerate(rows):
        r = score(fw, row)
        expected = r.to_json_dict()
        assert batch.to_json_dict(i) == expected  # bit-identical floats, same unmet order
        assert [batch.criterion_codes[k] for k in orders[i, : counts[i]]] == r.unmet
        assert batch2.to_json_dict(i) == expected
        assert bool(batch.complete[i]) is r.complete
        assert r.level in level_codes
        assert _in_range(r.overall)
        assert all(_in_range(v) for v in r.pillars.values())
        assert all(_in_range(v) for v in r.criteria.values())
        # decode gives back an equivalent answer dict
        assert score(fw, scorer.decode(enc, i)).to_json_dict() == expected


def _fw() -> Framework:
    return framework_from_dict(
        {
            "code": "cols",
            "version": "1",
            "name": T,
            "levels": [{"code": 0, "name": T, "min": 0}, {"code": 1, "name": T, "min": 50}],
            "pillars": [
                {
                    "code": "p",
                    "name": T,
                    "criteria": [
                        {"code": "S", "name": T, "question": _q("single", 3)},
                        {"code": "M", "name": T, "question": _q("multi", 3)},
                        {"code": "B", "name": T, "question": {"type": "boolean", "text": T}},
                        {
                            "code": "N",
                            "name": T,
                            "question": {
                                "type": "number",
                                "text": T,
                                "min": 0,
                                "max": 10,
                                "thresholds": [{"min": 0, "score": 50}],
                            },
                        },
                        {
                            "code": "K",
                            "name": T,
                            "question": {"type": "scale", "text": T, "min": 1, "max": 5},
                        },
                    ],
                }
            ],
        }
    )


def _q(t: str, n: int) -> dict[str, Any]:
    opts = [{"code": f"o{i}", "text": T, "score": 10 * i} for i in range(n)]
    opts[-1]["exclusive"] = t == "multi"
    return {"type": t, "text": T, "options": opts}


def test_from_columns_and_missing_columns():
    fw = _fw()
    scorer = BatchScorer(fw)
    enc = scorer.from_columns(
        {
            "S": np.array([0, 2, -1], dtype=np.int16),
            "M": np.array([3, 0, 4], dtype=np.uint64),
            "B": np.array([1, 0, -1], dtype=np.int8),
            "N": np.array([1.0, np.nan, 10.0]),
        },
        {"M": np.array([True, True, True])},
    )
    assert np.isnan(enc.columns["K"]).all()
    res = scorer.score(enc)
    assert scorer.decode(enc, 0) == {"S": "o0", "M": ["o0", "o1"], "B": True, "N": 1.0}
    assert scorer.decode(enc, 1) == {"S": "o2", "M": [], "B": False}
    for i in range(3):
        assert res.to_json_dict(i) == score(fw, scorer.decode(enc, i)).to_json_dict()
    assert res.complete.tolist() == [False, False, False]  # K never answered
    assert res.level.dtype == np.int16
    assert res.unmet_mask.shape == (3, 5)


@pytest.mark.parametrize(
    ("columns", "code", "row"),
    [
        ({"S": np.array([0, 3], dtype=np.int16)}, "answer.unknown_option", 1),
        ({"S": np.array([-2, 0], dtype=np.int16)}, "answer.wrong_type", 0),
        ({"M": np.array([1, 8], dtype=np.uint64)}, "answer.unknown_option", 1),
        ({"M": np.array([5, 4], dtype=np.uint64)}, "answer.exclusive_combined", 0),
        ({"B": np.array([2, 0], dtype=np.int8)}, "answer.unknown_option", 0),
        ({"N": np.array([1.0, 11.0])}, "answer.out_of_range", 1),
        ({"N": np.array([np.inf, 1.0])}, "answer.out_of_range", 0),
        ({"K": np.array([0.5, 3.0])}, "answer.out_of_range", 0),
        ({"Z": np.array([1, 2])}, "answer.unknown_criterion", None),
    ],
)
def test_from_columns_validates(columns, code, row):
    with pytest.raises(AnswersInvalid) as info:
        BatchScorer(_fw()).from_columns(columns)
    (p,) = info.value.problems
    assert (p.code, p.row) == (code, row)


def test_encode_reports_rows():
    scorer = BatchScorer(_fw())
    with pytest.raises(AnswersInvalid) as info:
        scorer.encode([{"S": "o0"}, {"S": "o9", "B": "yes"}, {"K": 9}])
    assert [(p.row, p.criterion, p.code) for p in info.value.problems] == [
        (1, "S", "answer.unknown_option"),
        (1, "B", "answer.wrong_type"),
        (2, "K", "answer.out_of_range"),
    ]
    assert info.value.problems[0].message("en").startswith("Row 1: ")


def test_empty_batch():
    scorer = BatchScorer(_fw())
    res = scorer.score(scorer.encode([]))
    assert len(res) == 0
    assert res.criteria.shape == (0, 5)


@pytest.mark.parametrize("validate", [True, False])
def test_from_columns_refuses_columns_of_the_wrong_kind(validate):
    """An object column (e.g. Python ints too large for a float) is refused, never converted."""
    scorer = BatchScorer(_fw())
    for columns in (
        {"N": np.array([10**400, 1.0], dtype=object)},
        {"S": np.array(["o1", "o0"])},
    ):
        with pytest.raises(AnswersInvalid) as info:
            scorer.from_columns(columns, validate=validate)
        assert [(p.code, p.row) for p in info.value.problems] == [
            ("answer.wrong_type", 0),
            ("answer.wrong_type", 1),
        ]
        assert info.value.problems[0].message("en")


def test_encode_names_a_number_too_large_for_a_float():
    scorer = BatchScorer(_fw())
    with pytest.raises(AnswersInvalid) as info:
        scorer.encode([{"N": 1}, {"N": 10**400}])
    assert [(p.row, p.criterion, p.code) for p in info.value.problems] == [
        (1, "N", "answer.too_large")
    ]
