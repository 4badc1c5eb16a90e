"""Canonical dict/JSON round trip, content hash and diff between versions."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from thuocdo.frameworks.engine import (
    content_hash,
    diff,
    framework_from_dict,
    framework_to_dict,
    load_framework_file,
    load_framework_text,
)

EXAMPLE = Path(__file__).parent / "fixtures" / "valid" / "example.yaml"


def example_dict() -> dict[str, Any]:
    return framework_to_dict(load_framework_file(EXAMPLE))


def test_round_trip_and_hash_stable():
    fw = load_framework_file(EXAMPLE)
    d = framework_to_dict(fw)
    json.dumps(d)  # JSON-able
    again = framework_from_dict(json.loads(json.dumps(d)), "stored")
    assert again == fw
    assert framework_to_dict(again) == d
    assert content_hash(again) == content_hash(fw)
    assert len(content_hash(fw)) == 64


def test_hash_ignores_formatting_and_defaults():
    text = EXAMPLE.read_text(encoding="utf-8")
    reformatted = "# another comment\n" + text.replace("weight: 1\n", "weight: 1.0\n")
    assert content_hash(load_framework_text(reformatted, "b")) == content_hash(
        load_framework_file(EXAMPLE)
    )


def test_hash_changes_with_content():
    d = example_dict()
    d["pillars"][0]["criteria"][0]["question"]["options"][1]["score"] = 55
    assert content_hash(framework_from_dict(d)) != content_hash(framework_from_dict(example_dict()))


def test_diff_identical_is_empty():
    fw = load_framework_file(EXAMPLE)
    result = diff(fw, framework_from_dict(framework_to_dict(fw)))
    assert result.is_empty
    assert not result.affects_scores


def test_diff_lists_every_kind_of_change():
    old = example_dict()
    new = copy.deepcopy(old)
    new["version"] = "2025.2"
    new["pillars"][0]["weight"] = 3  # strategy
    s1 = new["pillars"][0]["criteria"][1]
    s1["weight"] = 3
    s1["target"] = 90
    s1["relevant"] = "S0 == 'yes'"
    s1["required_for_level"] = 2
    s0 = new["pillars"][0]["criteria"][0]
    s0["question"]["options"][1]["score"] = 40  # draft 50 → 40
    s0["question"]["options"].append({"code": "other", "text": {"vi": "Khác"}, "score": 10})
    c1 = new["pillars"][1]["criteria"][0]
    c1["question"]["options"] = [o for o in c1["question"]["options"] if o["code"] != "social"]
    c1["question"]["text"] = {"vi": "Kênh bán hàng số nào?", "en": "Which channels?"}
    c1["required"] = False
    new["pillars"][2]["criteria"].append(
        {"code": "O2", "name": {"vi": "Mới"}, "question": {"type": "boolean", "text": {"vi": "?"}}}
    )
    del new["pillars"][1]["criteria"][1]  # C2 removed
    new["levels"][2]["min"] = 45
    new["levels"].append({"code": 4, "name": {"vi": "Dẫn đầu"}, "min": 85})
    result = diff(framework_from_dict(old), framework_from_dict(new))
    d = result.to_dict()
    json.dumps(d)
    assert d["fields"] == {"version": {"old": "2025.1", "new": "2025.2"}}
    assert d["pillars"]["changed"] == {"strategy": {"weight": {"old": 2.0, "new": 3.0}}}
    assert d["criteria"]["added"] == ["O2"]
    assert d["criteria"]["removed"] == ["C2"]
    changed = {c["code"]: c for c in d["criteria"]["changed"]}
    assert set(changed) == {"S0", "S1", "C1"}
    assert changed["S0"]["fields"] == {}
    assert changed["S0"]["options"] == {
        "added": ["other"],
        "removed": [],
        "changed": {"draft": {"score": {"old": 50.0, "new": 40.0}}},
    }
    assert changed["S1"]["fields"] == {
        "weight": {"old": 2.0, "new": 3.0},
        "relevant": {"old": "S0 != 'no'", "new": "S0 == 'yes'"},
        "target": {"old": 80.0, "new": 90.0},
        "gate": {"old": 3, "new": 2},
    }
    assert set(changed["C1"]["fields"]) == {"required", "question_text"}
    assert changed["C1"]["options"]["removed"] == ["social"]
    assert d["levels"] == {
        "added": [4],
        "removed": [],
        "changed": {"2": {"min": {"old": 40.0, "new": 45.0}}},
    }
    assert result.affects_scores


def test_text_only_change_does_not_affect_scores():
    old = example_dict()
    new = copy.deepcopy(old)
    new["pillars"][0]["criteria"][0]["name"] = {"vi": "Tên mới", "en": "New name"}
    new["pillars"][0]["criteria"][0]["question"]["options"][0]["text"] = {"vi": "Không"}
    result = diff(framework_from_dict(old), framework_from_dict(new))
    assert not result.is_empty
    assert not result.affects_scores
    (change,) = result.criteria_changed
    assert set(change.fields) == {"name"}
    assert set(change.options.changed["no"]) == {"text"}


def test_question_type_change():
    old = example_dict()
    new = copy.deepcopy(old)
    q = new["pillars"][2]["criteria"][0]["question"]
    q["type"] = "number"
    q["thresholds"] = [{"min": 0, "score": 0}, {"min": 3, "score": 100}]
    q["min"] = 0
    result = diff(framework_from_dict(old), framework_from_dict(new))
    (change,) = result.criteria_changed
    assert change.fields["type"] == {"old": "scale", "new": "number"}
    assert "thresholds" in change.fields
    assert result.affects_scores


def test_diff_reports_criteria_reordered_within_a_pillar():
    old = example_dict()
    ops = old["pillars"][2]["criteria"]
    ops.append({**copy.deepcopy(ops[0]), "code": "O2"})
    new = copy.deepcopy(old)
    new["pillars"][2]["criteria"].reverse()
    result = diff(framework_from_dict(old), framework_from_dict(new))
    assert not result.is_empty
    assert result.pillars_changed == {
        "operations": {"order": {"old": ["O1", "O2"], "new": ["O2", "O1"]}}
    }
    assert result.criteria_changed == []
    assert result.affects_scores  # file order decides unmet ties
    # a criterion only removed is no reorder
    del new["pillars"][2]["criteria"][0]
    result = diff(framework_from_dict(old), framework_from_dict(new))
    assert result.criteria_removed == ["O2"] and result.pillars_changed == {}
