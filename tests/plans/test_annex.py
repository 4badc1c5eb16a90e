"""Annex 02 in full and seed 002's content on the tasks: implementing unit, period, KPI linked
to the matching indicator, descriptions, references to existing tools and milestones."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from thuocdo.plans.models import Plan
from thuocdo.plans.xlsx import export_plan

pytestmark = pytest.mark.django_db

TWO_YEAR = ("5.1", "5.2", "6.1", "10.2", *(f"11.{i}" for i in range(2, 9)))


def test_two_year_tasks_keep_their_period(make_plan: Callable[..., Plan]) -> None:
    plan = make_plan(framework="province-dx", unit="01", year=2024)
    tasks = {t.code: t for t in plan.tasks.filter(code__in=TWO_YEAR)}
    assert len(tasks) == 11
    for code, t in tasks.items():
        assert t.deadline == date(2025, 12, 31), code  # not 31/12/2024
        assert t.start == date(2024, 1, 1), code
        assert t.period == "2024 - 2025", code
    assert plan.tasks.get(code="1.1").period == ""


def test_seed_002_descriptions_tools_and_milestones(make_plan: Callable[..., Plan]) -> None:
    plan = make_plan(framework="province-dx", unit="01", year=2024)
    sme = plan.tasks.get(code="10.3")
    assert "doanh nghiệp nhỏ và vừa" in sme.description
    assert [r["url"] for r in sme.resources] == ["https://dbi.gov.vn", "https://smedx.vn"]
    dues = {t.code: [m["due"] for m in t.milestones] for t in plan.tasks.exclude(milestones=[])}
    assert "2024-03-30" in dues["3.2"]
    assert "2024-06-30" in dues["7.1"]
    assert "2023-12-31" in dues["10.1"]


def test_annex_02_columns_and_kpi_indicators(
    make_plan: Callable[..., Plan], client: Any, make_user: Callable[..., Any]
) -> None:
    plan = make_plan(framework="national-2023", unit=None, year=2023)
    task = plan.tasks.get(code="A.VIII.6")
    assert (task.implementing_unit, task.period) == ("Vụ KTS và XHS", "2022 - 2030")
    linked = dict(plan.tasks.exclude(kpi="").values_list("code", "indicator_code"))
    assert linked["A.II.14.1"] == "households-fibre"
    assert linked["A.VIII.2"] == "sme-digital-platform"
    assert all(linked.values()), linked
    sheet = load_workbook(io.BytesIO(export_plan(plan, list(plan.tasks.all()))))["Nhiệm vụ"]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=False)) for r in sheet.iter_rows(2, values_only=True)}
    assert rows["A.VIII.6"]["Đơn vị thực hiện"] == "Vụ KTS và XHS"
    assert rows["A.VIII.6"]["Giai đoạn"] == "2022 - 2030"
    client.force_login(make_user("ministry"))
    page = client.get(f"/plans/tasks/{task.pk}/").content.decode()
    assert "Vụ KTS và XHS" in page and "2022 - 2030" in page
    data = client.get(f"/api/v1/plans/tasks/{task.pk}").json()
    assert (data["implementing_unit"], data["period"]) == ("Vụ KTS và XHS", "2022 - 2030")


def test_seed_002_content_is_shown_on_the_task_page(
    make_plan: Callable[..., Plan], client: Any, make_user: Callable[..., Any]
) -> None:
    plan = make_plan(framework="province-dx", unit="01", year=2024)
    sme = plan.tasks.get(code="10.3")
    client.force_login(make_user("province", unit="01"))
    page = client.get(f"/plans/tasks/{sme.pk}/").content.decode()
    assert "https://dbi.gov.vn" in page and "https://smedx.vn" in page
    assert "doanh nghiệp nhỏ và vừa" in page
    two_year = plan.tasks.get(code="5.1")
    page = client.get(f"/plans/tasks/{two_year.pk}/").content.decode()
    assert "2024 - 2025" in page and "31/12/2025" in page
    milestone = plan.tasks.get(code="7.1")
    page = client.get(f"/plans/tasks/{milestone.pk}/").content.decode()
    assert "30/06/2024" in page
