"""A legacy province carried into its successor (Kon Tum, 62 → Quảng Ngãi): campaigns with
their responses and published year-on-year history, users and plans, each with a visible
trail; lead units followed through the registry; the register of information systems written
to the 2025 targets' indicators."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from tests.analytics import factories as f

from thuocdo.accounts.models import AuditEvent, User
from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import scope_for
from thuocdo.analytics import selectors as analytics
from thuocdo.analytics.params import Slice
from thuocdo.assessments.models import Campaign, Response, Stratum
from thuocdo.assessments.services import campaign_create
from thuocdo.cli import main
from thuocdo.geo.models import Unit, UnitMapping
from thuocdo.indicators.models import Submission
from thuocdo.plans.models import Plan
from thuocdo.plans.services import plan_import, plan_instantiate, task_update
from thuocdo.plans.services.carryover import legacy_carry_over
from thuocdo.plans.services.lifecycle import plan_approve, plan_evaluate, plan_send
from thuocdo.plans.services.register import register_measure, system_save

pytestmark = pytest.mark.django_db


def _quang_ngai() -> Unit:
    return Unit.objects.get(structure="2025", level="province", name__contains="Quảng Ngãi")


def _kon_tum() -> Unit:
    return Unit.objects.get(structure="legacy", level="province", code="62")


def _kon_tum_communes(k: int) -> list[Unit]:
    """Legacy communes of Kon Tum that a current commune took over."""
    kt = _kon_tum()
    mapped = UnitMapping.objects.filter(
        legacy__path__startswith=kt.path, legacy__level="commune", primary=True
    ).values_list("legacy_id", flat=True)
    return list(Unit.objects.filter(pk__in=list(mapped)).order_by("code")[:k])


def _legacy_campaign(year: int = 2024) -> tuple[Campaign, list[Unit]]:
    """A published Kon Tum campaign recorded before the 2025 merger: its area and its
    responses' communes are units of the legacy structure."""
    kt = _kon_tum()
    communes = _kon_tum_communes(2)
    assert len(communes) == 2
    c = Campaign.objects.create(
        name=f"Đánh giá chuyển đổi số doanh nghiệp tỉnh Kon Tum {year}",
        framework=f.framework(),
        area=kt,
        unit_path=kt.path,
        year=year,
        entity_types=["enterprise"],
        status="published",
        public_token=f"kontum{year}",
    )
    for commune in communes:
        f.stratum(c, commune, "enterprise", "small", 40)
        for i in range(6):
            f.response(c, commune=commune, seed=i)
    return c, communes


def _current_campaign(qn: Unit) -> Campaign:
    c = f.campaign(area=qn.code, year=2025, status="published", name="Đánh giá DN Quảng Ngãi")
    communes = f.communes_of(qn.code, 2)
    for commune in communes:
        f.stratum(c, commune, "enterprise", "small", 50)
        for i in range(6):
            f.response(c, commune=commune, seed=10 + i)
    return c


def test_a_legacy_province_carries_its_campaigns_history_and_users_into_its_successor(
    make_user: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    qn, kt = _quang_ngai(), _kon_tum()
    old, _communes = _legacy_campaign()
    new = _current_campaign(qn)
    # an account of Kon Tum's department, from before the merger
    kt_user = User.objects.create(username="sokhcn.kontum", role="province", unit=kt)
    kt_officer = make_user("province", unit=qn.code)
    # before: the Kon Tum campaign is outside Quảng Ngãi and its user sees nothing current
    assert old not in analytics.campaign_list(scope=scope_for(kt_officer))
    assert [
        t["year"]
        for t in analytics.trend(scope=Scope(role="admin"), campaign_id=new.pk, slice_=Slice())
    ] == [2025]
    with pytest.raises(PermissionDenied):
        legacy_carry_over(actor=kt_officer, legacy_code="62")
    with pytest.raises(ValidationError) as err:
        legacy_carry_over(actor=None, legacy_code=qn.code)  # a current province
    assert "unit" in err.value.message_dict

    assert main(["plans", "carry-over", "62"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["from"] == {"code": "62", "name": kt.name}
    assert data["to"]["code"] == qn.code
    assert data["campaigns"] == [old.pk] and data["users"] == [kt_user.pk]
    assert data["responses"] == 12

    old.refresh_from_db()
    assert (old.area, old.unit_path, old.origin_unit) == (qn, qn.path, kt)
    moved = Response.objects.filter(campaign=old).select_related("commune")
    assert {r.commune.structure for r in moved} == {"2025"}
    assert all(r.unit_path.startswith(qn.path) for r in moved)
    assert sum(s.population for s in Stratum.objects.filter(campaign=old)) == 80
    assert not Stratum.objects.filter(campaign=old, commune__structure="legacy").exists()
    kt_user.refresh_from_db()
    assert kt_user.unit == qn
    # the trail: one event per object, and one for the province
    trail = AuditEvent.objects.get(action="campaign.carry_over", object_id=str(old.pk))
    assert trail.after["from"]["code"] == "62" and trail.after["to"]["code"] == qn.code
    assert trail.before["area"] == "62" and trail.after["responses"] == 12
    user_trail = AuditEvent.objects.get(action="user.carry_over", object_id=str(kt_user.pk))
    assert user_trail.before["unit"] == "62" and user_trail.after["unit"] == qn.code
    assert AuditEvent.objects.filter(action="plans.province.carry_over").count() == 1

    # under Quảng Ngãi now: the successor's officer lists it, the moved user sees it
    assert old in analytics.campaign_list(scope=scope_for(kt_officer))
    assert old in analytics.campaign_list(scope=scope_for(kt_user))
    # the published history: Kon Tum's 2024 is the year before Quảng Ngãi's 2025, named
    trend = analytics.trend(
        scope=Scope(role="admin"), campaign_id=new.pk, slice_=Slice(), public=True
    )
    assert [(t["year"], t["n"]) for t in trend] == [(2024, 12), (2025, 12)]
    assert trend[0]["origin"] == {"code": "62", "name": kt.name}
    assert trend[1]["origin"] is None and trend[1]["change"] is not None
    client = Client()
    page = client.get(f"/public/{new.pk}/").content.decode()
    assert "Kon Tum (62)" in page
    listing = client.get("/public/").content.decode()
    assert "Kon Tum (62)" in listing
    client.force_login(kt_officer)
    campaign_page = client.get(f"/assessments/campaigns/{old.pk}/").content.decode()
    assert "Kon Tum (62)" in campaign_page

    # a second run moves nothing
    again = legacy_carry_over(actor=None, legacy_code="62")
    assert (again.plans, again.campaigns, again.users, again.responses) == ([], [], [], 0)
    assert AuditEvent.objects.filter(action="plans.province.carry_over").count() == 1


def test_a_plan_or_campaign_made_for_the_legacy_code_goes_to_the_successor_with_its_origin(
    make_user: Callable[..., Any],
) -> None:
    qn, kt = _quang_ngai(), _kon_tum()
    # a plan recorded under Kon Tum before the merger is carried by the same command
    plan = Plan.objects.create(
        title="Kế hoạch chuyển đổi số tỉnh Kon Tum năm 2024",
        level="province",
        unit=kt,
        unit_path=kt.path,
        year=2024,
    )
    result = legacy_carry_over(actor=make_user("admin"), legacy_code="62")
    assert result.plans == [plan.pk]
    plan.refresh_from_db()
    assert (plan.unit, plan.unit_path, plan.origin_unit) == (qn, qn.path, kt)
    assert AuditEvent.objects.filter(action="plans.plan.carry_over", object_id=str(plan.pk))
    # a campaign created for the legacy code lands in Quảng Ngãi, origin kept, audited
    officer = make_user("province", unit=qn.code)
    c = campaign_create(
        scope=scope_for(officer),
        actor=officer,
        framework=f.framework(),
        area_code="62",
        year=2025,
        name="Đánh giá doanh nghiệp vùng Kon Tum",
    )
    assert (c.area, c.unit_path, c.origin_unit) == (qn, qn.path, kt)
    assert AuditEvent.objects.filter(action="campaign.carry_over", object_id=str(c.pk)).exists()


def _tttt_book() -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    meta = wb.active
    assert meta is not None
    meta.title = "Kế hoạch"
    meta.append(["Khóa", "Mục", "Giá trị"])
    for row in (
        ["title", "", "Kế hoạch chuyển đổi số tỉnh Kon Tum năm 2025"],
        ["unit", "", "62"],
        ["year", "", 2025],
    ):
        meta.append(row)
    tasks = wb.create_sheet("Nhiệm vụ")
    tasks.append(["Mã", "Nhóm", "Tên nhóm", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn"])
    tasks.append(
        [
            "1",
            "A",
            "Hạ tầng số",
            "Phủ sóng thôn lõm sóng",
            "Sở Thông tin và Truyền thông",
            "30/6/2025",
        ]
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _registry_agency(qn: Unit, name: str, code: str) -> Any:
    from thuocdo.assessments.services import organisation_create

    commune = f.communes_of(qn.code, 1)[0]
    return organisation_create(
        scope=Scope(role="admin"),
        actor=None,
        data={
            "name": name,
            "entity_type": "agency_department",
            "agency_code": code,
            "commune_code": commune.code,
        },
    )


def test_the_successor_department_updates_tttt_tasks_right_after_import(
    make_user: Callable[..., Any],
) -> None:
    qn = _quang_ngai()
    officer = make_user("province", unit=qn.code)
    plan_import(actor=officer, data=_tttt_book())  # no registry entry, no other step
    task = Plan.objects.get(title__contains="Kon Tum").tasks.get(code="1")
    khcn = make_user("province", unit=qn.code, department="so-khcn")
    task_update(actor=khcn, task=task, status="in_progress", progress=30, on=date(2025, 4, 2))
    task.refresh_from_db()
    assert (task.status, task.progress, task.lead_unit) == ("in_progress", 30, "so-khcn")
    with pytest.raises(PermissionDenied):
        task_update(
            actor=make_user("province", unit=qn.code, department="so-yt"),
            task=task,
            progress=40,
            on=date(2025, 4, 3),
        )


def test_a_registered_merged_department_leads_through_its_successor_and_its_account(
    make_user: Callable[..., Any],
) -> None:
    from thuocdo.assessments.services import organisation_merge

    qn = _quang_ngai()
    tttt = _registry_agency(qn, "Sở Thông tin và Truyền thông tỉnh Quảng Ngãi", "000.00.25.H51")
    officer = make_user("province", unit=qn.code)
    plan_import(actor=officer, data=_tttt_book())
    task = Plan.objects.get(title__contains="Kon Tum").tasks.get(code="1")
    assert task.lead_organisation == tttt  # only the merged department is registered
    # the registry merges it into the successor: a re-import links the successor
    khcn = _registry_agency(qn, "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi", "000.00.31.H51")
    organisation_merge(scope=Scope(role="admin"), actor=None, survivor=khcn, duplicate=tttt)
    from thuocdo.plans.services.lifecycle import plan_link_agencies

    plan_link_agencies(task.plan)
    task.refresh_from_db()
    assert task.lead_organisation == khcn
    # an account named after the registry agency (its electronic identifier code) updates it
    by_code = make_user("province", unit=qn.code, department="000.00.31.H51")
    task_update(actor=by_code, task=task, progress=20, on=date(2025, 4, 2))
    task.refresh_from_db()
    assert task.progress == 20
    with pytest.raises(PermissionDenied):
        task_update(
            actor=make_user("province", unit=qn.code, department="000.00.99.H51"),
            task=task,
            progress=30,
            on=date(2025, 4, 3),
        )


def _systems(unit: str) -> None:
    for name, level, extra in (
        (
            "Cổng dịch vụ công",
            4,
            {
                "dossier_number": "12/QĐ",
                "dossier_date": "2025-01-10",
                "last_drill": "2025-05-02",
                "backup_copies": 3,
                "backup_media": 2,
                "backup_offline": True,
            },
        ),
        ("Hệ thống quản lý văn bản", 3, {"last_drill": "2024-06-01"}),
        ("Cổng thông tin điện tử", 2, {"dossier_number": "3/QĐ", "dossier_date": "2024-03-01"}),
        ("Thư điện tử công vụ", 1, {}),
    ):
        system_save(
            actor=None,
            unit_code=unit,
            data={
                "name": name,
                "agency_name": "Sở Khoa học và Công nghệ",
                "security_level": level,
                **extra,
            },
        )


def test_the_register_is_written_to_the_indicators_of_the_2025_targets(
    make_user: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    _systems("48")
    officer = make_user("province", unit="48")
    result = register_measure(actor=officer, unit_code="48", year=2025, on=date(2025, 11, 30))
    assert result["values"] == {
        "information-systems-approved-level": 50.0,  # 2 of 4
        "information-systems-drilled": 50.0,  # 1 of the 2 of level 3+
        "information-systems-backup-321": 25.0,
        "information-systems-inspected": 0.0,  # none inspected
    }
    assert sorted(result["written"]) == sorted(result["values"])
    sub = Submission.objects.get(
        indicator__code="information-systems-approved-level", unit__code="48", period="2025"
    )
    assert sub.value == 50.0 and "30/11/2025" in sub.source and sub.submitted_by == officer
    assert AuditEvent.objects.filter(
        action="submission.create", object_id=str(sub.pk), actor=officer
    ).exists()
    # the same again changes nothing; another province's officer may not report for it
    assert (
        register_measure(actor=officer, unit_code="48", year=2025, on=date(2025, 11, 30))["written"]
        == []
    )
    with pytest.raises(PermissionDenied):
        register_measure(
            actor=make_user("province", unit="01"), unit_code="48", year=2025, on=date(2025, 11, 30)
        )
    with pytest.raises(ValidationError) as err:
        register_measure(actor=officer, unit_code="48", year=2025, on=date(2024, 12, 1))
    assert "on" in err.value.message_dict
    # on demand from the command line, after a new approval
    system_save(
        actor=None,
        unit_code="48",
        system=__import__("thuocdo.plans.models", fromlist=["x"]).InformationSystem.objects.get(
            name="Thư điện tử công vụ"
        ),
        data={"dossier_number": "5/QĐ", "dossier_date": "2025-12-01"},
    )
    assert main(["plans", "measure", "--unit", "48", "--year", "2025", "--on", "2025-12-02"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["values"]["information-systems-approved-level"] == 75.0
    sub.refresh_from_db()
    assert sub.value == 75.0 and sub.revisions.count() == 1  # the correction keeps history


def test_the_year_end_evaluation_measures_the_targets_from_the_register(
    make_user: Callable[..., Any],
) -> None:
    _systems("48")
    officer = make_user("province", unit="48")
    plan = plan_instantiate(actor=officer, framework="plan-2025", unit_code="48", year=2025)
    plan_approve(actor=officer, plan=plan, decision_number="9/QĐ-UBND", decision_date="2025-02-01")
    plan_send(actor=officer, plan=plan, on=date(2025, 2, 2))
    # T4 given by hand: its indicator is not written from the register
    plan_evaluate(actor=officer, plan=plan, results={"T1": 91, "T4": 100}, on=date(2025, 12, 20))
    values = dict(
        Submission.objects.filter(unit__code="48", period="2025").values_list(
            "indicator__code", "value"
        )
    )
    assert values == {
        "information-systems-approved-level": 50.0,
        "information-systems-backup-321": 25.0,
        "information-systems-inspected": 0.0,
    }
    targets = {t.code: t.result for t in plan.targets.all()}
    assert targets["T3"] == 50.0 and targets["T4"] == 100.0
    measured = AuditEvent.objects.get(action="plans.plan.measure", object_id=str(plan.pk))
    assert measured.after["refused"] == {}


def _agency_file(tmp_path: Any, qn: Unit, rows: list[tuple[str, str]]) -> str:
    commune = f.communes_of(qn.code, 1)[0]
    path = tmp_path / "agencies.csv"
    lines = ["agency_code,name,entity_type,parent_code,commune_code,admin_unit_code,email"]
    lines += [
        f"{code},{name},agency_department,,{commune.code},{qn.code},so@quangngai.gov.vn"
        for code, name in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_an_unregistered_lead_unit_is_named_and_linked_once_the_registry_holds_it(
    make_user: Callable[..., Any],
    tmp_path: Any,
    capsys: pytest.CaptureFixture[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    qn = _quang_ngai()
    book = tmp_path / "kontum.xlsx"
    book.write_bytes(_tttt_book())
    assert main(["plans", "import", str(book)]) == 0
    out = json.loads(capsys.readouterr().out)
    [unit] = out["unregistered_units"]
    assert (unit["code"], unit["tasks"]) == ("so-khcn", 1)
    assert unit["name"].startswith("Sở Khoa học và Công nghệ (")
    plan = Plan.objects.get(pk=out["plan"])
    officer = make_user("province", unit=qn.code, password="Mat-khau-du-dai-2025")
    client = Client()
    client.force_login(officer)
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "chưa có trong danh mục cơ quan" in page
    assert unit["name"] in page
    # the agency registry import registers the successor department: the task follows it
    path = _agency_file(
        tmp_path, qn, [("000.00.31.H51", "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert main(["agencies", "import", path]) == 0
    capsys.readouterr()
    task = plan.tasks.get(code="1")
    assert task.lead_organisation is not None
    assert task.lead_organisation.agency_code == "000.00.31.H51"
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "chưa có trong danh mục cơ quan" not in page
    # an account named after the registry agency updates the task
    by_code = make_user("province", unit=qn.code, department="000.00.31.H51")
    task_update(actor=by_code, task=task, progress=10, on=date(2025, 4, 2))
    task.refresh_from_db()
    assert task.progress == 10


def test_a_rolled_back_registration_links_nothing_and_a_later_one_does(
    make_user: Callable[..., Any], django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    qn = _quang_ngai()
    plan_import(actor=make_user("province", unit=qn.code), data=_tttt_book())
    task = Plan.objects.get(title__contains="Kon Tum").tasks.get(code="1")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        _registry_agency(qn, "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi", "000.00.31.H51")
        transaction.set_rollback(True)
    assert callbacks == []
    task.refresh_from_db()
    assert task.lead_organisation is None
    with django_capture_on_commit_callbacks(execute=True):
        agency = _registry_agency(qn, "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi", "000.00.32.H51")
    task.refresh_from_db()
    assert task.lead_organisation == agency
