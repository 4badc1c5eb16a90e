import itertools
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thuocdo.indicators.domain.periods import (
    Period,
    PeriodError,
    PeriodKind,
    annual_period,
    parse_period,
    period_for,
    quarter_period,
    quarters_of,
)


def test_q1_spans_the_year_boundary() -> None:
    q1 = parse_period("2025Q1")
    assert q1.start == date(2024, 12, 1)
    assert q1.end == date(2025, 3, 31)
    assert q1.due == date(2025, 4, 5)
    assert q1.consolidation_due == date(2025, 4, 10)
    assert q1.months() == [(2024, 12), (2025, 1), (2025, 2), (2025, 3)]


def test_q2_carries_the_six_month_trend_assessment() -> None:
    q2 = parse_period("2025-Q2")
    assert (q2.start, q2.end) == (date(2025, 4, 1), date(2025, 6, 30))
    assert q2.due == date(2025, 7, 5)
    assert q2.consolidation_due == date(2025, 7, 10)
    assert q2.trend_assessment
    assert not parse_period("2025Q3").trend_assessment


def test_q3() -> None:
    q3 = parse_period("2025Q3")
    assert (q3.start, q3.end) == (date(2025, 7, 1), date(2025, 9, 30))
    assert (q3.due, q3.consolidation_due) == (date(2025, 10, 5), date(2025, 10, 10))


def test_q4_is_october_and_november_only() -> None:
    q4 = parse_period("2025Q4")
    assert q4.start == date(2025, 10, 1)
    assert q4.end == date(2025, 11, 30)
    assert q4.due == date(2025, 12, 5)
    assert q4.consolidation_due == date(2025, 12, 10)
    assert q4.months() == [(2025, 10), (2025, 11)]


def test_quarters_tile_the_reporting_year_without_gaps() -> None:
    qs = quarters_of(2025)
    for a, b in itertools.pairwise(qs):
        assert (b.start - a.end).days == 1
    year = annual_period(2025)
    assert (year.start, year.end) == (qs[0].start, qs[-1].end)
    assert year.kind is PeriodKind.ANNUAL
    assert (year.due, year.consolidation_due) == (date(2025, 12, 5), date(2025, 12, 10))


def test_december_belongs_to_next_years_q1() -> None:
    assert period_for(date(2024, 12, 15)).label == "2025Q1"
    assert period_for(date(2024, 12, 15), "annual").label == "2025"
    assert period_for(date(2025, 3, 31)).label == "2025Q1"
    assert period_for(date(2025, 4, 1)).label == "2025Q2"
    assert period_for(date(2025, 11, 30)).label == "2025Q4"
    assert period_for(date(2025, 12, 1)).label == "2026Q1"


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31)))
def test_every_day_is_in_exactly_one_quarter(day: date) -> None:
    p = period_for(day)
    assert p.contains(day)
    others = [q for q in quarters_of(p.year) + quarters_of(p.year + 1) if q != p]
    assert not any(q.contains(day) for q in others)


@pytest.mark.parametrize(
    "label",
    ["2025Q3", "2025-Q3", "2025 q3", "Q3/2025", "Q3-2025", "Quý III/2025", "quý 3/2025"],
)
def test_label_forms(label: str) -> None:
    p = parse_period(label)
    assert (p.year, p.quarter, p.label) == (2025, 3, "2025Q3")
    assert p.label_vi == "Quý III/2025"


def test_annual_label() -> None:
    p = parse_period("2025")
    assert p.kind is PeriodKind.ANNUAL
    assert p.quarter is None
    assert p.label_vi == "Năm 2025"


def test_configurable_deadline_and_consolidation_days() -> None:
    p = parse_period("2025Q2", deadline_day=3, consolidation_day=12)
    assert p.due == date(2025, 7, 3)
    assert p.consolidation_due == date(2025, 7, 12)
    with pytest.raises(PeriodError):
        quarter_period(2025, 1, deadline_day=31)


def test_overdue() -> None:
    q3 = parse_period("2025Q3")
    assert not q3.is_overdue(date(2025, 10, 5))
    assert q3.is_overdue(date(2025, 10, 6))


@pytest.mark.parametrize(
    ("label", "fragment_en"),
    [
        ("2025Q5", "quarter must be 1–4"),
        ("2025Q0", "quarter must be 1–4"),
        ("Quý V/2025", "quarter must be 1–4"),
        ("25Q1", "Cannot read period"),
        ("2025-13", "Cannot read period"),
        ("abc", "Cannot read period"),
        ("", "Empty period label"),
        ("   ", "Empty period label"),
        ("0999", "outside the allowed range"),
    ],
)
def test_bad_labels_have_bilingual_messages(label: str, fragment_en: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(label)
    err = info.value
    assert fragment_en in err.message_en
    assert err.message_vi
    assert err.message_vi != err.message_en
    assert err.label in (label, None)


def test_non_string_label() -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(2025)  # type: ignore[arg-type]
    assert "string" in info.value.message_en


def test_period_is_a_value_object() -> None:
    assert parse_period("2025-Q1") == parse_period("2025Q1")
    assert isinstance(parse_period("2025Q1"), Period)
