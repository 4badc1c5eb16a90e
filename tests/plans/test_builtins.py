"""Built-in frameworks are registered once and read back into the same definitions."""

from __future__ import annotations

import pytest

from thuocdo.plans import builtins
from thuocdo.plans.domain.frameworks import BUILTIN_CODES, framework_from_dict, load_builtin
from thuocdo.plans.models import Framework


@pytest.mark.django_db
def test_load_registers_the_three_frameworks_idempotently() -> None:
    # The session fixture has already loaded them once.
    assert set(Framework.objects.values_list("code", flat=True)) >= set(BUILTIN_CODES)
    before = Framework.objects.count()
    result = builtins.load()
    assert result == {"frameworks": 4, "created": 0, "updated": 0}
    assert Framework.objects.count() == before


@pytest.mark.django_db
def test_a_changed_definition_is_brought_back() -> None:
    Framework.objects.filter(code="province-dx").update(task_count=1, definition={})
    assert builtins.load()["updated"] == 1
    fw = Framework.objects.get(code="province-dx")
    assert fw.task_count == 36
    assert fw.group_count == 12
    assert framework_from_dict(fw.definition) == load_builtin("province-dx")


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_stored_definitions_round_trip(code: str) -> None:
    fw = load_builtin(code)
    assert framework_from_dict(fw.as_dict()) == fw


def test_survey_stages_are_tagged() -> None:
    stages = {
        code: {t.code: t.survey_stage for t in load_builtin(code).tasks if t.survey_stage}
        for code in BUILTIN_CODES
    }
    assert stages["province-dx"] == {"10.3": "guide"}
    sector = stages["sector-de-2025"]
    assert (sector["3.a"], sector["3.b"], sector["3.c"], sector["3.d"]) == (
        "guide",
        "pilot",
        "scale_up",
        "publish",
    )
    assert all(sector[f"7.{s}.P1"] == "publish" for s in ("a", "b", "c", "d", "dd"))
    assert set(stages["national-2023"].values()) <= {"guide", "publish"}


def test_province_dx_assigns_every_task_to_a_known_department() -> None:
    fw = load_builtin("province-dx")
    codes = {d.code for d in fw.departments}
    assert len(fw.tasks) == 36
    for task in fw.tasks:
        assert task.assignment is not None, task.code
        assert task.assignment.lead in codes, task.code
        assert set(task.assignment.coordinating) <= codes, task.code
    assert fw.department("Sở KH&CN") is not None
    assert fw.department("so khcn") is None
    assert fw.department("SỞ KHOA HỌC VÀ CÔNG NGHỆ").code == "so-khcn"  # type: ignore[union-attr]
