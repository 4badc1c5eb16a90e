"""/api/v1/plans: scoped reads, updates through the workflow, evidence, overdue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from thuocdo.plans.models import Evidence, Plan

pytestmark = pytest.mark.django_db

API = "/api/v1/plans"


class Api:
    def __init__(self, token: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(API + path, params, headers=self.headers)

    def post(self, path: str, data: Any) -> Any:
        return self.client.post(
            API + path, data, content_type="application/json", headers=self.headers
        )

    def patch(self, path: str, data: Any) -> Any:
        return self.client.patch(
            API + path, data, content_type="application/json", headers=self.headers
        )

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(API + path, data, headers=self.headers)


@pytest.fixture
def api_for(make_user: Callable[..., Any], token_for: Callable[[Any], str]) -> Callable[..., Api]:
    def make(**kw: Any) -> Api:
        return Api(token_for(make_user(**kw)))

    return make


def test_anonymous_and_respondents_are_refused(
    make_plan: Callable[..., Plan], api_for: Callable[..., Api]
) -> None:
    make_plan()
    assert Client().get(API + "/plans").status_code == 401
    assert api_for(role="respondent", unit="01").get("/plans").status_code == 403


def test_plans_are_scoped(make_plan: Callable[..., Plan], api_for: Callable[..., Api]) -> None:
    hanoi, danang = make_plan(unit="01"), make_plan(unit="48")
    officer = api_for(role="province", unit="01")
    data = officer.get("/plans").json()
    assert [p["id"] for p in data] == [hanoi.pk]
    assert data[0]["tasks"] == 36
    assert officer.get(f"/plans/{danang.pk}").status_code == 404
    detail = officer.get(f"/plans/{hanoi.pk}").json()
    assert len(detail["groups"]) == 12
    assert detail["completion"]["total"] == 36
    ministry = api_for(role="ministry")
    assert {p["id"] for p in ministry.get("/plans").json()} == {hanoi.pk, danang.pk}


def test_task_list_filters_and_pages(
    make_plan: Callable[..., Plan], api_for: Callable[..., Api]
) -> None:
    plan = make_plan(unit="01")
    make_plan(unit="48")
    officer = api_for(role="province", unit="01")
    page = officer.get("/tasks", limit=10, offset=0).json()
    assert page["count"] == 36
    assert len(page["items"]) == 10
    rest = officer.get("/tasks", limit=10, offset=30).json()
    assert [t["code"] for t in rest["items"]] == ["11.4", "11.5", "11.6", "11.7", "11.8", "12.1"]
    group = officer.get("/tasks", plan=plan.pk, group="11").json()
    assert group["count"] == 8
    led = officer.get("/tasks", lead_unit="so-yt").json()
    assert [t["code"] for t in led["items"]] == ["11.7"]
    assert officer.get("/tasks", limit=1000).status_code == 422


def test_update_follows_workflow_and_scope(
    make_plan: Callable[..., Plan], api_for: Callable[..., Api]
) -> None:
    plan = make_plan(unit="01")
    hospital = plan.tasks.get(code="11.7")
    school = plan.tasks.get(code="11.6")
    health = api_for(role="province", unit="01", department="so-yt")
    skipped = health.patch(f"/tasks/{hospital.pk}", {"status": "done"})
    assert skipped.status_code == 422
    body = skipped.json()
    assert body["errors"][0]["field"] == "status"
    assert "Chưa bắt đầu" in body["errors"][0]["message"]
    bad = health.patch(f"/tasks/{hospital.pk}", {"status": "in_progress", "progress": 120})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "progress"
    ok = health.patch(f"/tasks/{hospital.pk}", {"status": "in_progress", "progress": 45})
    assert ok.status_code == 200
    detail = ok.json()
    assert (detail["status"], detail["progress"], detail["can_edit"]) == ("in_progress", 45, True)
    assert detail["updates"][0]["status_to"] == "in_progress"
    refused = health.patch(f"/tasks/{school.pk}", {"progress": 10})
    assert refused.status_code == 403
    assert "đơn vị mình chủ trì" in refused.json()["detail"]
    other = api_for(role="province", unit="48")
    assert other.patch(f"/tasks/{school.pk}", {"progress": 10}).status_code == 404
    school.refresh_from_db()
    assert school.progress == 0


def test_evidence_upload_and_links(
    make_plan: Callable[..., Plan], api_for: Callable[..., Api], tmp_path: Any
) -> None:
    plan = make_plan(unit="01")
    t = plan.tasks.get(code="6.2")
    officer = api_for(role="province", unit="01")
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        pdf = SimpleUploadedFile("du-lieu-mo.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf")
        r = officer.upload(f"/tasks/{t.pk}/evidence", {"file": pdf, "title": "Danh mục"})
        assert r.status_code == 201, r.content
        assert r.json()["name"] == "du-lieu-mo.pdf"
        exe = SimpleUploadedFile("x.exe", b"MZ\x00\x00", "application/octet-stream")
        r = officer.upload(f"/tasks/{t.pk}/evidence", {"file": exe})
        assert r.status_code == 422
        assert "x.exe" in r.json()["errors"][0]["message"]
    r = officer.post(f"/tasks/{t.pk}/links", {"url": "https://opendata.hanoi.gov.vn"})
    assert r.status_code == 201
    r = officer.post(f"/tasks/{t.pk}/links", {"url": "javascript:alert(1)"})
    assert r.status_code == 422
    assert Evidence.objects.filter(task=t).count() == 2
    detail = officer.get(f"/tasks/{t.pk}").json()
    assert len(detail["evidence"]) == 2
    assert detail["indicator"] is None


def test_instantiate_and_overdue(api_for: Callable[..., Api]) -> None:
    officer = api_for(role="province", unit="48")
    r = officer.post("/plans", {"framework": "province-dx", "unit": "48", "year": 2025})
    assert r.status_code == 201, r.content
    assert r.json()["tasks"] == 36
    again = officer.post("/plans", {"framework": "province-dx", "unit": "48", "year": 2025})
    assert again.status_code == 422
    assert (
        officer.post("/plans", {"framework": "province-dx", "unit": "01", "year": 2025}).status_code
        == 403
    )
    unknown = officer.post(
        "/plans",
        {"framework": "province-dx", "unit": "48", "year": 2026, "assignments": {"1.1": "xx"}},
    )
    assert unknown.status_code == 422
    assert "xx" in unknown.json()["errors"][0]["message"]
    late = officer.get("/overdue", on="2025-04-01").json()
    assert {t["code"] for t in late} == {"1.1", "1.2", "1.3", "1.4", "4.1", "10.1"}
    assert officer.get("/overdue", on="01-04-2025").status_code == 422
    assert api_for(role="province", unit="01").get("/overdue", on="2025-04-01").json() == []


def test_a_task_is_linked_to_an_indicator(
    make_plan: Callable[..., Plan], api_for: Callable[..., Api]
) -> None:
    plan = make_plan(unit="01")
    t = plan.tasks.get(code="11.7")  # led by so-yt
    officer = api_for(role="province", unit="01")
    unknown = officer.patch(f"/tasks/{t.pk}", {"indicator_code": "khong-co"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "indicator_code"
    assert "khong-co" in unknown.json()["errors"][0]["message"]
    health = api_for(role="province", unit="01", department="so-yt")
    assert health.patch(f"/tasks/{t.pk}", {"indicator_code": "de-share-gdp"}).status_code == 403
    ok = officer.patch(f"/tasks/{t.pk}", {"indicator_code": "de-share-gdp"})
    assert ok.status_code == 200, ok.content
    assert ok.json()["indicator_code"] == "de-share-gdp"
    t.refresh_from_db()
    assert t.indicator_code == "de-share-gdp"
    assert t.updates.first().changes == {"indicator_code": ["", "de-share-gdp"]}
    cleared = officer.patch(f"/tasks/{t.pk}", {"indicator_code": ""})
    assert cleared.json()["indicator_code"] == ""


def test_life_cycle_and_register_through_the_api(
    make_plan: Callable[..., Plan], api_for: Callable[..., Api]
) -> None:
    plan = make_plan(unit="48", framework="plan-2025")
    api = api_for(role="province", unit="48")
    wrong = api.post(f"/plans/{plan.pk}/send", {})
    assert wrong.status_code == 422 and "Bản nháp" in str(wrong.json()["errors"])
    ok = api.post(
        f"/plans/{plan.pk}/approve", {"decision_number": "5/QĐ-UBND", "decision_date": "2025-01-06"}
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["stage"] == "approved"
    assert api.post(f"/plans/{plan.pk}/send", {}).json()["stage"] == "sent"
    made = api.post(
        "/systems",
        {
            "unit": "48",
            "name": "Cổng DVC",
            "agency_name": "VP UBND",
            "security_level": 5,
            "last_inspection": "2024-08-31",
        },
    )
    assert made.status_code == 201, made.content
    assert made.json()["next_inspection"] == "2025-02-28"
    bad = api.post("/systems", {"unit": "48", "name": "X", "agency_name": "Y", "security_level": 9})
    assert bad.status_code == 422 and "1 đến 5" in str(bad.json()["errors"])
    assert [s["name"] for s in api.get("/systems", overdue_on="2025-03-01").json()] == ["Cổng DVC"]
    assert api.get("/systems", overdue_on="2025-02-28").json() == []
    other = api_for(role="province", unit="01")
    assert other.get("/systems").json() == []
    assert other.post(f"/plans/{plan.pk}/evaluate", {}).status_code == 404


def test_ministry_edits_tasks_of_national_plans_not_of_provinces(
    make_plan: Callable[..., Plan], api_for: Callable[..., Api]
) -> None:
    """The rule (``plans.selectors.can_edit_task``): a ministry officer reads every plan and
    changes the tasks of national and ministry plans; a province's plan is its own."""
    national = make_plan(unit="", framework="national-2023")
    province = make_plan(unit="01")
    ministry = api_for(role="ministry")
    ours = national.tasks.first()
    theirs = province.tasks.first()
    assert ministry.get(f"/tasks/{theirs.pk}").status_code == 200
    res = ministry.patch(f"/tasks/{ours.pk}", {"status": "in_progress", "progress": 10})
    assert res.status_code == 200, res.content
    res = ministry.patch(f"/tasks/{theirs.pk}", {"status": "in_progress", "progress": 10})
    assert res.status_code == 403
