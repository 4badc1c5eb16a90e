"""Scalar scoring (DESIGN §4), with expected numbers worked out by hand."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from thuocdo.frameworks.engine import (
    AnswersInvalid,
    BatchScorer,
    check_answers,
    framework_from_dict,
    score,
    validate_answers,
)


def t(vi: str) -> dict[str, str]:
    return {"vi": vi, "en": vi}


def opt(code: str, score_: float, **kw: Any) -> dict[str, Any]:
    return {"code": code, "text": t(code), "score": score_, **kw}


FW = framework_from_dict(
    {
        "code": "table",
        "version": "1",
        "name": t("Bảng"),
        "levels": [
            {"code": 0, "name": t("L0"), "min": 0},
            {"code": 1, "name": t("L1"), "min": 30},
            {"code": 2, "name": t("L2"), "min": 50, "min_pillars": 2, "pillar_min": 60},
            {"code": 3, "name": t("L3"), "min": 70, "min_pillars": 2},
        ],
        "pillars": [
            {
                "code": "a",
                "name": t("A"),
                "weight": 2,
                "criteria": [
                    {
                        "code": "A1",
                        "name": t("A1"),
                        "weight": 2,
                        "question": {
                            "type": "single",
                            "text": t("?"),
                            "options": [opt("a", 0), opt("b", 60), opt("c", 100)],
                        },
                    },
                    {
                        "code": "A2",
                        "name": t("A2"),
                        "question": {
                            "type": "multi",
                            "text": t("?"),
                            "options": [
                                opt("x", 50),
                                opt("y", 40),
                                opt("z", 30),
                                opt("none", 0, exclusive=True),
                            ],
                        },
                    },
                    {
                        "code": "A3",
                        "name": t("A3"),
                        "required": False,
                        "question": {"type": "boolean", "text": t("?")},
                    },
                ],
            },
            {
                "code": "b",
                "name": t("B"),
                "weight": 1,
                "criteria": [
                    {
                        "code": "B1",
                        "name": t("B1"),
                        "question": {
                            "type": "number",
                            "text": t("?"),
                            "min": 0,
                            "max": 1000,
                            "thresholds": [{"min": 1, "score": 40}, {"min": 10, "score": 100}],
                        },
                    },
                    {
                        "code": "B2",
                        "name": t("B2"),
                        "weight": 3,
                        "relevant": "A1 != 'a'",
                        "target": 75,
                        "required_for_level": 2,
                        "question": {"type": "scale", "text": t("?"), "min": 1, "max": 5},
                    },
                ],
            },
            {
                "code": "c",
                "name": t("C"),
                "weight": 1,
                "criteria": [
                    {
                        "code": "C1",
                        "name": t("C1"),
                        "required": False,
                        "relevant": "'x' in A2",
                        "question": {
                            "type": "boolean",
                            "text": t("?"),
                            "yes_score": 80,
                            "no_score": 20,
                        },
                    }
                ],
            },
        ],
    },
    "table",
)

# (id, answers, overall, level, pillars, criteria, unmet, missing)
CASES: list[tuple[str, dict[str, Any], float, int, dict, dict, list[str], list[str]]] = [
    (
        # A = (2·60 + 1·90 + 1·100)/4 = 77.5; B = (1·100 + 3·75)/4 = 81.25; C = 80
        # overall = (2·77.5 + 81.25 + 80)/4 = 79.0625; level 3 (≥70, three pillars ≥70);
        # gate B2 met (75 ≥ 75). unmet keys: A1 2·2·40=160, A2 1·2·10=20, C1 1·1·20=20 (tie → file order)
        "all-types",
        {"A1": "b", "A2": ["x", "y"], "A3": True, "B1": 10, "B2": 4, "C1": True},
        79.0625,
        3,
        {"a": 77.5, "b": 81.25, "c": 80.0},
        {"A1": 60.0, "A2": 90.0, "A3": 100.0, "B1": 100.0, "B2": 75.0, "C1": 80.0},
        ["A1", "A2", "C1"],
        [],
    ),
    (
        # B2 = 3 → 50 < target 75. B = (100 + 150)/4 = 62.5; overall = (155 + 62.5 + 80)/4 = 74.375
        # → level 3 before gates (A 77.5 and C 80 ≥ 70), gate B2 (required_for_level 2) → 1.
        # unmet: A1 160, B2 3·1·25 = 75, A2 20, C1 20
        "gate-applicable-unmet-lowers",
        {"A1": "b", "A2": ["x", "y"], "A3": True, "B1": 10, "B2": 3, "C1": True},
        74.375,
        1,
        {"a": 77.5, "b": 62.5, "c": 80.0},
        {"A1": 60.0, "A2": 90.0, "A3": 100.0, "B1": 100.0, "B2": 50.0, "C1": 80.0},
        ["A1", "B2", "A2", "C1"],
        [],
    ),
    (
        # A1 = 'a' → B2 not relevant (its answer is ignored, gate does not lower).
        # A = (0 + 90 + 100)/4 = 47.5; B = 100; C = 80; overall = (95 + 100 + 80)/4 = 68.75
        # level 2: ≥50 and two pillars ≥ 60 (B, C). unmet: A1 2·2·100 = 400, A2 20, C1 20
        "gate-not-applicable",
        {"A1": "a", "A2": ["x", "y"], "A3": True, "B1": 10, "B2": 3, "C1": True},
        68.75,
        2,
        {"a": 47.5, "b": 100.0, "c": 80.0},
        {"A1": 0.0, "A2": 90.0, "A3": 100.0, "B1": 100.0, "B2": None, "C1": 80.0},
        ["A1", "A2", "C1"],
        [],
    ),
    (
        # A2 = ['none'] → 0 and C1 not relevant → pillar C null; A3 optional, unanswered → N/A.
        # B1 = 0.5 is below every threshold → 0. A = (120 + 0)/3 = 40; B = (0 + 300)/4 = 75
        # overall = (80 + 75)/3 = 51.666…; level 2 needs two pillars ≥ 60: only B → level 1.
        # unmet: A2 1·2·100 = 200, A1 160, B1 1·1·100 = 100
        "null-pillar-optional-below-thresholds",
        {"A1": "b", "A2": ["none"], "B1": 0.5, "B2": 5},
        155 / 3,
        1,
        {"a": 40.0, "b": 75.0, "c": None},
        {"A1": 60.0, "A2": 0.0, "A3": None, "B1": 0.0, "B2": 100.0, "C1": None},
        ["A2", "A1", "B1"],
        [],
    ),
    (
        # multi capped: 50+40+30 = 120 → 100. A3 false → 0. A = (200 + 100 + 0)/4 = 75
        # B1 = 1 → 40, B2 = 1 → 0: B = (40 + 0)/4 = 10; C1 false → 20
        # overall = (150 + 10 + 20)/4 = 45 → level 1; gate B2 unmet → min(1, 1) = 1
        # unmet: B2 3·1·75 = 225, A3 1·2·100 = 200, C1 1·1·80 = 80, B1 1·1·60 = 60
        "multi-cap",
        {"A1": "c", "A2": ["x", "y", "z"], "A3": False, "B1": 1, "B2": 1, "C1": False},
        45.0,
        1,
        {"a": 75.0, "b": 10.0, "c": 20.0},
        {"A1": 100.0, "A2": 100.0, "A3": 0.0, "B1": 40.0, "B2": 0.0, "C1": 20.0},
        ["B2", "A3", "C1", "B1"],
        [],
    ),
    (
        # A1 missing (required) → incomplete; B2's condition A1 != 'a' is true for a missing A1.
        # A2 = ['y'] → 40; C1 not relevant. A = 40/1 = 40; B1 100, B2 = 2 → 25: B = (100 + 75)/4 = 43.75
        # overall = (80 + 43.75)/3 = 41.25 → level 1; unmet: B2 3·1·50 = 150, A2 1·2·60 = 120
        "incomplete",
        {"A2": ["y"], "B1": 100, "B2": 2},
        41.25,
        1,
        {"a": 40.0, "b": 43.75, "c": None},
        {"A1": None, "A2": 40.0, "A3": None, "B1": 100.0, "B2": 25.0, "C1": None},
        ["B2", "A2"],
        ["A1"],
    ),
    (
        # A = (200 + 90 + 100)/4 = 97.5; B1 0 → 0, B2 4 → 75: B = 225/4 = 56.25; C1 false → 20
        # overall = (195 + 56.25 + 20)/4 = 67.8125: level 2 needs two pillars ≥ 60 (only A) → 1
        # unmet: B1 1·1·100 = 100, C1 1·1·80 = 80, A2 1·2·10 = 20
        "min-pillars-fails",
        {"A1": "c", "A2": ["x", "y"], "A3": True, "B1": 0, "B2": 4, "C1": False},
        67.8125,
        1,
        {"a": 97.5, "b": 56.25, "c": 20.0},
        {"A1": 100.0, "A2": 90.0, "A3": 100.0, "B1": 0.0, "B2": 75.0, "C1": 20.0},
        ["B1", "C1", "A2"],
        [],
    ),
    (
        # B2 is relevant (A1 != 'a') and required but unanswered: the response is incomplete,
        # B2 is left out of pillar B, and as a gate (required_for_level 2) that is applicable
        # and not met it lowers the level to 1 (DESIGN §4); having no score it is not unmet.
        # B1 = 10 sits exactly on the second threshold → 100. A = (2·100 + 90 + 100)/4 = 97.5,
        # B = 100/1 = 100, C = 80; overall = (195 + 100 + 80)/4 = 93.75; level 3 by score
        # (three pillars ≥ 70), then 1 by the gate. unmet: A2 1·2·10 = 20, C1 1·1·20 = 20 (tie)
        "missing-gate-lowers",
        {"A1": "c", "A2": ["x", "y"], "A3": True, "B1": 10, "C1": True},
        93.75,
        1,
        {"a": 97.5, "b": 100.0, "c": 80.0},
        {"A1": 100.0, "A2": 90.0, "A3": 100.0, "B1": 100.0, "B2": None, "C1": 80.0},
        ["A2", "C1"],
        ["B2"],
    ),
    (
        # A1 = 'a' → B2 not applicable; A2 = ['y'] → C1 not applicable: their bad answers (99 is
        # outside [1, 5], 'maybe' is no boolean) are ignored. A = (0 + 40)/3 = 13.33…; B1 = 1
        # → 40, B = 40; C null; overall = (2·40/3 + 40)/3 = 200/9 = 22.2… < 30 → level 0.
        # unmet: A1 2·2·100 = 400, A2 1·2·60 = 120, B1 1·1·60 = 60
        "bad-answers-to-not-applicable-ignored",
        {"A1": "a", "A2": ["y"], "B1": 1, "B2": 99, "C1": "maybe"},
        200 / 9,
        0,
        {"a": 40 / 3, "b": 40.0, "c": None},
        {"A1": 0.0, "A2": 40.0, "A3": None, "B1": 40.0, "B2": None, "C1": None},
        ["A1", "A2", "B1"],
        [],
    ),
    (
        # A = (200 + 90 + 100)/4 = 97.5; B1 = 1 → 40, B2 = 4 → 75 (gate met): B = 265/4 = 66.25;
        # C1 false → 20. overall = (195 + 66.25 + 20)/4 = 70.3125 ≥ 70, but level 3's pillar
        # rule (two pillars ≥ 70) fails (only A); level 2 (≥ 50, two pillars ≥ 60: A, B) holds.
        # unmet: C1 1·1·80 = 80, B1 1·1·60 = 60, A2 1·2·10 = 20
        "pillar-rule-fails-lower-level-holds",
        {"A1": "c", "A2": ["x", "y"], "A3": True, "B1": 1, "B2": 4, "C1": False},
        70.3125,
        2,
        {"a": 97.5, "b": 66.25, "c": 20.0},
        {"A1": 100.0, "A2": 90.0, "A3": 100.0, "B1": 40.0, "B2": 75.0, "C1": 20.0},
        ["C1", "B1", "A2"],
        [],
    ),
    (
        # scale allows non-integers: 3.5 → (3.5−1)/4·100 = 62.5; empty multi is answered → 0;
        # C1 answered but not relevant → ignored. A = (200 + 0 + 0)/4 = 50, B = (0 + 187.5)/4 = 46.875
        # overall = (100 + 46.875)/3 = 48.958…; level 1. unmet: A2 1·2·100 = 200, A3 1·2·100 = 200
        # (tie → file order), B1 1·1·100 = 100, B2 3·1·(75 − 62.5) = 37.5
        "scale-fraction-empty-multi",
        {"A1": "c", "A2": [], "A3": False, "B1": 0, "B2": 3.5, "C1": True},
        146.875 / 3,
        1,
        {"a": 50.0, "b": 46.875, "c": None},
        {"A1": 100.0, "A2": 0.0, "A3": 0.0, "B1": 0.0, "B2": 62.5, "C1": None},
        ["A2", "A3", "B1", "B2"],
        [],
    ),
]


@pytest.mark.parametrize(
    ("answers", "overall", "level", "pillars", "criteria", "unmet", "missing"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_table(answers, overall, level, pillars, criteria, unmet, missing):
    r = score(FW, answers)
    assert r.overall == pytest.approx(overall, rel=1e-12)
    assert r.level == level
    for code, expected in pillars.items():
        assert r.pillars[code] == (None if expected is None else pytest.approx(expected))
    assert r.criteria == criteria
    assert r.unmet == unmet
    assert r.missing == missing
    assert r.complete is (not missing)
    # the batch scorer agrees exactly on the same response
    scorer = BatchScorer(FW)
    batch = scorer.score(scorer.encode([answers]))
    assert batch.to_json_dict(0) == r.to_json_dict()
    assert bool(batch.complete[0]) is r.complete


def test_batch_columns_ignore_bad_answers_to_criteria_that_do_not_apply():
    scorer = BatchScorer(FW)
    a1 = np.array([0, 1], dtype=np.int16)  # 'a' (B2 does not apply), 'b' (B2 applies)
    b2 = np.array([99.0, 99.0])
    with pytest.raises(AnswersInvalid) as info:
        scorer.from_columns({"A1": a1, "B2": b2})
    assert [(p.criterion, p.code, p.row) for p in info.value.problems] == [
        ("B2", "answer.out_of_range", 1)
    ]
    enc = scorer.from_columns({"A1": a1[:1], "B2": b2[:1]})
    assert b2.tolist() == [99.0, 99.0]  # the caller's column is left as given
    assert scorer.score(enc).to_json_dict(0) == score(FW, {"A1": "a", "B2": 99}).to_json_dict()


def test_json_contract_keys():
    r = score(FW, CASES[0][1])
    assert list(r.to_json_dict()) == [
        "overall",
        "level",
        "pillars",
        "pillar_levels",
        "criteria",
        "unmet",
    ]
    assert isinstance(r.to_json_dict()["overall"], float)


def test_all_pillars_null_overall_zero():
    fw = framework_from_dict(
        {
            "code": "opt",
            "version": "1",
            "name": t("x"),
            "levels": [{"code": 0, "name": t("0"), "min": 0}],
            "pillars": [
                {
                    "code": "p",
                    "name": t("p"),
                    "criteria": [
                        {
                            "code": "Q1",
                            "name": t("q"),
                            "required": False,
                            "question": {"type": "boolean", "text": t("?")},
                        }
                    ],
                }
            ],
        }
    )
    r = score(fw, {})
    assert (r.overall, r.level, r.pillars, r.unmet, r.complete) == (0.0, 0, {"p": None}, [], True)


@pytest.mark.parametrize(
    ("answers", "codes"),
    [
        ({"ZZ": 1}, [("ZZ", "answer.unknown_criterion")]),
        ({"A1": "d"}, [("A1", "answer.unknown_option")]),
        ({"A1": 1}, [("A1", "answer.wrong_type")]),
        ({"A2": "x"}, [("A2", "answer.wrong_type")]),
        ({"A2": ["x", "q"]}, [("A2", "answer.unknown_option")]),
        ({"A2": ["x", "x"]}, [("A2", "answer.duplicate_option")]),
        ({"A2": ["x", "none"]}, [("A2", "answer.exclusive_combined")]),
        ({"A3": "true"}, [("A3", "answer.wrong_type")]),
        ({"A3": 1}, [("A3", "answer.wrong_type")]),
        ({"B1": "12"}, [("B1", "answer.not_a_number")]),
        ({"B1": True}, [("B1", "answer.wrong_type")]),
        ({"B1": float("nan")}, [("B1", "answer.not_finite")]),
        ({"B1": 10**400}, [("B1", "answer.too_large")]),  # no float holds it
        ({"B2": -(10**400)}, [("B2", "answer.too_large")]),
        ({"B1": -1}, [("B1", "answer.out_of_range")]),
        ({"B2": 6}, [("B2", "answer.out_of_range")]),
        ({"B2": 0.99}, [("B2", "answer.out_of_range")]),
        ({"A1": "b", "B1": 5, "A3": None}, []),
        # an answer to a criterion that is not applicable is ignored, even a bad one …
        ({"A1": "a", "B2": 99}, []),
        ({"A2": ["y"], "C1": "maybe"}, []),
        # … but checked when it applies, and an unknown code is always an error
        ({"A1": "b", "B2": 99}, [("B2", "answer.out_of_range")]),
        ({"A1": "a", "B2": 99, "ZZ": 1}, [("ZZ", "answer.unknown_criterion")]),
        # a bad answer counts as missing in later conditions: B2 applies (A1 != 'a')
        ({"A1": "q", "B2": 99}, [("A1", "answer.unknown_option"), ("B2", "answer.out_of_range")]),
    ],
)
def test_answer_errors(answers, codes):
    problems = validate_answers(FW, answers)
    assert [(p.criterion, p.code) for p in problems] == codes
    for p in problems:
        assert p.criterion in p.message("vi")
        assert p.criterion in p.message("en")
    if codes:
        with pytest.raises(AnswersInvalid):
            score(FW, answers)


def test_value_named_in_message():
    (p,) = validate_answers(FW, {"A1": "zzz"})
    assert "'zzz'" in p.message("vi")
    assert p.message("en") == "Criterion 'A1': there is no option 'zzz'."


def test_check_answers_lists_bad_and_missing():
    problems = check_answers(FW, {"A2": ["x", "none"], "B2": 9})
    assert [(p.criterion, p.code) for p in problems] == [
        ("A2", "answer.exclusive_combined"),
        ("B2", "answer.out_of_range"),
        ("A1", "answer.missing"),
        ("B1", "answer.missing"),
    ]


def test_answers_not_a_mapping():
    (p,) = validate_answers(FW, ["A1"])
    assert p.code == "answer.not_mapping"


def _crit60(code: str, weight: float) -> dict[str, Any]:
    return {"code": code, "name": t(code), "weight": weight, "question": _sixty()}


def _sixty() -> dict[str, Any]:
    return {"type": "single", "text": t("?"), "options": [opt("a", 0), opt("b", 60)]}


def _small_set(levels: list[dict[str, Any]], pillars: list[dict[str, Any]]) -> Any:
    return framework_from_dict(
        {"code": "small", "version": "1", "name": t("x"), "levels": levels, "pillars": pillars}
    )


def test_float_noise_reaches_a_level_in_both_scorers():
    # (0.1·60 + 0.1·60 + 0.1·60)/(0.1 + 0.1 + 0.1) = 59.99999999999999 in floats; 60 by hand
    levels = [
        {"code": 0, "name": t("0"), "min": 0},
        {"code": 1, "name": t("1"), "min": 60, "min_pillars": 1},
    ]
    criteria = [_crit60(c, 0.1) for c in ("X1", "X2", "X3")]
    fw = _small_set(levels, [{"code": "p", "name": t("p"), "criteria": criteria}])
    answers = {"X1": "b", "X2": "b", "X3": "b"}
    r = score(fw, answers)
    assert r.overall == pytest.approx(60.0) and r.overall < 60.0  # the noise is there …
    assert r.level == 1  # … and does not cost the level (nor the pillar rule)
    scorer = BatchScorer(fw)
    assert scorer.score(scorer.encode([answers])).to_json_dict(0) == r.to_json_dict()


def test_unmet_keys_equal_up_to_float_noise_keep_file_order():
    # B1: w·W = 0.3·1 = 0.3; A1 (later in the file): 0.1·3 = 0.30000000000000004. Both gaps 100:
    # keys 30 and 30.000000000000004 are the same by hand, so file order decides: B1 first.
    fw = _small_set(
        [{"code": 0, "name": t("0"), "min": 0}],
        [
            {"code": "b", "name": t("b"), "weight": 1, "criteria": [_crit60("B1", 0.3)]},
            {"code": "a", "name": t("a"), "weight": 3, "criteria": [_crit60("A1", 0.1)]},
        ],
    )
    assert 0.1 * 3 > 0.3 * 1
    answers = {"B1": "a", "A1": "a"}
    r = score(fw, answers)
    assert r.unmet == ["B1", "A1"]
    scorer = BatchScorer(fw)
    batch = scorer.score(scorer.encode([answers]))
    assert batch.unmet(0) == ["B1", "A1"]
    order, count = batch.unmet_orders(0, 1)
    assert [batch.criterion_codes[k] for k in order[0, : count[0]]] == ["B1", "A1"]
