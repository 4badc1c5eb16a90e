"""Pages at /plans/: scoped, no inline scripts, forms go through the same services."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from openpyxl import load_workbook

from thuocdo.plans import services
from thuocdo.plans.models import Evidence, Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(make_user: Callable[..., Any]) -> Callable[..., Client]:
    def make(**kw: Any) -> Client:
        client = Client()
        client.force_login(make_user(**kw))
        return client

    return make


def no_inline_script(html: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert " style=" not in html


def test_login_required_and_officers_only(
    make_plan: Callable[..., Plan], client_for: Callable[..., Client]
) -> None:
    plan = make_plan()
    r = Client().get(f"/plans/{plan.pk}/")
    assert r.status_code == 302
    assert "/accounts/login/" in r["Location"]
    assert client_for(role="respondent", unit="01").get("/plans/").status_code == 403


@pytest.mark.parametrize(
    "suffix", ["", "timeline/", "overdue/?on=2025-04-01", "dashboard/", "export.xlsx"]
)
def test_plan_pages_are_scoped(
    make_plan: Callable[..., Plan], client_for: Callable[..., Client], suffix: str
) -> None:
    hanoi, danang = make_plan(unit="01"), make_plan(unit="48")
    officer = client_for(role="province", unit="01")
    ok = officer.get(f"/plans/{hanoi.pk}/{suffix}")
    assert ok.status_code == 200
    if not suffix.startswith("export"):
        no_inline_script(ok.content.decode())
    assert officer.get(f"/plans/{danang.pk}/{suffix}").status_code == 404


def test_index_and_task_table_filters(
    make_plan: Callable[..., Plan], client_for: Callable[..., Client]
) -> None:
    plan = make_plan(unit="01")
    make_plan(unit="48")
    officer = client_for(role="province", unit="01")
    html = officer.get("/plans/").content.decode()
    assert plan.title in html
    assert "Đà Nẵng" not in html
    html = officer.get(f"/plans/{plan.pk}/", {"group": "11"}).content.decode()
    assert "8 nhiệm vụ" in html
    partial = officer.get(
        f"/plans/{plan.pk}/", {"lead_unit": "so-yt"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in partial
    assert "1 nhiệm vụ" in partial
    assert "Phát triển bệnh viện số" in partial


def test_timeline_and_overdue_pages(
    make_plan: Callable[..., Plan], client_for: Callable[..., Client]
) -> None:
    plan = make_plan(unit="01", year=2025)
    officer = client_for(role="province", unit="01")
    html = officer.get(f"/plans/{plan.pk}/timeline/").content.decode()
    # 1.1 runs from January to its deadline in March; 10.1 recurs all year.
    task = plan.tasks.get(code="1.1")
    assert re.search(r'class="gbar gs-1 ge-4[^"]*"[^>]*title="01/01/2025 → 30/03/2025"', html)
    assert "gbar gs-1 ge-13 recurring" in html
    assert f"/plans/tasks/{task.pk}/" in html
    html = officer.get(f"/plans/{plan.pk}/overdue/", {"on": "2025-04-01"}).content.decode()
    assert "6 nhiệm vụ quá hạn vào ngày 01/04/2025" in html
    bad = officer.get(f"/plans/{plan.pk}/overdue/", {"on": "hôm qua"}).content.decode()
    assert "không phải là ngày" in bad


def test_dashboard_shows_groups_and_percentages(
    make_plan: Callable[..., Plan], client_for: Callable[..., Client]
) -> None:
    plan = make_plan(unit="01")
    for code in ("1.1", "1.2", "1.3"):
        t = plan.tasks.get(code=code)
        services.task_update(actor=None, task=t, status="in_progress")
        services.task_update(actor=None, task=t, status="done")
    html = (
        client_for(role="province", unit="01").get(f"/plans/{plan.pk}/dashboard/").content.decode()
    )
    assert 'id="chart-data" type="application/json"' in html
    assert (
        '<tr data-group="1"><td>1. Thể chế số</td><td class="num">6</td><td class="num">3</td>'
        in html
    )
    assert 'data-percent="50"' in html
    assert "Hạ tầng số" in html
    assert 'data-kpi="percent">8%' in html  # 3 of 36


def test_national_view_compares_provinces(
    make_plan: Callable[..., Plan], client_for: Callable[..., Client]
) -> None:
    make_plan(unit="01")
    danang = make_plan(unit="48")
    t = danang.tasks.get(code="2.1")
    services.task_update(actor=None, task=t, status="in_progress")
    services.task_update(actor=None, task=t, status="done")
    html = client_for(role="ministry").get("/plans/national/", {"year": 2025}).content.decode()
    assert html.index("Thành phố Đà Nẵng") < html.index("Thành phố Hà Nội")
    only_hanoi = client_for(role="province", unit="01").get("/plans/national/").content.decode()
    assert "Đà Nẵng" not in only_hanoi


def test_task_update_form_and_department_scope(
    make_plan: Callable[..., Plan], client_for: Callable[..., Client], tmp_path: Any
) -> None:
    plan = make_plan(unit="01")
    hospital, school = plan.tasks.get(code="11.7"), plan.tasks.get(code="11.6")
    health = client_for(role="province", unit="01", department="so-yt")
    page = health.get(f"/plans/tasks/{hospital.pk}/").content.decode()
    assert "Báo cáo tiến độ" in page
    skipped = health.post(f"/plans/tasks/{hospital.pk}/", {"status": "done", "progress": ""})
    assert skipped.status_code == 422
    bad = health.post(f"/plans/tasks/{hospital.pk}/", {"status": "in_progress", "progress": "130"})
    assert bad.status_code == 422
    assert "Tiến độ phải từ 0 đến 100" in bad.content.decode()
    r = health.post(
        f"/plans/tasks/{hospital.pk}/",
        {"status": "in_progress", "progress": "35", "note": "Bệnh viện đa khoa tỉnh"},
    )
    assert r.status_code == 302
    hospital.refresh_from_db()
    assert (hospital.status, hospital.progress) == ("in_progress", 35)
    assert "Báo cáo tiến độ" not in health.get(f"/plans/tasks/{school.pk}/").content.decode()
    assert health.post(f"/plans/tasks/{school.pk}/", {"status": "in_progress"}).status_code == 403
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        health.post(
            f"/plans/tasks/{hospital.pk}/evidence/",
            {"file": SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4\n%%EOF")},
        )
        r = health.post(
            f"/plans/tasks/{hospital.pk}/evidence/",
            {"file": SimpleUploadedFile("bao-cao.exe", b"MZ")},
            follow=True,
        )
        assert "không thuộc loại được phép" in r.content.decode()
        evidence = Evidence.objects.get(task=hospital)
        download = health.get(f"/plans/evidence/{evidence.pk}/")
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == b"%PDF-1.4\n%%EOF"
        other = client_for(role="province", unit="48")
        assert other.get(f"/plans/evidence/{evidence.pk}/").status_code == 404
    assert (
        health.post(f"/plans/tasks/{school.pk}/evidence/", {"url": "https://a.vn"}).status_code
        == 403
    )


def test_wizard_page_creates_a_plan_with_reassigned_tasks(
    client_for: Callable[..., Client],
) -> None:
    officer = client_for(role="province", unit="48")
    form = {"framework": "province-dx", "unit": "48", "year": "2026"}
    preview = officer.get("/plans/new/", form).content.decode()
    assert preview.count('name="lead-') == 36
    assert "30/03/2026" in preview  # seed 002 task 1.1 (30/3/2024) in the plan year
    no_inline_script(preview)
    r = officer.post("/plans/new/", {**form, "confirm": "1", "lead-2.4": "so-tc"})
    assert r.status_code == 302
    plan = Plan.objects.get(unit__code="48", year=2026)
    assert plan.tasks.get(code="2.4").lead_unit == "so-tc"
    again = officer.post("/plans/new/", {**form, "confirm": "1"})
    assert again.status_code == 422
    assert "đã có kế hoạch" in again.content.decode()
    other = officer.get("/plans/new/", {**form, "unit": "01"})
    assert other.status_code == 422  # Hà Nội is not a choice for a Đà Nẵng officer


def test_export_and_import_buttons(
    make_plan: Callable[..., Plan], client_for: Callable[..., Client]
) -> None:
    plan = make_plan(unit="01")
    officer = client_for(role="province", unit="01")
    r = officer.get(f"/plans/{plan.pk}/export.xlsx")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    sheet = wb["Nhiệm vụ"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "1.1":
            row[header.index("Trạng thái")].value = "Hoàn thành"
    out = io.BytesIO()
    wb.save(out)
    upload = SimpleUploadedFile("kh.xlsx", out.getvalue())
    r = officer.post("/plans/import/", {"file": upload, "next": f"/plans/{plan.pk}/"}, follow=True)
    html = r.content.decode()
    assert "Dòng 2, cột “Trạng thái”" in html
    assert plan.tasks.get(code="1.1").status == "not_started"
