"""Strict (">") and non-strict (">=") thresholds, pillar levels, unanswered-as-zero criteria
and the set's own points: validation, both scorers, canonical form and diff."""

from __future__ import annotations

from typing import Any

import pytest

from thuocdo.frameworks.builtins import builtin_files
from thuocdo.frameworks.engine import (
    BatchScorer,
    FrameworkInvalid,
    diff,
    framework_from_dict,
    framework_to_dict,
    load_framework_file,
    load_framework_text,
    points_of,
    score,
)

T = {"vi": "x", "en": "x"}


def _set(
    compare: str | None = None,
    pillar_compare: str | None = None,
    as_zero: bool | None = None,
    points: float | None = None,
) -> dict[str, Any]:
    level: dict[str, Any] = {"code": 1, "name": T, "min": 50, "min_pillars": 1, "pillar_min": 50}
    if compare is not None:
        level["compare"] = compare
    if pillar_compare is not None:
        level["pillar_compare"] = pillar_compare
    b: dict[str, Any] = {"code": "B", "name": T, "required": False,
                         "question": {"type": "boolean", "text": T}}  # fmt: skip
    if as_zero is not None:
        b["unanswered_as_zero"] = as_zero
    d: dict[str, Any] = {
        "code": "t",
        "version": "1",
        "name": T,
        "levels": [{"code": 0, "name": T, "min": 0}, level],
        "pillars": [
            {"code": "p", "name": T, "criteria": [
                {"code": "A", "name": T, "question": {"type": "scale", "text": T, "min": 0,
                                                      "max": 100}},
                b,
            ]},
            {"code": "q", "name": T, "criteria": [
                {"code": "C", "name": T, "question": {"type": "scale", "text": T, "min": 0,
                                                      "max": 100}},
            ]},
        ],
    }  # fmt: skip
    if points is not None:
        d["points"] = points
    return d


def both(d: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    fw = framework_from_dict(d)
    result = score(fw, answers).to_json_dict()
    scorer = BatchScorer(fw)
    assert scorer.score(scorer.encode([answers])).to_json_dict(0) == result
    return result


@pytest.mark.parametrize(
    ("compare", "at_50", "at_50_001"), [(None, 1, 1), (">=", 1, 1), (">", 0, 1)]
)
def test_overall_threshold_strict_or_not(compare: str | None, at_50: int, at_50_001: int) -> None:
    d = _set(compare=compare)
    assert both(d, {"A": 50, "C": 50})["level"] == at_50
    assert both(d, {"A": 50.002, "C": 50.002})["level"] == at_50_001


def test_float_noise_never_crosses_a_strict_threshold() -> None:
    # 0.1·60 + 0.1·60 + 0.1·60 over 0.3 is 59.99999999999999; 60 + ε the other way
    d = _set(compare=">", pillar_compare=">")
    d["levels"][1].update(min=60, pillar_min=60)
    for a in (60, 60 + 1e-12, 60 - 1e-12):
        r = both(d, {"A": a, "C": a})
        assert r["level"] == 0 and r["pillar_levels"] == {"p": 0, "q": 0}
    assert both(d, {"A": 60.001, "C": 60.001})["level"] == 1


def test_pillar_threshold_strict_or_not_and_pillar_levels() -> None:
    loose = _set()
    strict = _set(pillar_compare=">")
    answers = {"A": 50, "C": 100}  # overall 75; pillar p exactly 50
    assert both(loose, answers)["pillar_levels"] == {"p": 1, "q": 1}
    assert both(strict, answers)["pillar_levels"] == {"p": 0, "q": 1}
    # the level's pillar rule counts pillars with the same comparison
    two = _set(pillar_compare=">")
    two["levels"][1]["min_pillars"] = 2
    assert both(two, answers)["level"] == 0
    two["levels"][1].pop("pillar_compare")
    assert both(two, answers)["level"] == 1


def test_pillar_levels_of_a_set_without_pillar_rules_use_the_level_minima() -> None:
    fw = load_framework_file(next(p for p in builtin_files() if p.stem == "shop-dx"))
    result = score(fw, {})
    assert set(result.pillar_levels) == {p.code for p in fw.pillars}
    assert all(v is None for v in result.pillar_levels.values())  # nothing answered: null


def test_unanswered_as_zero_stays_in_the_denominator() -> None:
    answers = {"A": 100, "C": 100}
    left_out = both(_set(), answers)
    as_zero = both(_set(as_zero=True), answers)
    assert left_out["pillars"]["p"] == 100.0 and left_out["criteria"]["B"] is None
    assert as_zero["pillars"]["p"] == 50.0 and as_zero["criteria"]["B"] == 0.0
    assert as_zero["overall"] == 75.0 and "B" in as_zero["unmet"]
    # an answer is scored as usual
    assert both(_set(as_zero=True), {**answers, "B": True})["pillars"]["p"] == 100.0
    # a criterion whose condition is false stays not applicable
    d = _set(as_zero=True)
    d["pillars"][0]["criteria"][1]["relevant"] = "A > 90"
    assert both(d, {"A": 80, "C": 100})["criteria"]["B"] is None
    assert both(d, {"A": 95, "C": 100})["criteria"]["B"] == 0.0


def test_unanswered_as_zero_fails_its_gate() -> None:
    d = _set(as_zero=True)
    d["pillars"][0]["criteria"][1]["required_for_level"] = 1
    assert both(d, {"A": 100, "C": 100})["level"] == 0
    assert both(d, {"A": 100, "B": True, "C": 100})["level"] == 1


def test_points_total() -> None:
    fw = framework_from_dict(_set(points=320))
    assert fw.points == 320
    assert points_of(fw, score(fw, {"A": 50, "C": 50}).overall) == pytest.approx(160)
    assert points_of(framework_from_dict(_set()), 50.0) is None


def test_new_keys_are_validated() -> None:
    bad = _set(compare="=>", pillar_compare=">")
    bad["points"] = 0
    bad["pillars"][0]["criteria"][1]["unanswered_as_zero"] = "yes"
    bad["levels"][0]["compare"] = ">"
    with pytest.raises(FrameworkInvalid) as info:
        framework_from_dict(bad)
    found = {(p.path, p.code) for p in info.value.problems}
    assert found == {
        ("levels[1].compare", "level.bad_compare"),
        ("points", "points.not_positive"),
        ("pillars[0].criteria[1].unanswered_as_zero", "type.wrong"),
        ("levels[0]", "level.zero_has_conditions"),
    }
    message = next(p for p in info.value.problems if p.code == "level.bad_compare")
    assert "=>" in message.message("vi") and "=>" in message.message("en")


def test_canonical_form_round_trips_and_keeps_earlier_hashes() -> None:
    d = _set(compare=">", pillar_compare=">", as_zero=True, points=320)
    fw = framework_from_dict(d)
    canonical = framework_to_dict(fw)
    assert canonical["points"] == 320 and canonical["levels"][1]["compare"] == ">"
    assert canonical["pillars"][0]["criteria"][1]["unanswered_as_zero"] is True
    assert framework_from_dict(canonical) == fw
    # sets that do not use the new keys keep exactly their canonical form (and content hash)
    plain = framework_to_dict(framework_from_dict(_set()))
    assert "points" not in plain and "compare" not in plain["levels"][1]
    assert "unanswered_as_zero" not in plain["pillars"][0]["criteria"][1]
    for path in builtin_files():
        if path.stem != "dbi-1970":
            text = str(framework_to_dict(load_framework_file(path)))
            assert "compare" not in text and "unanswered_as_zero" not in text, path.name


def test_diff_reports_the_new_keys() -> None:
    old = framework_from_dict(_set())
    new = framework_from_dict(_set(compare=">", as_zero=True, points=320))
    changes = diff(old, new)
    assert changes.levels_changed[1]["compare"] == {"old": ">=", "new": ">"}
    (b,) = changes.criteria_changed
    assert b.code == "B" and b.fields["unanswered_as_zero"] == {"old": False, "new": True}
    assert changes.affects_scores
    only_points = diff(old, framework_from_dict(_set(points=320)))
    assert only_points.fields["points"] == {"old": None, "new": 320}
    assert not only_points.affects_scores


def test_yaml_spelling() -> None:
    fw = load_framework_text(
        """
code: y
version: "1"
name: {vi: "Y"}
points: 100
levels:
  - {code: 0, name: {vi: "0"}, min: 0}
  - {code: 1, name: {vi: "1"}, min: 50, compare: ">", min_pillars: 1, pillar_compare: ">="}
pillars:
  - code: p
    name: {vi: "P"}
    criteria:
      - code: A
        name: {vi: "A"}
        required: false
        unanswered_as_zero: true
        question: {type: boolean, text: {vi: "A?"}}
"""
    )
    assert fw.levels[1].strict and not fw.levels[1].pillar_strict
    assert fw.criteria()[0].unanswered_as_zero
    assert score(fw, {}).overall == 0.0 and score(fw, {}).pillars["p"] == 0.0
