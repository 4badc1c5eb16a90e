"""Warnings that can be trusted: too little history, a target already met, the next target year
still ahead, yearly plan values, target-change proposals and the per-indicator backtest."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thuocdo.accounts.models import AuditEvent
from thuocdo.indicators import services
from thuocdo.indicators.domain.forecast import Target
from thuocdo.indicators.domain.warning import assess
from thuocdo.indicators.forecasting import (
    backtest_by_indicator,
    early_warnings,
    forecast_for,
    stored_backtest,
)
from thuocdo.indicators.models import Indicator
from thuocdo.indicators.models import Target as TargetRow
from thuocdo.indicators.proposals import proposal_decide, proposal_list, proposal_open
from thuocdo.indicators.reporting import resolve_unit

pytestmark = pytest.mark.django_db
DEC_2026 = date(2026, 12, 7)


def _series(scope: Any, user: Any, code: str, unit: str, values: dict[str, float]) -> None:
    for period, value in values.items():
        services.submission_submit(
            scope=scope, actor=user, indicator_code=code, unit_code=unit, period=period, value=value
        )


def test_assess_rules_on_plain_series() -> None:
    at_least_50 = Target(year=2030, value=50, comparator=">=")
    # one or two points below the target: no verdict
    assert assess([(2024, 40.0)], at_least_50).verdict == "too_little_history"
    assert assess([(2023, 38.0), (2024, 40.0)], at_least_50).verdict == "too_little_history"
    # one point already above the target: propose raising, with no forecast behind it
    met = assess([(2024, 55.0)], at_least_50)
    assert met.verdict == "target_met" and met.proposes_raising and met.forecast is None
    # three points: the forecast decides
    three = assess([(2022, 10.0), (2023, 11.0), (2024, 12.0)], at_least_50)
    assert three.verdict == "off_track" and three.forecast is not None
    # an "at most" target already met counts as met too
    at_most = Target(year=2030, value=5, comparator="<=", direction="lower")
    assert assess([(2024, 4.0)], at_most).verdict == "target_met"


def test_one_point_gives_too_little_history_not_at_risk() -> None:
    # the nation has only the 2022 estimate of the smartphone share (85%); the next target
    # still ahead on 7 December 2026 is 2030 (>= 95%)
    ind = Indicator.objects.get(code="adults-smartphone")
    fc = forecast_for(ind, None, on_day=DEC_2026)
    assert fc["target_year"] == 2030
    assert fc["verdict"] == "too_little_history"
    assert fc["forecast"] is None and fc["interval"] is None and fc["p_meet"] is None
    assert "Chưa đủ số liệu" in fc["verdict_label"]
    assert not fc["propose_raising"]


def test_passed_target_proposes_raising() -> None:
    # 85% against the 2025 target of >= 80%: already met, whatever the history length
    smart = forecast_for(
        Indicator.objects.get(code="adults-smartphone"), None, target_year=2025, on_day=DEC_2026
    )
    assert smart["verdict"] == "target_met" and smart["propose_raising"]
    # the digital-economy workforce share: 2.29% against > 2%
    work = forecast_for(
        Indicator.objects.get(code="de-workforce-share"), None, target_year=2025, on_day=DEC_2026
    )
    assert work["latest"][1] == pytest.approx(2.29)
    assert work["verdict"] == "target_met" and work["propose_raising"]


def test_verdict_aims_at_the_next_target_year_still_ahead() -> None:
    ind = Indicator.objects.get(code="de-share-gdp")
    # in March 2025 the 2025 target is ahead; in December 2026 2025 is over, 2030 is next
    assert forecast_for(ind, None, on_day=date(2025, 3, 1))["target_year"] == 2025
    late = forecast_for(ind, None, on_day=DEC_2026)
    assert late["target_year"] == 2030
    assert late["target"] == TargetRow.objects.get(indicator=ind, unit=None, year=2030).value


def test_plan_values_give_a_verdict(officer: Any) -> None:
    user, scope = officer("province", "01")
    code = "adults-online-public-services"
    _series(scope, user, code, "01", {"2022": 30, "2023": 36, "2024": 41})
    for year, value in ((2023, 35), (2024, 45), (2027, 60)):
        services.target_set(
            scope=scope,
            actor=user,
            indicator_code=code,
            unit_code="01",
            year=year,
            value=value,
            comparator=">=",
            kind="plan",
        )
    fc = forecast_for(Indicator.objects.get(code=code), resolve_unit("01"), on_day=DEC_2026)
    plans = {p["year"]: p for p in fc["plans"]}
    # past plan years: decided by the observed value
    assert plans[2023]["verdict"] == "on_track" and plans[2023]["observed"] == 36
    assert plans[2024]["verdict"] == "off_track" and plans[2024]["observed"] == 41
    # the plan of the year in progress (reporting year 2027): judged by the forecast
    assert plans[2027]["current"] and plans[2027]["verdict"] == "off_track"
    # a plan year asked for explicitly is a target for the verdict
    asked = forecast_for(
        Indicator.objects.get(code=code), resolve_unit("01"), target_year=2024, on_day=DEC_2026
    )
    assert asked["target_kind"] == "plan" and asked["verdict"] == "off_track"


def test_target_change_needs_another_officers_approval(officer: Any) -> None:
    user, scope = officer("province", "48")
    other, other_scope = officer("province", "48")
    outsider, outsider_scope = officer("province", "01")
    _series(scope, user, "adults-smartphone", "48", {"2022": 90, "2023": 92, "2024": 96})
    warnings = early_warnings(scope=scope, unit_code="48")
    row = next(w for w in warnings if w["indicator"] == "adults-smartphone")
    assert row["verdict"] == "target_met" and row["propose_raising"]
    assert row["suggested_target"] is not None and row["proposal"] is None
    with pytest.raises(ValidationError) as err:
        proposal_open(
            scope=scope,
            actor=user,
            indicator_code="adults-smartphone",
            unit_code_="48",
            year=row["target_year"],
            value=row["suggested_target"],
            reason="",
        )
    assert "reason" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        proposal_open(
            scope=outsider_scope,
            actor=outsider,
            indicator_code="adults-smartphone",
            unit_code_="48",
            year=row["target_year"],
            value=99,
            reason="x",
        )
    proposal = proposal_open(
        scope=scope,
        actor=user,
        indicator_code="adults-smartphone",
        unit_code_="48",
        year=row["target_year"],
        value=99,
        reason="Đã đạt chỉ tiêu; đề xuất nâng theo nguyên tắc 3",
    )
    assert proposal.status == "pending" and proposal.basis["verdict"] == "target_met"
    assert early_warnings(scope=scope, unit_code="48")[0]["proposal"] == proposal.pk
    # nothing changes before approval; a second pending proposal is refused
    assert not TargetRow.objects.filter(indicator__code="adults-smartphone", unit__code="48")
    with pytest.raises(ValidationError):
        proposal_open(
            scope=scope,
            actor=user,
            indicator_code="adults-smartphone",
            unit_code_="48",
            year=row["target_year"],
            value=98,
            reason="again",
        )
    with pytest.raises(PermissionDenied):
        proposal_decide(scope=scope, actor=user, proposal_id=proposal.pk, approve=True)
    with pytest.raises(PermissionDenied):
        proposal_decide(scope=outsider_scope, actor=outsider, proposal_id=proposal.pk, approve=True)
    decided = proposal_decide(
        scope=other_scope, actor=other, proposal_id=proposal.pk, approve=True, note="Đồng ý"
    )
    assert decided.status == "approved" and decided.decided_by == other
    target = TargetRow.objects.get(
        indicator__code="adults-smartphone", unit__code="48", year=row["target_year"]
    )
    assert target.value == 99 and target.set_by == other
    with pytest.raises(ValidationError):
        proposal_decide(scope=other_scope, actor=other, proposal_id=proposal.pk, approve=False)
    actions = set(
        AuditEvent.objects.filter(object_type="indicators.targetproposal").values_list(
            "action", flat=True
        )
    )
    assert actions == {"target.propose", "target.proposal.approve"}
    assert [p.pk for p in proposal_list(scope=other_scope, status="approved")] == [proposal.pk]
    assert list(proposal_list(scope=outsider_scope)) == []


def test_backtest_is_reported_per_indicator(officer: Any) -> None:
    user, scope = officer("province", "01")
    _series(scope, user, "households-fibre", "01", {"2021": 60, "2022": 65, "2023": 69, "2024": 75})
    u2, s2 = officer("province", "48")
    _series(s2, u2, "households-fibre", "48", {"2022": 50, "2023": 52, "2024": 57})
    report = stored_backtest()
    rows = {r["indicator"]: r for r in backtest_by_indicator(report)}
    fibre = rows["households-fibre"]
    assert fibre["series"] == 2
    per_series = [r for r in report.rows if r.code.startswith("households-fibre@")]
    n = sum(r.n_forecasts for r in per_series)
    assert fibre["forecasts"] == n == 3  # 2 origins for Hà Nội, 1 for Đà Nẵng
    pooled = sum(r.mae_chosen * r.n_forecasts for r in per_series) / n
    assert fibre["mae_chosen"] == pytest.approx(pooled)
    # the nation's single smartphone estimate is too short to backtest
    assert rows["adults-smartphone"]["forecasts"] == 0
    assert rows["adults-smartphone"]["skipped_series"] == 1
