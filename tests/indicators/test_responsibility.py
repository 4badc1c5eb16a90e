"""Reporting tied to responsibility: who submits a national value (reporting and responsible
units), one value per sector for row 1.2, provinces for their own province, and the
consolidation lock ("chốt số liệu") with its deadline."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thuocdo.accounts.models import AuditEvent
from thuocdo.indicators import services
from thuocdo.indicators.consolidation import (
    consolidation_lock,
    consolidation_status,
    consolidation_unlock,
)
from thuocdo.indicators.domain.responsibility import matches, may_report_national
from thuocdo.indicators.models import Submission

pytestmark = pytest.mark.django_db

DAY = date(2025, 10, 3)


def _submit(scope: Any, actor: Any, code: str, value: float, **kw: Any) -> Any:
    return services.submission_submit(
        scope=scope,
        actor=actor,
        indicator_code=code,
        unit_code=kw.pop("unit", None),
        period=kw.pop("period", "2025Q3"),
        value=value,
        on_day=kw.pop("on_day", DAY),
        **kw,
    )


def test_unit_names_match_folded_abbreviated_and_in_lists() -> None:
    assert matches("Bộ Y tế", "Bộ Y tế")
    assert matches("BỘ Y TẾ", "bo y te")
    assert matches("Bộ TTTT", "Bộ Thông tin và Truyền thòng")  # the seed's typo still matches
    assert matches("Tổng cục Thống kê", "Bộ Kế hoạch và Đầu tư (Tổng cục Thống kê)")
    assert matches(
        "Bộ Lao động, Thương binh và Xã hội",
        "Bộ Giáo dục và Đào tạo, Bộ Lao động, Thương binh và Xã hội",
    )
    assert not matches("Bộ Công Thương", "Bộ Y tế")
    assert not matches("", "Bộ Y tế")
    refused = may_report_national(
        department="Bộ Công Thương",
        sectors=None,
        reporting_unit="Cục CĐSQG",
        responsible_unit="Bộ Y tế",
        by_sector=False,
        sector="",
    )
    assert not refused.allowed and refused.reason == "other-unit"


def test_trade_ministry_cannot_submit_the_health_ministrys_figure(officer: Any) -> None:
    trade, trade_scope = officer("ministry", department="Bộ Công Thương")
    health, health_scope = officer("ministry", department="Bộ Y tế")
    cdsqg, cdsqg_scope = officer("ministry", department="Cục CĐSQG")
    nodept, nodept_scope = officer("ministry")
    with pytest.raises(PermissionDenied, match="Bộ Công Thương"):
        _submit(trade_scope, trade, "adults-telehealth", 40)
    with pytest.raises(PermissionDenied, match="đơn vị công tác"):
        _submit(nodept_scope, nodept, "adults-telehealth", 40)
    assert not Submission.objects.filter(indicator__code="adults-telehealth").exists()
    # the reporting unit submits; the responsible unit (which approves) may correct
    _submit(cdsqg_scope, cdsqg, "adults-telehealth", 40)
    result = _submit(health_scope, health, "adults-telehealth", 41)
    assert result.submission.value == 41 and result.replaced is not None
    # the trade ministry reports its own figure (e-commerce share of retail)
    _submit(trade_scope, trade, "ecommerce-share-retail", 12)


def test_province_reports_its_own_province_only(officer: Any) -> None:
    hanoi, hanoi_scope = officer("province", "01")
    with pytest.raises(PermissionDenied):
        _submit(hanoi_scope, hanoi, "households-fibre", 80, unit="48")
    with pytest.raises(PermissionDenied):
        _submit(hanoi_scope, hanoi, "households-fibre", 80)
    _submit(hanoi_scope, hanoi, "households-fibre", 80, unit="01")


def test_row_1_2_takes_one_value_per_sector(officer: Any) -> None:
    agri, agri_scope = officer("ministry", department="Bộ Nông nghiệp", sectors=["agriculture"])
    vu, vu_scope = officer("ministry", department="Vụ KTS và XHS")
    _submit(agri_scope, agri, "de-share-sector", 7.5, sector="agriculture")
    with pytest.raises(PermissionDenied, match="tourism"):
        _submit(agri_scope, agri, "de-share-sector", 9, sector="tourism")
    with pytest.raises(PermissionDenied):
        _submit(agri_scope, agri, "de-share-sector", 9)  # the headline is the reporting unit's
    _submit(vu_scope, vu, "de-share-sector", 11, sector="tourism")
    _submit(vu_scope, vu, "de-share-sector", 8.2)
    rows = Submission.objects.filter(indicator__code="de-share-sector", period="2025Q3")
    assert {(s.sector, s.value) for s in rows} == {("agriculture", 7.5), ("tourism", 11), ("", 8.2)}
    with pytest.raises(ValidationError, match="sector"):
        _submit(vu_scope, vu, "adults-telehealth", 40, sector="agriculture")
    with pytest.raises(ValidationError, match="sector"):
        _submit(vu_scope, vu, "de-share-sector", 5, sector="Nông nghiệp")


def test_lock_by_the_responsible_unit_blocks_changes_and_is_audited(officer: Any) -> None:
    health, health_scope = officer("ministry", department="Bộ Y tế")
    cdsqg, cdsqg_scope = officer("ministry", department="Cục CĐSQG")
    _submit(cdsqg_scope, cdsqg, "adults-telehealth", 40)
    # the reporting unit does not consolidate; the responsible unit does
    with pytest.raises(PermissionDenied):
        consolidation_lock(
            scope=cdsqg_scope,
            actor=cdsqg,
            indicator_code="adults-telehealth",
            unit_code_=None,
            period="2025Q3",
        )
    lock = consolidation_lock(
        scope=health_scope,
        actor=health,
        indicator_code="adults-telehealth",
        unit_code_=None,
        period="2025Q3",
        on_day=date(2025, 10, 9),
    )
    assert lock.due == date(2025, 10, 10) and not lock.late and lock.values == {"": 40}
    with pytest.raises(ValidationError, match="chốt số liệu"):
        _submit(cdsqg_scope, cdsqg, "adults-telehealth", 42)
    assert AuditEvent.objects.filter(action="consolidation.lock").count() == 1
    with pytest.raises(ValidationError, match="reason"):
        consolidation_unlock(
            scope=health_scope,
            actor=health,
            indicator_code="adults-telehealth",
            unit_code_=None,
            period="2025Q3",
            reason=" ",
        )
    consolidation_unlock(
        scope=health_scope,
        actor=health,
        indicator_code="adults-telehealth",
        unit_code_=None,
        period="2025Q3",
        reason="Số liệu điều chỉnh theo báo cáo chính thức",
    )
    unlock = AuditEvent.objects.get(action="consolidation.unlock")
    assert unlock.before["values"] == {"": 40}
    assert _submit(cdsqg_scope, cdsqg, "adults-telehealth", 42).submission.value == 42


def test_consolidation_deadline_tracked(officer: Any) -> None:
    health, health_scope = officer("ministry", department="Bộ Y tế")
    _submit(health_scope, health, "adults-telehealth", 40)
    rows = {
        r["indicator"]: r
        for r in consolidation_status(
            scope=health_scope, period="2025Q3", on_day=date(2025, 10, 11)
        )
    }
    tele = rows["adults-telehealth"]
    assert tele["due"] == "2025-10-10" and tele["overdue"] and tele["has_value"]
    before = consolidation_status(scope=health_scope, period="2025Q3", on_day=date(2025, 10, 10))
    assert not any(r["overdue"] for r in before)
    late = consolidation_lock(
        scope=health_scope,
        actor=health,
        indicator_code="adults-telehealth",
        unit_code_=None,
        period="2025Q3",
        on_day=date(2025, 10, 11),
    )
    assert late.late
    after = {
        r["indicator"]: r
        for r in consolidation_status(
            scope=health_scope, period="2025Q3", on_day=date(2025, 10, 11)
        )
    }
    assert after["adults-telehealth"]["locked"] and after["adults-telehealth"]["late"]
    assert not after["adults-telehealth"]["overdue"]
    with pytest.raises(ValidationError, match="chưa có số liệu"):
        consolidation_lock(
            scope=health_scope,
            actor=health,
            indicator_code="people-e-health-record",
            unit_code_=None,
            period="2025Q3",
        )


def test_province_locks_its_own_figures(officer: Any) -> None:
    hanoi, hanoi_scope = officer("province", "01")
    danang, danang_scope = officer("province", "48")
    _submit(hanoi_scope, hanoi, "households-fibre", 80, unit="01")
    with pytest.raises(PermissionDenied):
        consolidation_lock(
            scope=danang_scope,
            actor=danang,
            indicator_code="households-fibre",
            unit_code_="01",
            period="2025Q3",
        )
    consolidation_lock(
        scope=hanoi_scope,
        actor=hanoi,
        indicator_code="households-fibre",
        unit_code_="01",
        period="2025Q3",
    )
    with pytest.raises(ValidationError, match="chốt số liệu"):
        _submit(hanoi_scope, hanoi, "households-fibre", 81, unit="01")
