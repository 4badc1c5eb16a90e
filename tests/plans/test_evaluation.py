"""Evaluation of year N−1 for a province's plan of year N: every quantified target with
baseline, plan, achieved value, method, verdict and the tasks that served it; page, XLSX read
back, PDF pages rendered to images."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from openpyxl import load_workbook
from tests.pdf import pdf_pages_png, pdf_text

from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import scope_for
from thuocdo.indicators import services as indicators
from thuocdo.plans.domain.evaluation import target_verdict
from thuocdo.plans.evaluation import plan_evaluation
from thuocdo.plans.models import Plan, Task

pytestmark = pytest.mark.django_db
ADMIN = Scope(role="admin")


def test_verdicts() -> None:
    assert target_verdict(80.0, 80.0, ">=") == "met"
    assert target_verdict(79.9, 80.0, ">=") == "not_met"
    assert target_verdict(4.0, 5.0, "<=") == "met"
    assert target_verdict(None, 5.0, ">=") == "no_data"


def _setup(make_plan: Callable[..., Plan]) -> tuple[Plan, Plan, list[Task]]:
    previous = make_plan(unit="01", year=2025)
    plan = make_plan(unit="01", year=2026)
    tasks = list(previous.tasks.order_by("position")[:3])
    # the officer links the tasks to the indicators that measure them
    Task.objects.filter(pk=tasks[0].pk).update(
        indicator_code="adults-smartphone", status="done", progress=100
    )
    Task.objects.filter(pk=tasks[1].pk).update(
        indicator_code="adults-smartphone", status="in_progress", progress=60
    )
    Task.objects.filter(pk=tasks[2].pk).update(indicator_code="households-fibre")
    for code, year, value in (("adults-smartphone", 2025, 85), ("households-fibre", 2025, 95)):
        indicators.target_set(
            scope=ADMIN, actor=None, indicator_code=code, unit_code="01", year=year, value=value
        )
    indicators.target_set(
        scope=ADMIN,
        actor=None,
        indicator_code="workforce-basic-digital-skills",
        unit_code="01",
        year=2025,
        value=70,
    )
    for code, period, value in (
        ("adults-smartphone", "2024", 78.5),
        ("adults-smartphone", "2025", 86.2),
        ("households-fibre", "2024", 88),
        ("households-fibre", "2025Q4", 91.5),
    ):
        indicators.submission_submit(
            scope=ADMIN,
            actor=None,
            indicator_code=code,
            unit_code="01",
            period=period,
            value=value,
            source="Sở KH&CN",
        )
    return previous, plan, [Task.objects.get(pk=t.pk) for t in tasks]


def test_evaluation_rows(make_plan: Callable[..., Plan]) -> None:
    previous, plan, tasks = _setup(make_plan)
    ev = plan_evaluation(scope=ADMIN, plan_id=plan.pk)
    assert ev.year == 2025 and ev.source_plan == previous
    rows = {r.code: r for r in ev.rows}
    assert set(rows) == {"adults-smartphone", "households-fibre", "workforce-basic-digital-skills"}
    phone = rows["adults-smartphone"]
    assert (phone.baseline, phone.target, phone.achieved, phone.verdict) == (
        78.5,
        85.0,
        86.2,
        "met",
    )
    assert [t[0] for t in phone.tasks] == [tasks[0].code, tasks[1].code]
    assert phone.tasks[0][3] == 100 and phone.tasks[1][3] == 60
    fibre = rows["households-fibre"]
    assert (fibre.baseline, fibre.achieved, fibre.achieved_period, fibre.verdict) == (
        88.0,
        91.5,
        "2025Q4",
        "not_met",
    )
    skills = rows["workforce-basic-digital-skills"]
    assert skills.verdict == "no_data" and skills.tasks == () and skills.baseline is None
    assert ev.counts == {"met": 1, "not_met": 1, "no_data": 1}


def test_evaluation_page_xlsx_pdf(
    make_plan: Callable[..., Plan], make_user: Callable[..., Any], tmp_path: Path
) -> None:
    _previous, plan, tasks = _setup(make_plan)
    officer = make_user("province", unit="01")
    client = Client()
    client.force_login(officer)
    page = client.get(f"/plans/{plan.pk}/evaluation/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "adults-smartphone" in html and tasks[0].title_vi[:30] in html

    res = client.get(f"/plans/{plan.pk}/evaluation.xlsx")
    assert res.status_code == 200
    ws = load_workbook(io.BytesIO(res.content)).active
    assert ws is not None
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    by_code = {str(r[0]).split(":")[0]: r for r in values}
    assert by_code["adults-smartphone"][3] == 78.5
    assert by_code["adults-smartphone"][4] == ">= 85"
    assert by_code["adults-smartphone"][5] == 86.2
    assert tasks[1].code in by_code["adults-smartphone"][7]
    assert by_code["households-fibre"][5] == 91.5

    res = client.get(f"/plans/{plan.pk}/evaluation.pdf")
    assert res.status_code == 200 and res["Content-Type"] == "application/pdf"
    pdf = tmp_path / "evaluation.pdf"
    pdf.write_bytes(res.content)
    pages = pdf_pages_png(pdf, tmp_path)
    assert pages and all(p.stat().st_size > 1000 for p in pages)
    text = pdf_text(pdf)
    assert "2025" in text and "adults-smartphone" in text and "86,2" in text

    # another province's officer cannot see it
    other = make_user("province", unit="79")
    client.force_login(other)
    assert client.get(f"/plans/{plan.pk}/evaluation/").status_code == 404
    with pytest.raises(Http404):
        plan_evaluation(scope=scope_for(other), plan_id=plan.pk)
