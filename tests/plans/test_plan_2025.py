"""Seed 003's 2025 plan frame: targets linked to indicators, and a plan's life cycle
(draft → approved → sent to the ministry with the XLSX read back → evaluated)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thuocdo.accounts.models import AuditEvent
from thuocdo.indicators.models import Indicator
from thuocdo.plans.domain.frameworks import load_builtin
from thuocdo.plans.ministry_xlsx import read_ministry
from thuocdo.plans.models import Framework, Plan
from thuocdo.plans.services.lifecycle import plan_approve, plan_evaluate, plan_send
from thuocdo.plans.services.register import system_save

pytestmark = pytest.mark.django_db

SEED_TARGETS = {
    "T1": (90, "procedures-fully-online"),
    "T2": (80, "files-processed-fully-online"),
    "T3": (100, "information-systems-approved-level"),
    "T4": (100, "information-systems-drilled"),
    "T5": (100, "information-systems-backup-321"),
    "T6": (100, "information-systems-inspected"),
}


def test_the_frame_loads_with_its_targets_each_linked_to_an_indicator() -> None:
    fw = load_builtin("plan-2025")
    assert fw.default_year == 2025 and fw.assignable
    by_code = {t.code: t for t in fw.targets}
    for code, (value, indicator) in SEED_TARGETS.items():
        assert (by_code[code].value, by_code[code].indicator_code) == (value, indicator)
    assert "3-2-1" in by_code["T5"].text
    stored = Framework.objects.get(code="plan-2025")
    assert stored.task_count == len(fw.tasks) == 16
    # every target's indicator exists, with its measurement method
    for t in fw.targets:
        ind = Indicator.objects.get(code=t.indicator_code)
        assert ind.definition_vi, t.code
    assert "3" in Indicator.objects.get(code="information-systems-backup-321").definition_vi


def _plan(make_plan: Callable[..., Plan]) -> Plan:
    return make_plan(unit="48", year=2025, framework="plan-2025")


def test_a_plan_goes_through_its_life_cycle_with_the_export_read_back(
    make_plan: Callable[..., Plan], make_user: Callable[..., Any]
) -> None:
    officer = make_user("province", unit="48")
    plan = _plan(make_plan)
    assert plan.stage == "draft"
    assert plan.targets.count() == 8
    task = plan.tasks.get(code="6.1")
    assert task.indicator_code == "information-systems-approved-level"

    plan = plan_approve(
        actor=officer, plan=plan, decision_number="123/QĐ-UBND", decision_date="2025-01-20"
    )
    assert (plan.stage, plan.decision_number, plan.decision_date) == (
        "approved",
        "123/QĐ-UBND",
        date(2025, 1, 20),
    )
    plan, data = plan_send(actor=officer, plan=plan, on=date(2025, 1, 25))
    assert plan.stage == "sent" and plan.sent_on == date(2025, 1, 25)
    book = read_ministry(data)
    assert book["info"]["Số quyết định phê duyệt"] == "123/QĐ-UBND"
    assert book["info"]["Ngày quyết định"] == "20/01/2025"
    assert book["info"]["Mã đơn vị"] == "48"
    rows = {r["Mã"]: r for r in book["targets"]}
    assert rows["T1"]["Chỉ tiêu"] == 90 and rows["T1"]["Mã chỉ tiêu"] == "procedures-fully-online"
    assert "trực tuyến toàn trình" in rows["T1"]["Phương pháp đo"]
    assert rows["T3"]["Nguồn số liệu"].startswith("Sổ đăng ký hệ thống thông tin")
    assert len(book["tasks"]) == 16
    assert {r["Mã"] for r in book["tasks"]} >= {"6.1", "6.2", "6.3", "9.1"}

    # the register measures T3 at the year end: 1 of 2 systems approved
    system_save(
        actor=officer,
        unit_code="48",
        data={
            "name": "Cổng dịch vụ công",
            "agency_name": "Văn phòng UBND tỉnh",
            "security_level": 3,
            "dossier_number": "45/QĐ-STTTT",
            "dossier_date": "2024-05-02",
            "last_inspection": "2025-03-01",
            "backup_copies": 3,
            "backup_media": 2,
            "backup_offline": True,
            "last_drill": "2025-10-10",
        },
    )
    system_save(
        actor=officer,
        unit_code="48",
        data={"name": "Hệ thống quản lý văn bản", "agency_name": "Sở Nội vụ", "security_level": 2},
    )
    plan = plan_evaluate(
        actor=officer, plan=plan, on=date(2025, 12, 20), results={"T1": "92,5", "T2": 75}
    )
    assert plan.stage == "evaluated"
    results = {t.code: (t.result, t.achieved) for t in plan.targets.all()}
    assert results["T1"] == (92.5, True)
    assert results["T2"] == (75.0, False)
    assert results["T3"] == (50.0, False)
    assert results["T4"] == (100.0, True)  # the only level-3 system was drilled in 2025
    assert results["T7"] == (None, None)  # not reported, not in the register
    actions = list(
        AuditEvent.objects.filter(object_type="plans.plan", object_id=str(plan.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-4:] == [
        "plans.plan.approve",
        "plans.plan.send",
        "plans.plan.evaluate",
        "plans.plan.measure",  # T3–T6 written to their indicators from the register
    ]


def test_wrong_transitions_are_refused_with_both_stages(
    make_plan: Callable[..., Plan], make_user: Callable[..., Any]
) -> None:
    officer = make_user("province", unit="48")
    plan = _plan(make_plan)
    with pytest.raises(ValidationError) as err:
        plan_send(actor=officer, plan=plan)
    text = str(err.value.message_dict["stage"])
    assert "Bản nháp" in text and "Đã gửi Bộ" in text and "Đã duyệt" in text
    with pytest.raises(ValidationError) as err:
        plan_approve(actor=officer, plan=plan, decision_number=" ", decision_date="2025-01-02")
    assert "decision_number" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        plan_approve(actor=officer, plan=plan, decision_number="1/QĐ", decision_date="20/01/2025")
    assert "decision_date" in err.value.message_dict
    plan = plan_approve(
        actor=officer, plan=plan, decision_number="1/QĐ", decision_date="2025-01-02"
    )
    with pytest.raises(ValidationError):
        plan_approve(actor=officer, plan=plan, decision_number="2/QĐ", decision_date="2025-01-03")
    plan, _data = plan_send(actor=officer, plan=plan, on=date(2025, 1, 3))
    with pytest.raises(ValidationError) as err:
        plan_evaluate(actor=officer, plan=plan, on=date(2025, 6, 30))
    assert "01/12/2025" in str(err.value.message_dict["on"])
    with pytest.raises(ValidationError) as err:
        plan_evaluate(actor=officer, plan=plan, on=date(2025, 12, 31), results={"T9": 1})
    assert "results.T9" in err.value.message_dict
    plan.refresh_from_db()
    assert plan.stage == "sent"
    other = make_user("province", unit="01")
    with pytest.raises(PermissionDenied):
        plan_evaluate(actor=other, plan=plan, on=date(2025, 12, 31))


def test_life_cycle_and_register_through_the_cli(
    capsys: pytest.CaptureFixture[str], make_plan: Callable[..., Plan], tmp_path: Any
) -> None:
    import json

    from thuocdo.cli import main

    def run(*argv: str) -> tuple[int, Any, str]:
        code = main(["plans", *argv])
        out, err = capsys.readouterr()
        return code, (json.loads(out) if code == 0 and out.strip() else out), err

    plan = _plan(make_plan)
    code, _out, err = run("send", str(plan.pk), "-o", str(tmp_path / "x.xlsx"))
    assert code == 1 and "Bản nháp" in err
    code, data, err = run(
        "approve", str(plan.pk), "--decision", "7/QĐ-UBND", "--date", "2025-02-03"
    )
    assert code == 0, err
    assert data["stage"] == "approved" and data["decision_number"] == "7/QĐ-UBND"
    out = tmp_path / "gui-bo.xlsx"
    code, data, err = run("send", str(plan.pk), "-o", str(out), "--on", "2025-02-04")
    assert code == 0, err
    assert read_ministry(out.read_bytes())["info"]["Ngày gửi Bộ"] == "04/02/2025"
    code, data, err = run("evaluate", str(plan.pk), "--result", "T1=95", "--on", "2025-12-15")
    assert code == 0, err
    assert {t["code"]: t["achieved"] for t in data["targets"]}["T1"] is True
    system_save(
        actor=None,
        unit_code="48",
        data={
            "name": "Cổng DVC",
            "agency_name": "VP UBND",
            "security_level": 4,
            "last_inspection": "2024-01-31",
        },
    )
    code, data, err = run("systems", "--unit", "48", "--overdue-on", "2025-02-01")
    assert code == 0, err
    assert [(s["name"], s["next_inspection"]) for s in data] == [("Cổng DVC", "2025-01-31")]
    code, data, err = run("remind", "--on", "2025-02-01")
    assert code == 0 and data == {"on": "2025-02-01", "tasks": 0, "systems": 0}  # no e-mail set
