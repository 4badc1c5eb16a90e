"""Inspection cycle of seed 003 §II.9 at its boundaries: leap days, month ends, the day after."""

from __future__ import annotations

from datetime import date

import pytest

from thuocdo.plans.domain.inspection import (
    SystemFacts,
    add_months,
    backup_321,
    inspection_overdue,
    next_inspection,
    register_shares,
)


@pytest.mark.parametrize(
    ("level", "last", "due"),
    [
        (1, date(2024, 3, 15), date(2026, 3, 15)),
        (2, date(2024, 2, 29), date(2026, 2, 28)),  # leap day, two years on: 28 February
        (3, date(2024, 2, 29), date(2025, 2, 28)),
        (4, date(2023, 2, 28), date(2024, 2, 28)),  # not moved to the leap day
        (5, date(2024, 8, 31), date(2025, 2, 28)),  # month end, six months on
        (5, date(2023, 8, 31), date(2024, 2, 29)),  # … into a leap February
        (5, date(2025, 12, 31), date(2026, 6, 30)),
        (5, date(2025, 7, 1), date(2026, 1, 1)),  # across the year
        (3, date(2025, 1, 31), date(2026, 1, 31)),
    ],
)
def test_next_inspection_by_level(level: int, last: date, due: date) -> None:
    assert next_inspection(level, last) == due


def test_overdue_from_the_day_after_and_never_inspected_is_overdue() -> None:
    last = date(2024, 2, 29)
    assert not inspection_overdue(3, last, date(2025, 2, 28))
    assert inspection_overdue(3, last, date(2025, 3, 1))
    assert not inspection_overdue(1, last, date(2026, 2, 28))
    assert inspection_overdue(1, last, date(2026, 3, 1))
    assert inspection_overdue(5, None, date(2025, 1, 1))
    assert next_inspection(5, None) is None


def test_level_outside_one_to_five_is_refused() -> None:
    for level in (0, 6):
        with pytest.raises(ValueError, match="security level must be 1–5"):
            next_inspection(level, date(2025, 1, 1))


def test_add_months_keeps_the_day_within_the_month() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)


def test_backup_321_needs_three_copies_two_media_one_offline() -> None:
    assert backup_321(3, 2, True)
    assert not backup_321(2, 2, True)
    assert not backup_321(3, 1, True)
    assert not backup_321(3, 2, False)


def test_register_shares() -> None:
    on = date(2025, 12, 31)
    systems = [
        SystemFacts(3, True, date(2025, 6, 1), date(2025, 5, 1), 3, 2, True),
        SystemFacts(5, False, date(2025, 6, 1), date(2024, 11, 1)),  # inspection overdue
        SystemFacts(1, True, None, None),
    ]
    shares = register_shares(systems, on=on)
    assert shares == {
        "approved_level": 66.7,
        "drilled": 50.0,
        "backup_321": 33.3,
        "inspected": 33.3,
    }
    assert register_shares([], on=on)["approved_level"] is None
