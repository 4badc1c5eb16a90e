import pytest

from thuocdo.indicators.domain.validation import (
    Issue,
    UnitKind,
    UnitSpec,
    has_errors,
    validate_value,
)

PERCENT = UnitSpec.from_mapping({"symbol": "%", "kind": "percent"})
COUNT = UnitSpec.from_mapping({"symbol": "doanh nghiệp", "kind": "count"})
MONEY = UnitSpec.from_mapping({"symbol": "tỷ đồng", "kind": "money"})
RATE = UnitSpec.from_mapping({"symbol": "DN/1.000 dân", "kind": "rate"})


def codes(issues: list[Issue]) -> list[str]:
    return [i.code for i in issues]


def test_percent_defaults_to_0_100() -> None:
    assert PERCENT.bounds == (0.0, 100.0)
    assert PERCENT.kind is UnitKind.PERCENT
    assert validate_value(45.5, PERCENT) == []
    assert validate_value(0, PERCENT) == []
    assert validate_value(100, PERCENT) == []


def test_share_above_100_is_an_error() -> None:
    issues = validate_value(120.0, PERCENT)
    assert codes(issues) == ["above-maximum"]
    assert has_errors(issues)
    assert "100%" in issues[0].message_vi
    assert "100%" in issues[0].message_en


def test_negative_share_is_an_error() -> None:
    issues = validate_value(-0.5, PERCENT)
    assert codes(issues) == ["negative"]
    assert "âm" in issues[0].message_vi
    assert "negative" in issues[0].message_en


@pytest.mark.parametrize("value", ["12", None, True, [1]])
def test_not_a_number(value: object) -> None:
    assert codes(validate_value(value, PERCENT)) == ["not-a-number"]


def test_not_finite() -> None:
    assert codes(validate_value(float("inf"), PERCENT)) == ["not-finite"]


def test_wrong_unit_and_kind() -> None:
    issues = validate_value(12.0, PERCENT, unit="tỷ đồng", kind="money")
    assert codes(issues) == ["unit-mismatch", "kind-mismatch"]
    assert "tỷ lệ phần trăm" in issues[1].message_vi
    assert "percentage" in issues[1].message_en
    assert validate_value(12.0, PERCENT, unit="phần trăm", kind="percent") == []
    assert validate_value(12.0, PERCENT, unit=" Percent ") == []
    assert codes(validate_value(1.0, PERCENT, kind="nonsense")) == ["kind-mismatch"]


def test_counts() -> None:
    assert codes(validate_value(3.5, COUNT)) == ["count-not-integer"]
    assert codes(validate_value(-1, COUNT)) == ["negative"]
    assert validate_value(12, COUNT) == []


def test_money_and_rate() -> None:
    issues = validate_value(-5.0, MONEY)
    assert codes(issues) == ["negative-money"]
    assert not has_errors(issues)
    assert codes(validate_value(-0.1, RATE)) == ["negative"]
    assert validate_value(0.75, RATE) == []


def test_fraction_typed_as_percent_warns_only_with_history() -> None:
    assert validate_value(0.34, PERCENT) == []  # a real small share (digital signatures 2022)
    issues = validate_value(0.45, PERCENT, previous=38.0)
    assert codes(issues) == ["looks-like-fraction"]
    assert not has_errors(issues)


def test_large_jumps_warn() -> None:
    assert codes(validate_value(80.0, PERCENT, previous=30.0)) == ["large-jump"]
    assert validate_value(45.0, PERCENT, previous=38.0) == []
    assert codes(validate_value(500.0, MONEY, previous=100.0)) == ["large-jump"]


def test_bad_unit_kind_in_definition() -> None:
    with pytest.raises(ValueError, match="Invalid unit kind"):
        UnitSpec.from_mapping({"symbol": "x", "kind": "weight"})
