"""Criteria-set validation and safe YAML loading."""

from __future__ import annotations

import tracemalloc
import unicodedata
from pathlib import Path

import pytest

from thuocdo.frameworks.engine import (
    FrameworkInvalid,
    load_framework_file,
    load_framework_text,
)
from thuocdo.frameworks.engine.messages import CATALOGUE

FIXTURES = Path(__file__).parent / "fixtures"
INVALID = FIXTURES / "invalid"
BASE = (FIXTURES / "valid" / "broken_base.yaml").read_text(encoding="utf-8")

S2 = "pillars[0].criteria[1]"
D1 = "pillars[1].criteria[0]"

# file → every (code, path) it must report, in order
EXPECTED: dict[str, list[tuple[str, str]]] = {
    "duplicate_pillar_code": [("pillar.duplicate_code", "pillars[1].code")],
    "duplicate_criterion_code": [("criterion.duplicate_code", "pillars[1].criteria[1].code")],
    "duplicate_option_code": [("option.duplicate_code", f"{S2}.question.options[1].code")],
    "duplicate_level_code": [
        ("level.duplicate_code", "levels[2].code"),
        ("gate.unknown_level", f"{D1}.required_for_level"),  # level 2 no longer exists
    ],
    "level_not_starting_at_zero": [("level.first_not_zero", "levels[0].min")],
    "level_min_not_increasing": [("level.min_not_increasing", "levels[2].min")],
    "min_pillars_too_many": [("level.min_pillars_out_of_range", "levels[2].min_pillars")],
    "negative_weight": [("weight.not_positive", f"{S2}.weight")],
    "zero_pillar_weight": [("weight.not_positive", "pillars[1].weight")],
    "option_score_out_of_range": [
        ("score.out_of_range", "pillars[0].criteria[0].question.options[1].score")
    ],
    "option_score_too_large": [
        ("number.too_large", "pillars[0].criteria[0].question.options[1].score")
    ],
    # refused while reading the YAML; the validator's "got null" for it is not repeated
    "weight_too_many_digits": [("number.too_large", f"{S2}.weight")],
    "gate_unknown_level": [("gate.unknown_level", f"{D1}.required_for_level")],
    # level 2 exists (its name is broken): D1's gate naming it is not reported as well
    "level_name_broken": [("text.missing_vi", "levels[2].name.vi")],
    "gate_level_zero": [("gate.level_zero", f"{D1}.required_for_level")],
    "unknown_reference": [("expr.unknown_reference", f"{S2}.relevant")],
    "forward_reference": [("expr.forward_reference", f"{S2}.relevant")],
    "self_reference_cycle": [("expr.self_reference", f"{S2}.relevant")],
    "condition_injection": [("expr.call_not_allowed", f"{S2}.relevant")],
    "condition_in_on_single": [("expr.in_requires_multi", f"{S2}.relevant")],
    "condition_unknown_option": [("expr.unknown_option", f"{S2}.relevant")],
    "missing_version": [("key.missing", "version")],
    "version_not_string": [("version.not_string", "version")],
    "missing_vi_name": [("text.missing_vi", "name.vi")],
    "unknown_question_type": [("question.unknown_type", "pillars[1].criteria[2].question.type")],
    "single_without_options": [
        ("question.options_missing", "pillars[0].criteria[0].question.options")
    ],
    "scale_min_not_below_max": [("question.scale_range", "pillars[1].criteria[2].question.min")],
    "number_without_thresholds": [
        ("question.thresholds_missing", "pillars[1].criteria[1].question.thresholds")
    ],
    "thresholds_not_increasing": [
        (
            "question.thresholds_not_increasing",
            "pillars[1].criteria[1].question.thresholds[1].min",
        )
    ],
    "target_out_of_range": [("target.out_of_range", f"{D1}.target")],
    "unknown_key_typo": [("key.unknown", f"{S2}.wieght")],
    "bad_set_code": [("code.bad_format", "code")],
    "bad_criterion_code": [("code.bad_format", "pillars[1].criteria[2].code")],
    "weight_is_string": [("type.wrong", f"{S2}.weight")],
    "exclusive_not_boolean": [("type.wrong", f"{S2}.question.options[1].exclusive")],
    "unquoted_yes_option_code": [
        ("type.yaml_bool", "pillars[0].criteria[0].question.options[1].code")
    ],
    "duplicate_yaml_key": [("yaml.duplicate_key", f"{S2}.weight")],
    "top_level_list": [("root.not_mapping", "")],
    "several_problems": [
        ("key.missing", "version"),
        ("score.out_of_range", "pillars[0].criteria[0].question.options[1].score"),
        ("weight.not_positive", f"{S2}.weight"),
        ("gate.unknown_level", f"{D1}.required_for_level"),
        ("question.unknown_type", "pillars[1].criteria[2].question.type"),
    ],
}


def problems_of(path: Path) -> list:
    with pytest.raises(FrameworkInvalid) as info:
        load_framework_file(path)
    return info.value.problems


def test_every_fixture_is_listed():
    assert {p.stem for p in INVALID.glob("*.yaml")} == set(EXPECTED)
    assert len(EXPECTED) >= 15


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture(name):
    path = INVALID / f"{name}.yaml"
    problems = problems_of(path)
    assert [(p.code, p.path) for p in problems] == EXPECTED[name]
    for p in problems:
        assert p.file == str(path)
        assert p.line is not None
        vi, en = p.message("vi"), p.message("en")
        assert vi
        assert en
        assert vi != en
        assert str(path) in p.format("vi")
        assert p.path in p.format("en")


def test_several_problems_reported_at_once():
    problems = problems_of(INVALID / "several_problems.yaml")
    assert len(problems) == 5
    text = str(FrameworkInvalid(problems))
    assert "5 lỗi" in text


def test_condition_problem_carries_position():
    (p,) = problems_of(INVALID / "condition_injection.yaml")
    assert p.params["position"] == 10
    assert "11" in p.message("vi")


def test_valid_fixtures_load():
    for path in (FIXTURES / "valid").glob("*.yaml"):
        fw = load_framework_file(path)
        assert fw.levels[0].code == 0


def _rejected_quickly(data: str | bytes, code: str, limit_mb: float = 64.0) -> None:
    """Refused with ``code`` before the input can grow in memory (peak traced allocation)."""
    tracemalloc.start()
    try:
        with pytest.raises(FrameworkInvalid) as info:
            load_framework_text(data, "input.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.problems[0].code == code
    assert peak < limit_mb * 1024 * 1024
    assert info.value.problems[0].message("vi")


def test_billion_laughs_rejected():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    _rejected_quickly("\n".join(lines), "yaml.alias_not_allowed", 8.0)


def test_plain_alias_and_merge_key_rejected():
    _rejected_quickly("x: &x 1\ny: *x\n", "yaml.alias_not_allowed")
    _rejected_quickly("base: {a: 1}\nother:\n  <<: {a: 2}\n", "yaml.alias_not_allowed")


def test_deep_nesting_rejected():
    _rejected_quickly("a: " + "[" * 5000 + "]" * 5000, "yaml.too_deep")
    _rejected_quickly(
        "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 80)), "yaml.too_deep"
    )


def test_too_many_nodes_rejected():
    _rejected_quickly("a: [" + "1," * 250_000 + "1]", "yaml.too_many_nodes")


def test_file_over_5_mb_rejected_before_parsing(tmp_path: Path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * (5 * 1024 * 1024) + b"\n")
    tracemalloc.start()
    try:
        (p,) = problems_of(big)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert p.code == "file.too_large"
    assert peak < 1024 * 1024  # refused by size, never read into memory
    _rejected_quickly("#" * (5 * 1024 * 1024 + 1), "file.too_large", 1.0)


def test_non_utf8_rejected():
    data = BASE.encode("windows-1258", errors="replace")
    with pytest.raises(FrameworkInvalid) as info:
        load_framework_text(data, "cp1258.yaml")
    (p,) = info.value.problems
    assert p.code == "file.not_utf8"
    assert p.line == 4  # the first non-ASCII byte is in the name, after the header comment
    assert "UTF-8" in p.message("vi")


def test_utf8_bom_stripped_and_text_nfc():
    decomposed = unicodedata.normalize("NFD", BASE)
    assert decomposed != BASE
    fw = load_framework_text(b"\xef\xbb\xbf" + decomposed.encode("utf-8"), "bom.yaml")
    assert fw.name.vi == "Bộ tiêu chí lỗi"
    assert unicodedata.is_normalized("NFC", fw.pillars[0].name.vi)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "file.empty"),
        ("# only a comment\n", "file.empty"),
        ("just a string", "root.not_mapping"),
        ("42", "root.not_mapping"),
        ("a: [1, 2", "yaml.syntax"),
        ("a: !!python/object/apply:os.system ['x']", "yaml.tag_not_allowed"),
        ("a: !!python/name:os.system ''", "yaml.syntax"),
        ("a: !!set {x, y}", "yaml.tag_not_allowed"),
        ("? [a, b]\n: 1\n", "yaml.bad_key"),
        ("a: 2025-13-45\n", "yaml.syntax"),  # a date YAML cannot build (month 13)
    ],
)
def test_wrong_top_level_and_syntax(text, code):
    with pytest.raises(FrameworkInvalid) as info:
        load_framework_text(text, "x.yaml")
    assert info.value.problems[0].code == code


def test_missing_file():
    with pytest.raises(FrameworkInvalid) as info:
        load_framework_file("/nonexistent/criteria.yaml")
    assert info.value.problems[0].code == "file.unreadable"


def test_catalogue_complete():
    for code, (vi, en) in CATALOGUE.items():
        assert vi.strip(), code
        assert en.strip(), code
