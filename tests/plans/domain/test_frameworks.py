"""Reading the built-in frameworks into one shape and adjusting deadlines to the plan year."""

from __future__ import annotations

from datetime import date

import pytest

from thuocdo.plans.domain.deadlines import FixedDeadline, Recurrence, parse, resolve
from thuocdo.plans.domain.frameworks import adjusted, framework_from_data, load_builtin, shift_spec


@pytest.mark.parametrize(
    ("text", "framework_year", "plan_year", "due"),
    [
        ("30/3/2024", 2024, 2025, date(2025, 3, 30)),
        ("Quý II/2025", 2025, 2026, date(2026, 6, 30)),
        ("Quý III", 2025, 2027, date(2027, 9, 30)),
        ("Tháng 2/2024", 2024, 2025, date(2025, 2, 28)),
        ("29/2/2024", 2024, 2025, date(2025, 2, 28)),
        ("2024 - 2025", 2024, 2025, date(2025, 12, 31)),  # a period covering the plan year stays
        ("2024 - 2025", 2024, 2027, date(2028, 12, 31)),
        ("trước 30/11 hằng năm", 2024, 2026, date(2026, 11, 30)),
        ("Hằng quý", 2024, 2025, date(2025, 12, 31)),
    ],
)
def test_adjusted_deadlines(text: str, framework_year: int, plan_year: int, due: date) -> None:
    spec = adjusted(text, framework_year=framework_year, plan_year=plan_year)
    assert spec is not None
    assert resolve(spec, plan_year) == due


def test_shift_keeps_recurrences_and_year_less_deadlines() -> None:
    weekly = parse("Hằng tuần")
    assert isinstance(weekly, Recurrence)
    assert shift_spec(weekly, 3) is weekly
    quarter = parse("Quý I")
    assert shift_spec(quarter, 3) is quarter
    moved = shift_spec(parse("2024 - 2025"), 1)
    assert isinstance(moved, FixedDeadline)
    assert (moved.start_year, moved.year, moved.text) == (2025, 2026, "2025 - 2026")
    assert adjusted(None, framework_year=2024, plan_year=2025) is None
    assert adjusted("  ", framework_year=2024, plan_year=2025) is None


def test_sector_assignments_merge_the_rows_of_one_task() -> None:
    fw = load_builtin("sector-de-2025")
    guide = next(t for t in fw.tasks if t.code == "3.a")
    assert guide.assignment is not None
    # Two rows in the provincial letter: all departments lead, then the science department.
    assert guide.assignment.lead == "cac-so-nganh"
    assert "so-khcn" in guide.assignment.coordinating
    unassigned = next(t for t in fw.tasks if t.code == "6.b")
    assert unassigned.assignment is not None
    assert unassigned.assignment.lead == fw.coordinator == "so-khcn"
    ministry_only = next(t for t in fw.tasks if t.code == "2.a")
    assert ministry_only.assignment is None


def test_a_minimal_framework() -> None:
    fw = framework_from_data(
        {
            "code": "thu-nghiem",
            "name": {"vi": "Khung thử nghiệm", "en": "Test framework"},
            "default_year": 2025,
            "groups": [
                {
                    "code": "A",
                    "title": {"vi": "Nhóm A", "en": "Group A"},
                    "tasks": [{"code": "A.1", "title": {"vi": "Việc một", "en": "One"}}],
                }
            ],
        }
    )
    assert fw.scope == "province"
    assert not fw.assignable
    assert [(t.code, t.group, t.deadline) for t in fw.tasks] == [("A.1", "A", None)]
