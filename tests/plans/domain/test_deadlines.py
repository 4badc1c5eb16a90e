"""Deadline grammar, due dates, occurrences and overdue detection (no Django needed)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import thuocdo
from thuocdo.plans.domain.deadlines import (
    Continuous,
    DeadlineSpec,
    DeadlineSpecError,
    FixedDeadline,
    Frequency,
    Recurrence,
    format_spec,
    is_overdue,
    month_end,
    next_due,
    occurrences,
    parse,
    quarter_end,
    quarter_label,
    quarter_of,
    quarter_start,
    resolve,
)

# --------------------------------------------------------------------------- parsing


def test_the_module_does_not_import_django() -> None:
    code = (
        "import sys, thuocdo.plans.domain.deadlines, thuocdo.plans.domain; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    src = str(Path(thuocdo.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src}
    assert subprocess.run([sys.executable, "-c", code], check=False, env=env).returncode == 0


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("2025-06-30", 2020, date(2025, 6, 30)),
        ("30/6/2025", 2020, date(2025, 6, 30)),
        ("30-06-2025", 2020, date(2025, 6, 30)),
        ("ngày 30 tháng 6 năm 2025", 2020, date(2025, 6, 30)),
        ("trước 30/6", 2025, date(2025, 6, 30)),
        ("Trước ngày 30/3/2024", 2025, date(2024, 3, 30)),
        ("Thời hạn hoàn thành: 30/5/2024.", 2025, date(2024, 5, 30)),
        ("Quý III/2025", 2020, date(2025, 9, 30)),
        ("Quý 3", 2025, date(2025, 9, 30)),
        ("Q3/2025", 2020, date(2025, 9, 30)),
        ("q3", 2024, date(2024, 9, 30)),
        ("Quý III", 2026, date(2026, 9, 30)),
        ("quy iii", 2026, date(2026, 9, 30)),
        ("QUÝ I/2025", 2020, date(2025, 3, 31)),
        ("Quý II/2023", 2020, date(2023, 6, 30)),
        ("Quý IV/2023", 2020, date(2023, 12, 31)),
        ("Quý IV", 2024, date(2024, 12, 31)),
        ("Hoàn thành trong Quý III năm 2025", 2020, date(2025, 9, 30)),
        ("Thời hạn hoàn thành: **Quý I/2025.**", 2020, date(2025, 3, 31)),
        ("Tháng 6/2025", 2020, date(2025, 6, 30)),
        ("tháng 6", 2025, date(2025, 6, 30)),
        ("Tháng 6/2024", 2020, date(2024, 6, 30)),
        ("tháng 2", 2024, date(2024, 2, 29)),
        ("tháng 2", 2025, date(2025, 2, 28)),
        ("Tháng II/2100", 2020, date(2100, 2, 28)),
        ("6 tháng đầu năm", 2025, date(2025, 6, 30)),
        ("6 tháng cuối năm", 2025, date(2025, 12, 31)),
        ("nửa đầu năm 2026", 2020, date(2026, 6, 30)),
        ("năm 2025", 2020, date(2025, 12, 31)),
        ("Năm 2024", 2020, date(2024, 12, 31)),
        ("Trong năm 2025", 2020, date(2025, 12, 31)),
        ("2025", 2020, date(2025, 12, 31)),
        ("Cả năm", 2023, date(2023, 12, 31)),
        ("cuối năm", 2023, date(2023, 12, 31)),
        ("đến hết năm 2023", 2020, date(2023, 12, 31)),
        ("cuối Quý II/2025", 2020, date(2025, 6, 30)),
        ("chậm nhất cuối tháng 2", 2024, date(2024, 2, 29)),
        ("2024 - 2025", 2020, date(2025, 12, 31)),
        ("2024 – 2025", 2020, date(2025, 12, 31)),
        ("2022 -2030", 2020, date(2030, 12, 31)),
        ("Giai đoạn 2022-2025", 2020, date(2025, 12, 31)),
        ("truoc 30/6", 2025, date(2025, 6, 30)),
        ("\u0051\u0075\u0079\u0301 III/2025", 2020, date(2025, 9, 30)),  # decomposed "Quý"
    ],
)
def test_one_off_deadlines_resolve(text: str, year: int, expected: date) -> None:
    spec = parse(text)
    assert isinstance(spec, FixedDeadline)
    assert resolve(spec, year) == expected
    assert resolve(text, year) == expected


def test_a_year_written_in_the_spec_wins_over_the_plan_year() -> None:
    assert resolve("30/3/2024", 2025) == date(2024, 3, 30)
    with_year, without_year = parse("30/3/2024"), parse("30/3")
    assert isinstance(with_year, FixedDeadline)
    assert isinstance(without_year, FixedDeadline)
    assert with_year.needs_year is False
    assert without_year.needs_year is True


def test_period_keeps_its_start_year() -> None:
    spec = parse("2024 - 2025")
    assert isinstance(spec, FixedDeadline)
    assert (spec.start_year, spec.year) == (2024, 2025)


def test_a_year_less_spec_without_a_year_is_an_error() -> None:
    spec = parse("Quý III")
    assert isinstance(spec, FixedDeadline)
    with pytest.raises(DeadlineSpecError, match="không có năm"):
        spec.due()


def test_year_less_29_february_falls_on_28_february_in_common_years() -> None:
    assert resolve("29/2", 2024) == date(2024, 2, 29)
    assert resolve("29/2", 2025) == date(2025, 2, 28)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hằng năm", Recurrence("yearly", 12, None)),
        ("hàng năm", Recurrence("yearly", 12, None)),
        ("HANG NAM", Recurrence("yearly", 12, None)),
        ("Định kỳ hằng năm", Recurrence("yearly", 12, None)),
        ("Quý IV hàng năm", Recurrence("yearly", 12, None)),
        ("Quý IV hằng năm", Recurrence("yearly", 12, None)),
        ("trước ngày 30 tháng 11 hàng năm", Recurrence("yearly", 11, 30)),
        ("trước 30/3 hằng năm", Recurrence("yearly", 3, 30)),
        ("tháng 3 hằng năm", Recurrence("yearly", 3, None)),
        ("Hằng quý", Recurrence("quarterly")),
        ("hàng quý", Recurrence("quarterly")),
        ("theo quý", Recurrence("quarterly")),
        ("6 tháng một lần", Recurrence("semiannual")),
        ("Định kỳ 6 tháng", Recurrence("semiannual")),
        ("hằng tháng", Recurrence("monthly")),
        ("ngày 25 hằng tháng", Recurrence("monthly", day=25)),
        ("hằng tuần", Recurrence("weekly", weekday=6)),
        ("Hàng tuần", Recurrence("weekly", weekday=6)),
        ("thứ 6 hằng tuần", Recurrence("weekly", weekday=4)),
        ("Hằng tuần (thứ Hai)", Recurrence("weekly", weekday=0)),
        ("chủ nhật hằng tuần", Recurrence("weekly", weekday=6)),
        ("Thường xuyên", Continuous()),
        ("thường xuyên, liên tục", Continuous()),
    ],
)
def test_recurring_and_continuous_specs(text: str, expected: DeadlineSpec) -> None:
    assert parse(text) == expected


def test_configured_yearly_day() -> None:
    assert parse("Hằng năm", yearly_default=(11, 30)) == Recurrence("yearly", 11, 30)
    assert resolve(parse("Hằng năm", yearly_default=(11, 30)), 2025) == date(2025, 11, 30)


def test_text_is_kept_but_not_compared() -> None:
    spec = parse("  Quý III/2025 ")
    assert spec.text == "Quý III/2025"
    assert spec == parse("Q3/2025")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("abc", 'Không hiểu thời hạn "abc"'),
        ("abc", 'Unrecognised deadline "abc"'),
        ("Theo kế hoạch chi tiết của cơ quan chủ quản", "Không hiểu thời hạn"),
        ("Quý V/2025", "số quý phải từ 1 đến 4"),
        ("Quý 0", "the quarter must be 1 to 4"),
        ("Tháng 13/2025", "tháng phải từ 1 đến 12"),
        ("31/2/2025", "ngày 31/2 không tồn tại trong năm 2025"),
        ("29/2/2025", "does not exist in 2025"),
        ("30/2", "ngày 30/2 không tồn tại"),
        ("32/1", "ngày 32/1 không tồn tại"),
        ("2026 - 2025", "năm bắt đầu 2026 sau năm kết thúc 2025"),
        ("Hằng năm 2025", "không ghi kèm năm cụ thể"),
        ("hằng quý hằng năm", "nhiều chu kỳ"),
        ("hằng quý ngày 5", "Không hiểu thời hạn"),
        ("năm 1200", "nằm ngoài khoảng"),
        ("", "Thời hạn trống"),
        ("   ", "Empty deadline"),
    ],
)
def test_rejections_name_the_text(text: str, fragment: str) -> None:
    with pytest.raises(DeadlineSpecError) as info:
        parse(text)
    assert fragment in str(info.value)
    assert info.value.message_vi in str(info.value)
    assert info.value.message_en in str(info.value)
    assert isinstance(info.value, ValueError)


def test_rejection_message_is_vietnamese_then_english() -> None:
    with pytest.raises(DeadlineSpecError) as info:
        parse("sớm nhất có thể")
    vi, en = str(info.value).split(" / ", 1)
    assert vi.startswith('Không hiểu thời hạn "sớm nhất có thể"')
    assert en.startswith('Unrecognised deadline "sớm nhất có thể"')


# --------------------------------------------------------------------------- quarters


@pytest.mark.parametrize(
    ("year", "q", "start", "end"),
    [
        (2025, 1, date(2025, 1, 1), date(2025, 3, 31)),
        (2025, 2, date(2025, 4, 1), date(2025, 6, 30)),
        (2025, 3, date(2025, 7, 1), date(2025, 9, 30)),
        (2025, 4, date(2025, 10, 1), date(2025, 12, 31)),
    ],
)
def test_quarter_bounds(year: int, q: int, start: date, end: date) -> None:
    assert quarter_start(year, q) == start
    assert quarter_end(year, q) == end


@pytest.mark.parametrize("q", [0, 5, -1])
def test_quarter_end_rejects_bad_quarters(q: int) -> None:
    with pytest.raises(ValueError, match="Quý phải từ 1 đến 4"):
        quarter_end(2025, q)


@pytest.mark.parametrize(
    ("d", "label"),
    [
        (date(2025, 1, 1), "Quý I/2025"),
        (date(2025, 6, 30), "Quý II/2025"),
        (date(2025, 7, 1), "Quý III/2025"),
        (date(2025, 9, 30), "Quý III/2025"),
        (date(2024, 12, 31), "Quý IV/2024"),
    ],
)
def test_quarter_label(d: date, label: str) -> None:
    assert quarter_label(d) == label
    assert parse(label) == FixedDeadline("quarter", 3 * quarter_of(d), None, d.year)


def test_month_end_in_february() -> None:
    assert month_end(2024, 2) == date(2024, 2, 29)
    assert month_end(2023, 2) == date(2023, 2, 28)
    assert month_end(2000, 2) == date(2000, 2, 29)
    assert month_end(1900, 2) == date(1900, 2, 28)


# --------------------------------------------------------------------------- recurrences


def test_quarterly_occurrences_are_quarter_ends() -> None:
    assert occurrences("Hằng quý", date(2025, 1, 1), date(2025, 12, 31)) == [
        date(2025, 3, 31),
        date(2025, 6, 30),
        date(2025, 9, 30),
        date(2025, 12, 31),
    ]


def test_monthly_occurrences_in_february() -> None:
    assert occurrences("Hằng tháng", date(2024, 1, 15), date(2024, 3, 31)) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
    ]
    assert occurrences("ngày 30 hằng tháng", date(2025, 2, 1), date(2025, 3, 31)) == [
        date(2025, 2, 28),
        date(2025, 3, 30),
    ]
    assert occurrences("ngày 30 hằng tháng", date(2024, 2, 1), date(2024, 2, 29)) == [
        date(2024, 2, 29)
    ]


def test_yearly_occurrences() -> None:
    assert occurrences("Hằng năm", date(2023, 6, 1), date(2025, 12, 31)) == [
        date(2023, 12, 31),
        date(2024, 12, 31),
        date(2025, 12, 31),
    ]
    assert occurrences("trước 30/11 hằng năm", date(2024, 12, 1), date(2026, 1, 1)) == [
        date(2025, 11, 30)
    ]
    assert occurrences("29/2 hằng năm", date(2023, 1, 1), date(2025, 12, 31)) == [
        date(2023, 2, 28),
        date(2024, 2, 29),
        date(2025, 2, 28),
    ]


def test_semiannual_and_weekly_occurrences() -> None:
    assert occurrences("6 tháng một lần", date(2025, 1, 1), date(2025, 12, 31)) == [
        date(2025, 6, 30),
        date(2025, 12, 31),
    ]
    # 1 Jan 2025 is a Wednesday; the Sundays of January 2025 are 5, 12, 19, 26.
    assert occurrences("Hằng tuần", date(2025, 1, 1), date(2025, 1, 31)) == [
        date(2025, 1, 5),
        date(2025, 1, 12),
        date(2025, 1, 19),
        date(2025, 1, 26),
    ]
    assert occurrences("thứ 6 hằng tuần", date(2025, 1, 1), date(2025, 1, 10)) == [
        date(2025, 1, 3),
        date(2025, 1, 10),
    ]


def test_occurrences_of_one_off_and_continuous_specs() -> None:
    assert occurrences("Quý III/2025", date(2025, 1, 1), date(2025, 12, 31)) == [date(2025, 9, 30)]
    assert occurrences("Quý III/2025", date(2026, 1, 1), date(2026, 12, 31)) == []
    assert occurrences("Quý III", date(2026, 1, 1), date(2026, 12, 31)) == [date(2026, 9, 30)]
    assert occurrences("Thường xuyên", date(2025, 5, 1), date(2025, 12, 31)) == [
        date(2025, 6, 30),
        date(2025, 9, 30),
        date(2025, 12, 31),
    ]
    assert occurrences("Hằng quý", date(2025, 12, 31), date(2025, 1, 1)) == []


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("Hằng năm", 2025, date(2025, 12, 31)),
        ("Quý IV hằng năm", 2024, date(2024, 12, 31)),
        ("trước 30/11 hằng năm", 2025, date(2025, 11, 30)),
        ("Hằng quý", 2025, date(2025, 12, 31)),
        ("Hằng tháng", 2025, date(2025, 12, 31)),
        ("6 tháng một lần", 2025, date(2025, 12, 31)),
        ("Hằng tuần", 2025, date(2025, 12, 28)),
        ("29/2 hằng năm", 2024, date(2024, 2, 29)),
        ("29/2 hằng năm", 2025, date(2025, 2, 28)),
    ],
)
def test_resolve_recurrence_is_last_occurrence_in_year(
    text: str, year: int, expected: date
) -> None:
    assert resolve(text, year) == expected


def test_continuous_work_has_no_deadline() -> None:
    assert resolve("Thường xuyên", 2025) is None


@pytest.mark.parametrize(
    ("text", "on", "start", "expected"),
    [
        ("Hằng quý", date(2025, 4, 1), None, date(2025, 6, 30)),
        ("Hằng quý", date(2025, 6, 30), None, date(2025, 6, 30)),
        ("Hằng quý", date(2025, 1, 1), date(2025, 7, 15), date(2025, 9, 30)),
        ("Hằng tháng", date(2024, 2, 1), None, date(2024, 2, 29)),
        ("Hằng năm", date(2025, 12, 31), None, date(2025, 12, 31)),
        ("Hằng năm", date(2026, 1, 1), None, date(2026, 12, 31)),
        ("Thường xuyên", date(2025, 8, 1), None, date(2025, 9, 30)),
        ("Quý III/2025", date(2025, 9, 30), None, date(2025, 9, 30)),
        ("Quý III/2025", date(2025, 10, 1), None, None),
        ("Quý III", date(2025, 2, 1), date(2026, 1, 1), date(2026, 9, 30)),
        ("trước 30/6", date(2025, 2, 1), None, date(2025, 6, 30)),
    ],
)
def test_next_due(text: str, on: date, start: date | None, expected: date | None) -> None:
    assert next_due(text, on, start) == expected


# --------------------------------------------------------------------------- overdue


@pytest.mark.parametrize(
    ("deadline", "status", "on", "expected"),
    [
        ("Quý III/2025", "in_progress", date(2025, 9, 30), False),  # the due day itself
        ("Quý III/2025", "in_progress", date(2025, 10, 1), True),
        ("Quý III/2025", "not_started", date(2026, 3, 1), True),
        ("Quý III/2025", "done", date(2026, 3, 1), False),
        ("Quý III/2025", "cancelled", date(2026, 3, 1), False),
        ("Quý III/2025", "DONE", date(2026, 3, 1), False),
        (date(2025, 6, 30), "in_progress", date(2025, 7, 1), True),
        (date(2025, 6, 30), "in_progress", date(2025, 6, 30), False),
        ("2024 - 2025", "in_progress", date(2025, 12, 31), False),
        ("2024 - 2025", "in_progress", date(2026, 1, 1), True),
        (None, "in_progress", date(2030, 1, 1), False),
    ],
)
def test_one_off_overdue(
    deadline: str | date | None, status: str, on: date, expected: bool
) -> None:
    assert is_overdue(deadline, status, on) is expected


def test_one_off_overdue_ignores_reports() -> None:
    assert is_overdue("30/6/2024", "in_progress", date(2024, 7, 1), date(2024, 6, 29)) is True


def test_year_less_one_off_uses_the_plan_year() -> None:
    # In a 2025 plan "Quý III" is due 30/9/2025; on 5/1/2026 it is overdue.
    assert is_overdue("Quý III", "in_progress", date(2026, 1, 5), year=2025) is True
    assert is_overdue("Quý III", "in_progress", date(2026, 1, 5), start=date(2025, 1, 1)) is True
    # Without a plan year, the year of `on` is used.
    assert is_overdue("Quý III", "in_progress", date(2026, 1, 5)) is False


@pytest.mark.parametrize(
    ("on", "last_report", "expected"),
    [
        # Q1 (due 31/3) reported on 28/3: fine until Q2's due date has passed.
        (date(2025, 4, 15), date(2025, 3, 28), False),
        (date(2025, 6, 30), date(2025, 3, 28), False),
        (date(2025, 7, 1), date(2025, 3, 28), True),
        # Reported on the due day of Q1 itself: that covers Q1, not Q2.
        (date(2025, 4, 1), date(2025, 3, 31), False),
        (date(2025, 7, 1), date(2025, 3, 31), True),
        # A report during Q2 covers Q2.
        (date(2025, 7, 1), date(2025, 4, 1), False),
        (date(2025, 7, 1), date(2025, 6, 30), False),
        # A late report (after the due date) clears the flag.
        (date(2025, 7, 10), date(2025, 7, 5), False),
        # Never reported.
        (date(2025, 4, 1), None, True),
        (date(2025, 3, 31), None, True),  # Q4/2024 (31/12) passed without a report
    ],
)
def test_quarterly_overdue(on: date, last_report: date | None, expected: bool) -> None:
    assert is_overdue("Hằng quý", "in_progress", on, last_report) is expected


def test_recurring_tasks_respect_their_start() -> None:
    start = date(2025, 4, 10)
    # Nothing has come due since the start yet.
    assert is_overdue("Hằng quý", "in_progress", date(2025, 6, 30), None, start=start) is False
    # 30/6 passed with no report since the start.
    assert is_overdue("Hằng quý", "in_progress", date(2025, 7, 1), None, start=start) is True
    # A report on the start day covers the first period.
    assert is_overdue("Hằng quý", "in_progress", date(2025, 7, 1), start, start=start) is False
    # An older report from before the start does not.
    assert (
        is_overdue("Hằng quý", "in_progress", date(2025, 7, 1), date(2025, 4, 9), start=start)
        is True
    )


def test_yearly_and_weekly_overdue() -> None:
    spec = "trước 30/11 hằng năm"
    assert is_overdue(spec, "in_progress", date(2025, 11, 30), date(2024, 11, 20)) is False
    assert is_overdue(spec, "in_progress", date(2025, 12, 1), date(2024, 11, 20)) is True
    assert is_overdue(spec, "in_progress", date(2025, 12, 1), date(2024, 12, 1)) is False
    # Weekly on Sundays: Sunday 12/1/2025 passed; last report on Sunday 5/1 covers only the
    # week that ended then.
    assert is_overdue("Hằng tuần", "in_progress", date(2025, 1, 13), date(2025, 1, 5)) is True
    assert is_overdue("Hằng tuần", "in_progress", date(2025, 1, 13), date(2025, 1, 6)) is False


def test_monthly_overdue_in_february() -> None:
    # Due 29/2/2024; on 1/3 the February report must be dated after 31/1.
    assert is_overdue("Hằng tháng", "open", date(2024, 3, 1), date(2024, 2, 10)) is False
    assert is_overdue("Hằng tháng", "open", date(2024, 3, 1), date(2024, 1, 31)) is True
    assert is_overdue("Hằng tháng", "open", date(2024, 2, 29), date(2024, 1, 31)) is False


def test_continuous_tasks_are_only_overdue_for_a_missing_quarterly_report() -> None:
    assert is_overdue("Thường xuyên", "in_progress", date(2025, 7, 1), date(2025, 5, 2)) is False
    assert is_overdue("Thường xuyên", "in_progress", date(2025, 7, 1), date(2025, 3, 31)) is True
    assert is_overdue("Thường xuyên", "done", date(2025, 7, 1), None) is False


def test_closed_recurring_tasks_are_never_overdue() -> None:
    assert is_overdue("Hằng quý", "done", date(2025, 7, 1), None) is False
    assert is_overdue("Hằng quý", " cancelled ", date(2025, 7, 1), None) is False


# --------------------------------------------------------------------------- properties

_years = st.integers(min_value=1990, max_value=2100)
_dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


@st.composite
def _specs(draw: st.DrawFn) -> DeadlineSpec:
    kind = draw(st.sampled_from(["day", "month", "quarter", "half", "year", "range", "rec", "c"]))
    year = draw(st.none() | _years)
    if kind == "day":
        month = draw(st.integers(1, 12))
        longest = month_end(year or 2000, month).day
        return FixedDeadline("day", month, draw(st.integers(1, longest)), year)
    if kind == "month":
        return FixedDeadline("month", draw(st.integers(1, 12)), None, year)
    if kind == "quarter":
        return FixedDeadline("quarter", 3 * draw(st.integers(1, 4)), None, year)
    if kind == "half":
        return FixedDeadline("half", draw(st.sampled_from([6, 12])), None, year)
    if kind == "year":
        return FixedDeadline("year", 12, None, year)
    if kind == "range":
        first = draw(_years)
        return FixedDeadline("year", 12, None, draw(st.integers(first, 2100)), start_year=first)
    if kind == "c":
        return Continuous()
    freq: Frequency = draw(
        st.sampled_from(["weekly", "monthly", "quarterly", "semiannual", "yearly"])
    )
    if freq == "weekly":
        return Recurrence("weekly", weekday=draw(st.integers(0, 6)))
    if freq == "monthly":
        return Recurrence("monthly", day=draw(st.none() | st.integers(1, 31)))
    if freq == "yearly":
        month = draw(st.integers(1, 12))
        day = draw(st.none() | st.integers(1, month_end(2000, month).day))
        if month == 12 and day is None:
            return Recurrence("yearly", 12, None)
        return Recurrence("yearly", month, day)
    return Recurrence(freq)


@given(_specs())
def test_format_then_parse_round_trips(spec: DeadlineSpec) -> None:
    assert parse(format_spec(spec)) == spec


@given(_dates)
def test_quarter_end_contains_the_date(d: date) -> None:
    end = quarter_end(d.year, quarter_of(d))
    assert quarter_start(d.year, quarter_of(d)) <= d <= end
    assert (end + timedelta(days=1)).month in {1, 4, 7, 10}
    label = parse(quarter_label(d))
    assert isinstance(label, FixedDeadline)
    assert label.due() == end


@given(_specs(), _dates, st.integers(min_value=0, max_value=800))
def test_occurrences_are_sorted_within_range_and_match_next_due(
    spec: DeadlineSpec, start: date, length: int
) -> None:
    end = start + timedelta(days=length)
    found = occurrences(spec, start, end)
    assert found == sorted(set(found))
    assert all(start <= d <= end for d in found)
    if not isinstance(spec, FixedDeadline):
        first = next_due(spec, start)
        assert first is not None
        assert (found[0] if found else None) in {first, None}
        if found:
            assert found[0] == first
        else:
            assert first > end


@given(_specs(), _years)
def test_resolve_of_recurrences_lies_in_the_year(spec: DeadlineSpec, year: int) -> None:
    due = resolve(spec, year)
    if isinstance(spec, Continuous):
        assert due is None
    elif isinstance(spec, Recurrence):
        assert due is not None
        assert due.year == year
        assert occurrences(spec, date(year, 1, 1), date(year, 12, 31))[-1] == due
    else:
        assert due == spec.due(year)


@given(_specs(), _dates, st.none() | _dates, st.sampled_from(["done", "cancelled"]))
def test_closed_tasks_are_never_overdue(
    spec: DeadlineSpec, on: date, last_report: date | None, status: str
) -> None:
    assert is_overdue(spec, status, on, last_report) is False


@given(st.sampled_from(["Hằng quý", "Hằng tháng", "Hằng năm", "Hằng tuần"]), _dates)
def test_a_report_on_the_day_is_never_overdue(text: str, on: date) -> None:
    assert is_overdue(text, "in_progress", on, on) is False
