"""Units as units and reminders: Kon Tum's plan carried into Quảng Ngãi and tracked by the
successor department; the register of information systems; e-mail reminders through the
outbox to a real SMTP server on loopback, each once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from huey.contrib.djhuey import HUEY
from openpyxl import Workbook
from tests.mailserver import SmtpServer, smtp_server  # noqa: F401 (fixture)

from thuocdo.accounts.models import AuditEvent
from thuocdo.accounts.selectors import scope_for
from thuocdo.core.models import MailMessage
from thuocdo.geo.models import Unit
from thuocdo.plans import selectors
from thuocdo.plans.models import Plan, TaskReminder
from thuocdo.plans.services import plan_import, task_update
from thuocdo.plans.services.register import system_save, systems_remind_overdue
from thuocdo.plans.services.reminders import tasks_remind

pytestmark = pytest.mark.django_db

Commit = Callable[..., Any]


@pytest.fixture(autouse=True)
def _empty_schedule() -> None:
    HUEY.flush()


def _quang_ngai() -> Unit:
    return Unit.objects.get(structure="2025", level="province", name__contains="Quảng Ngãi")


def _registry_department(qn: Unit, email: str = "") -> Any:
    from thuocdo.accounts.scopes import Scope
    from thuocdo.assessments.services import organisation_create

    commune = (
        Unit.objects.filter(structure="2025", level="commune", path__startswith=qn.path)
        .order_by("code")
        .first()
    )
    assert commune is not None
    return organisation_create(
        scope=Scope(role="admin"),
        actor=None,
        data={
            "name": "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi",
            "entity_type": "agency_department",
            "agency_code": "000.00.31.H51",
            "commune_code": commune.code,
            "email": email,
        },
    )


def _kon_tum_book() -> bytes:
    import io

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
            "Phủ sóng băng rộng di động thôn lõm sóng",
            "Sở Thông tin và Truyền thông",
            "30/6/2025",
        ]
    )
    tasks.append(
        ["2", "A", "Hạ tầng số", "Số hóa hồ sơ thủ tục hành chính", "Sở Nội vụ", "30/9/2025"]
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_kon_tum_plan_is_carried_into_quang_ngai_and_tracked_by_the_successor_department(
    make_user: Callable[..., Any],
) -> None:
    qn = _quang_ngai()
    officer = make_user("province", unit=qn.code)
    agency = _registry_department(qn)
    plan_import(actor=officer, data=_kon_tum_book())
    plan = Plan.objects.get(title__contains="Kon Tum")
    assert plan.unit == qn and plan.unit_path == qn.path
    assert plan.origin_unit is not None and plan.origin_unit.code == "62"
    assert plan.origin_unit.name.endswith("Kon Tum")
    trail = AuditEvent.objects.get(action="plans.plan.carry_over", object_id=str(plan.pk))
    assert trail.after["from"]["code"] == "62" and trail.after["to"]["code"] == qn.code
    task = plan.tasks.get(code="1")
    assert task.lead_unit == "so-khcn"
    assert "Sở Thông tin và Truyền thông" in task.lead_unit_name
    assert task.lead_organisation == agency  # the successor department in the registry
    assert plan.tasks.get(code="2").lead_organisation is None  # Sở Nội vụ is not registered
    # shown under Quảng Ngãi with its origin
    assert plan in selectors.plan_list(scope=scope_for(officer))
    client = Client()
    client.force_login(officer)
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Kon Tum" in page and "(62)" in page
    # the successor department's officer updates it; another department may not
    khcn = make_user("province", unit=qn.code, department="Sở Khoa học và Công nghệ")
    task_update(actor=khcn, task=task, status="in_progress", progress=40, on=date(2025, 5, 2))
    task.refresh_from_db()
    assert (task.status, task.progress) == ("in_progress", 40)
    # an account still named after the merged department is the successor's
    old_name = make_user("province", unit=qn.code, department="so-tttt")
    task_update(actor=old_name, task=task, progress=50, on=date(2025, 5, 3))
    nv = make_user("province", unit=qn.code, department="Sở Nội vụ")
    with pytest.raises(PermissionDenied):
        task_update(actor=nv, task=task, progress=60, on=date(2025, 5, 4))


def test_task_reminders_reach_the_lead_unit_before_the_deadline_and_when_overdue_once(
    make_user: Callable[..., Any],
    smtp_server: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Commit,
) -> None:
    qn = _quang_ngai()
    officer = make_user("province", unit=qn.code)
    _registry_department(qn, email="vanthu@skhcn.quangngai.gov.vn")
    plan_import(actor=officer, data=_kon_tum_book())
    make_user("province", unit=qn.code, department="so-khcn", email="khcn@quangngai.gov.vn")
    make_user("province", unit=qn.code, department="so-nv", email="noivu@quangngai.gov.vn")
    make_user("province", unit="01", department="so-khcn", email="khcn@hanoi.gov.vn")
    with django_capture_on_commit_callbacks(execute=True):
        # task 1 due 30/6, within a week: the department's officer and its registry address
        assert tasks_remind(on=date(2025, 6, 25)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks_remind(on=date(2025, 6, 26)) == 0  # once
    [first] = smtp_server.to("khcn@quangngai.gov.vn")
    assert "30/06/2025" in str(first["Subject"])
    assert len(smtp_server.to("vanthu@skhcn.quangngai.gov.vn")) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks_remind(on=date(2025, 7, 1)) == 2  # overdue now
        assert tasks_remind(on=date(2025, 7, 2)) == 0
    assert len(smtp_server.to("khcn@quangngai.gov.vn")) == 2
    assert smtp_server.to("khcn@hanoi.gov.vn") == []
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks_remind(on=date(2025, 9, 28)) == 1  # task 2 → Sở Nội vụ
    assert len(smtp_server.to("noivu@quangngai.gov.vn")) == 1
    assert TaskReminder.objects.count() == 5
    assert MailMessage.objects.filter(kind="plans.task.overdue", status="sent").count() == 2


def test_register_computes_next_inspection_and_reminds_overdue_once(
    make_user: Callable[..., Any],
    smtp_server: SmtpServer,  # noqa: F811
    django_capture_on_commit_callbacks: Commit,
) -> None:
    officer = make_user("province", unit="48")
    s5 = system_save(
        actor=officer,
        unit_code="48",
        data={
            "name": "Trung tâm dữ liệu tỉnh",
            "agency_name": "Sở Khoa học và Công nghệ",
            "security_level": 5,
            "last_inspection": "2024-08-31",
            "contact_email": "ttdl@danang.gov.vn",
        },
    )
    assert s5.next_inspection == date(2025, 2, 28)
    s2 = system_save(
        actor=officer,
        unit_code="48",
        data={
            "name": "Cổng thông tin",
            "agency_name": "Sở Nội vụ",
            "security_level": 2,
            "last_inspection": "2024-02-29",
            "dossier_number": "9/QĐ",
            "dossier_date": "2024-01-05",
            "contact_email": "cong@danang.gov.vn",
            "trust_label": "tinnhiemmang.vn",
        },
    )
    assert s2.next_inspection == date(2026, 2, 28) and s2.approved
    overdue = selectors.system_list(scope=scope_for(officer), overdue_on=date(2025, 3, 1))
    assert list(overdue) == [s5]
    assert not selectors.system_list(scope=scope_for(officer), overdue_on=date(2025, 2, 28))
    client = Client()
    client.force_login(officer)
    page = client.get("/plans/systems/", {"on": "2025-03-01"}).content.decode()
    assert "Trung tâm dữ liệu tỉnh" in page and "28/02/2025" in page and "quá hạn" in page
    assert "9/QĐ (05/01/2024)" in page and "tinnhiemmang.vn" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert systems_remind_overdue(on=date(2025, 3, 1)) == 1
        assert systems_remind_overdue(on=date(2025, 3, 2)) == 0
    [mail] = smtp_server.messages
    assert mail["To"] == "ttdl@danang.gov.vn" and "28/02/2025" in mail.get_content()
    # inspected again: a new due date, reminded again once overdue
    s5 = system_save(
        actor=officer, unit_code="48", system=s5, data={"last_inspection": "2025-03-10"}
    )
    assert s5.next_inspection == date(2025, 9, 10)
    shares = selectors.register_shares(unit_path=s5.unit_path, on=date(2025, 3, 10))
    assert shares["approved_level"] == 50.0 and shares["inspected"] == 100.0
    with pytest.raises(ValidationError) as err:
        system_save(
            actor=officer,
            unit_code="48",
            data={"name": "X", "agency_name": "Sở Y tế", "security_level": 6},
        )
    assert "security_level" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        system_save(
            actor=officer,
            unit_code="48",
            data={
                "name": "Y",
                "agency_name": "Sở Y tế",
                "security_level": 3,
                "dossier_number": "1/QĐ",
            },
        )
    assert "dossier_date" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        system_save(
            actor=make_user("province", unit="01"),
            unit_code="48",
            data={"name": "Z", "agency_name": "Sở Y tế", "security_level": 1},
        )


def test_lead_and_coordinating_departments_are_registry_agencies(
    make_plan: Callable[..., Plan], make_user: Callable[..., Any]
) -> None:
    qn = _quang_ngai()
    agency = _registry_department(qn)
    plan = make_plan(unit=qn.code, framework="plan-2025")
    led = plan.tasks.get(code="6.1")  # led by so-khcn
    assert led.lead_organisation == agency
    helped = plan.tasks.get(code="4.1")  # led by so-nv, so-khcn coordinates
    assert helped.lead_organisation is None and helped.coordinating_organisations == [agency.pk]
    client = Client()
    client.force_login(make_user("province", unit=qn.code))
    page = client.get(f"/plans/tasks/{helped.pk}/").content.decode()
    assert "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi" in page
    other = make_plan(unit="48", framework="plan-2025")  # another province: not linked
    assert not other.tasks.exclude(lead_organisation=None).exists()
