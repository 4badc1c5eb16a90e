import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thuocdo.indicators.domain.formula import (
    MAX_DEPTH,
    FormulaCycleError,
    FormulaError,
    check_cycles,
    evaluate_all,
    evaluation_order,
    find_cycle,
    parse,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("10 / 4", 2.5),
        ("2 - 3 - 4", -5.0),
        ("16 / 4 / 2", 2.0),
        ("-2 * -3", 6.0),
        ("- (1 + 1)", -2.0),
        ("+5", 5.0),
        ("6 × 7 ÷ 2 − 1", 20.0),
        ("1.5e2 + .5", 150.5),
        ("sum(1, 2, 3)", 6.0),
        ("sum(1; 2)", 3.0),
        ("max(1, 5, 3) - min(4, 2)", 3.0),
        ("SUM(2)", 2.0),
    ],
)
def test_arithmetic(text: str, expected: float) -> None:
    result = parse(text).evaluate({})
    assert result.ok
    assert result.value == pytest.approx(expected)


def test_codes_with_hyphens_and_braces() -> None:
    f = parse("{de-share-gdp} - de-share-sector-ict * 2 + x_1 / sum(a.b, c)")
    assert f.dependencies() == {"de-share-gdp", "de-share-sector-ict", "x_1", "a.b", "c"}
    r = f.evaluate(
        {"de-share-gdp": 14.0, "de-share-sector-ict": 2.0, "x_1": 6.0, "a.b": 1.0, "c": 2.0}
    )
    assert r.value == pytest.approx(12.0)


def test_hyphen_inside_a_code_is_not_subtraction() -> None:
    assert parse("a-b").dependencies() == {"a-b"}
    assert parse("a - b").dependencies() == {"a", "b"}
    with pytest.raises(FormulaError) as info:
        parse("a-b", known_codes={"a", "b"})
    assert "a - b" in info.value.message_en
    assert "a - b" in info.value.message_vi


def test_missing_inputs_give_a_missing_result_with_reason() -> None:
    f = parse("a + b * c")
    r = f.evaluate({"a": 1.0, "b": None})
    assert r.value is None
    assert r.missing == ("b", "c")
    assert "b, c" in r.reason_vi
    assert "b, c" in r.reason_en


def test_division_by_zero_is_missing() -> None:
    r = parse("a / (b - 2)").evaluate({"a": 1.0, "b": 2.0})
    assert r.value is None
    assert "zero" in r.reason_en


@pytest.mark.parametrize(
    ("text", "fragment", "position"),
    [
        ("", "Empty formula", 0),
        ("1 +", "ends unexpectedly", 3),
        ("(1 + 2", "Missing ')'", 6),
        ("1 + 2)", "Unexpected ')'", 5),
        ("a b", "Unexpected 'b'", 2),
        ("__import__('os')", "Character not allowed", 11),
        ("open(1)", "Unsupported function", 0),
        ("sum()", "at least one argument", 0),
        ("2x", "Malformed number", 0),
        ("a ** 2", "Unexpected '*'", 3),
        ("a = 1", "Character not allowed", 2),
        ("{bad code}", "Invalid indicator code", 0),
    ],
)
def test_parse_errors(text: str, fragment: str, position: int) -> None:
    with pytest.raises(FormulaError) as info:
        parse(text)
    assert fragment in info.value.message_en
    assert info.value.message_vi
    assert info.value.position == position


def test_nesting_limit() -> None:
    with pytest.raises(FormulaError) as info:
        parse("(" * (MAX_DEPTH + 5) + "1" + ")" * (MAX_DEPTH + 5))
    assert "nested too deeply" in info.value.message_en
    assert parse("(" * 20 + "1" + ")" * 20).evaluate({}).value == 1.0
    with pytest.raises(FormulaError):
        parse("-" * 500 + "1")


def test_unknown_codes_are_reported() -> None:
    with pytest.raises(FormulaError) as info:
        parse("x + y", known_codes={"x"})
    assert "y" in info.value.message_en


def test_direct_and_indirect_cycles_are_named() -> None:
    with pytest.raises(FormulaCycleError) as info:
        check_cycles({"a": "a + 1"})
    assert info.value.cycle == ["a", "a"]
    formulas = {"a": "b + 1", "b": "c * 2", "c": "a - x", "d": "x"}
    cycle = find_cycle(formulas)
    assert cycle is not None
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"a", "b", "c"}
    with pytest.raises(FormulaCycleError) as info2:
        evaluation_order(formulas)
    assert "a → b → c → a" in info2.value.message_en
    assert "vòng tròn" in info2.value.message_vi


def test_no_cycle_through_plain_inputs() -> None:
    assert find_cycle({"total": "a + b", "share": "total / gdp * 100"}) is None


def test_evaluation_order_and_propagation() -> None:
    formulas = {
        "share": "de_va / gdp * 100",
        "de_va": "sum(core, platform, sectoral)",
        "core_part": "core / de_va * 100",
    }
    order = evaluation_order(formulas)
    assert order.index("de_va") < order.index("share")
    assert order.index("de_va") < order.index("core_part")
    ok = evaluate_all(formulas, {"core": 7.77, "platform": 0.0, "sectoral": 4.91, "gdp": 100.0})
    assert ok["share"].value == pytest.approx(12.68)
    missing = evaluate_all(formulas, {"core": 7.77, "platform": 0.0, "gdp": 100.0})
    assert missing["de_va"].missing == ("sectoral",)
    assert missing["share"].value is None
    assert missing["share"].missing == ("de_va",)


@given(
    st.lists(st.integers(min_value=-1000, max_value=1000), min_size=1, max_size=8),
)
def test_sum_matches_python(xs: list[int]) -> None:
    text = "sum(" + ", ".join(f"({x})" for x in xs) + ")"
    assert parse(text).evaluate({}).value == pytest.approx(sum(xs))


@given(st.text(max_size=40))
def test_parser_never_crashes_unexpectedly(text: str) -> None:
    with contextlib.suppress(FormulaError):
        parse(text)
