"""Built-in loading, targets, submissions (provisional → official with history), periods,
deadlines and every refused input."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thuocdo.accounts.models import AuditEvent
from thuocdo.indicators import builtins, services
from thuocdo.indicators.domain.catalog import load_builtin
from thuocdo.indicators.models import Indicator, Submission, SubmissionRevision, Target
from thuocdo.indicators.reporting import plan_period
from thuocdo.indicators.selectors import overdue_list, submission_history

pytestmark = pytest.mark.django_db


def _messages(exc: ValidationError) -> str:
    return " ".join(m for msgs in exc.message_dict.values() for m in msgs)


# --------------------------------------------------------------------------- built-ins


def test_builtins_load_every_indicator_with_plans_and_targets() -> None:
    catalog = load_builtin()
    # the catalogue's indicators and the quarterly ICT digital-economy share
    assert Indicator.objects.filter(builtin=True).count() == len(catalog.indicators) + 1
    assert Indicator.objects.filter(builtin=True, code="de-ict-share-grdp").exists()
    target = Target.objects.get(indicator__code="adults-digital-signature", unit=None, year=2025)
    assert (target.value, target.comparator, target.kind) == (50, ">", "target")
    plan = Target.objects.get(indicator__code="households-fibre", unit=None, year=2024)
    assert (plan.value, plan.kind) == (79, "plan")
    t2030 = Target.objects.get(indicator__code="de-share-gdp", unit=None, year=2030)
    assert t2030.value == 30
    estimate = Submission.objects.get(
        indicator__code="sme-digital-platform", unit=None, period="2022"
    )
    assert estimate.value == pytest.approx(30.07) and estimate.provisional
    # the digital-economy share carries one publisher's series only (ministry/PTIT)
    de = Submission.objects.filter(indicator__code="de-share-gdp", unit=None).order_by("year")
    assert [(s.year, s.value) for s in de] == [
        (2021, 11.91),
        (2022, 14.26),
        (2023, 16.5),
        (2024, 18.3),
    ]
    assert Indicator.objects.get(code="de-share-sector-ict").parent.code == "de-share-sector"


def test_builtins_load_is_idempotent_and_keeps_newer_values() -> None:
    sub = Submission.objects.get(indicator__code="sme-digital-platform", unit=None, period="2022")
    sub.value, sub.status = 31.5, "official"
    sub.save()
    counts = builtins.load()
    assert counts["new_indicators"] == counts["targets"] == counts["estimates"] == 0
    sub.refresh_from_db()
    assert (sub.value, sub.status) == (31.5, "official")


# --------------------------------------------------------------------------- periods


def test_quarter_windows_and_deadlines_follow_decision_466() -> None:
    q1 = plan_period(None, "2025Q1").period
    assert (q1.start, q1.end, q1.due, q1.consolidation_due) == (
        date(2024, 12, 1),
        date(2025, 3, 31),
        date(2025, 4, 5),
        date(2025, 4, 10),
    )
    q4 = plan_period(None, "Quý IV/2025").period
    assert (q4.start, q4.end, q4.due) == (date(2025, 10, 1), date(2025, 11, 30), date(2025, 12, 5))
    assert plan_period(None, "2025Q2").period.trend_assessment


def test_plan_deadlines_are_configurable(officer: Any) -> None:
    user, scope = officer("admin")
    plan = services.plan_set_deadlines(
        scope=scope, actor=user, plan_code="qd-466-2023", deadline_day=3, consolidation_day=8
    )
    q3 = plan_period(plan, "2025Q3").period
    assert (q3.due, q3.consolidation_due) == (date(2025, 10, 3), date(2025, 10, 8))
    with pytest.raises(ValidationError):
        services.plan_set_deadlines(
            scope=scope, actor=user, plan_code="qd-466-2023", deadline_day=30, consolidation_day=8
        )


def test_submission_of_a_q1_value_covers_december_of_the_previous_year(officer: Any) -> None:
    user, scope = officer("province", "01")
    result = services.submission_submit(
        scope=scope,
        actor=user,
        indicator_code="households-fibre",
        unit_code="01",
        period="2025Q1",
        value=81,
    )
    sub = result.submission
    assert (sub.period_start, sub.period_end, sub.year, sub.quarter) == (
        date(2024, 12, 1),
        date(2025, 3, 31),
        2025,
        1,
    )


# --------------------------------------------------------------------------- submissions


def test_provisional_value_replaced_by_official_with_history(officer: Any) -> None:
    user, scope = officer("province", "01")
    first = services.submission_submit(
        scope=scope,
        actor=user,
        indicator_code="adults-online-public-services",
        unit_code="01",
        period="2025Q3",
        value=41.5,
        provisional=True,
        source="Ước tính của Sở",
    )
    assert first.created and first.submission.provisional
    again = services.submission_submit(
        scope=scope,
        actor=user,
        indicator_code="adults-online-public-services",
        unit_code="01",
        period="2025Q3",
        value=41.5,
        provisional=True,
        source="Ước tính của Sở",
    )
    assert not again.changed  # re-sending does not duplicate or add history
    official = services.submission_submit(
        scope=scope,
        actor=user,
        indicator_code="adults-online-public-services",
        unit_code="01",
        period="2025Q3",
        value=43.2,
        source="Cục Thống kê",
    )
    assert not official.created and official.replaced is not None
    sub = official.submission
    assert (sub.value, sub.status) == (43.2, "official")
    assert (
        Submission.objects.filter(
            indicator__code="adults-online-public-services", unit=sub.unit
        ).count()
        == 1
    )
    history = list(submission_history(scope=scope, submission=sub))
    assert [(h.value, h.status, h.reason, h.source) for h in history] == [
        (41.5, "provisional", "official", "Ước tính của Sở")
    ]
    actions = list(
        AuditEvent.objects.filter(object_type="indicators.submission", object_id=str(sub.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["submission.create", "submission.replace"]
    with pytest.raises(ValidationError) as err:
        services.submission_submit(
            scope=scope,
            actor=user,
            indicator_code="adults-online-public-services",
            unit_code="01",
            period="2025Q3",
            value=40,
            provisional=True,
        )
    assert "chính thức" in _messages(err.value)
    correction = services.submission_submit(
        scope=scope,
        actor=user,
        indicator_code="adults-online-public-services",
        unit_code="01",
        period="2025Q3",
        value=43.4,
        source="Cục Thống kê (đính chính)",
    )
    assert correction.replaced is not None and correction.replaced.reason == "correction"
    assert SubmissionRevision.objects.filter(submission=sub).count() == 2


def test_narrative_sections_and_international_comparison_are_kept(officer: Any) -> None:
    user, scope = officer("ministry", department="Vụ KTS và XHS")
    sub = services.submission_submit(
        scope=scope,
        actor=user,
        indicator_code="account-ownership-15plus",
        unit_code=None,
        period="2025Q2",
        value=87.1,
        international_value=76,
        international_reference="World Bank Global Findex 2021",
        trend_assessment="Tăng đều 6 tháng đầu năm",
        international_comparison="Cao hơn trung bình",
        difficulties="Vùng sâu thiếu điểm giao dịch",
        proposals="Mở rộng Mobile Money",
    ).submission
    assert sub.international_value == 76 and sub.trend_assessment.startswith("Tăng")
    assert sub.proposals == "Mở rộng Mobile Money"


@pytest.mark.parametrize(
    ("kwargs", "field", "fragment"),
    [
        ({"value": 120}, "value", "100%"),
        ({"value": -3}, "value", "âm"),
        ({"value": "nhiều"}, "value", "số"),
        ({"value": float("nan")}, "value", "hữu hạn"),
        ({"value": 40, "unit_symbol": "người"}, "unit", "không khớp"),
        ({"indicator_code": "khong-co"}, "indicator", "không tồn tại"),
        ({"period": "2025Q5"}, "period", "quý"),
        ({"period": "2099Q1"}, "period", "chưa bắt đầu"),
        ({"unit_code": "99"}, "unit", "99"),
        ({"indicator_code": "de-share-sector"}, "unit", "tỉnh"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    officer: Any, kwargs: dict[str, Any], field: str, fragment: str
) -> None:
    user, scope = officer("admin")
    args: dict[str, Any] = {
        "indicator_code": "households-fibre",
        "unit_code": "01",
        "period": "2025Q3",
        "value": 80,
    }
    args.update(kwargs)
    with pytest.raises(ValidationError) as err:
        services.submission_submit(scope=scope, actor=user, **args)
    assert field in err.value.message_dict
    assert fragment in _messages(err.value)
    assert not Submission.objects.filter(
        unit__code=args["unit_code"], period=args["period"]
    ).exists()


def test_closed_period_refuses_submissions(officer: Any) -> None:
    admin, admin_scope = officer("admin")
    services.period_close(scope=admin_scope, actor=admin, period="2025Q2")
    user, scope = officer("province", "48")
    with pytest.raises(ValidationError) as err:
        services.submission_submit(
            scope=scope,
            actor=user,
            indicator_code="households-fibre",
            unit_code="48",
            period="2025Q2",
            value=80,
        )
    assert "đã khóa" in _messages(err.value) or "closed" in _messages(err.value)
    services.period_reopen(scope=admin_scope, actor=admin, period="2025Q2")
    services.submission_submit(
        scope=scope,
        actor=user,
        indicator_code="households-fibre",
        unit_code="48",
        period="2025Q2",
        value=80,
    )


def test_late_submission_is_flagged(officer: Any) -> None:
    user, scope = officer("province", "48")
    on_time = services.submission_submit(
        scope=scope,
        actor=user,
        indicator_code="households-fibre",
        unit_code="48",
        period="2025Q3",
        value=80,
        on_day=date(2025, 10, 5),
    ).submission
    assert not on_time.late
    late = services.submission_submit(
        scope=scope,
        actor=user,
        indicator_code="households-fibre",
        unit_code="48",
        period="2025Q2",
        value=79,
        on_day=date(2025, 7, 6),
    ).submission
    assert late.late


# --------------------------------------------------------------------------- scope


def test_scope_province_for_its_province_ministry_national(officer: Any) -> None:
    hanoi, hanoi_scope = officer("province", "01")
    ministry, ministry_scope = officer("ministry", department="Cục Viễn thông")
    commune_user, commune_scope = officer("commune", None)
    respondent, respondent_scope = officer("respondent")
    common = {"indicator_code": "households-fibre", "period": "2025Q3", "value": 80}
    with pytest.raises(PermissionDenied):
        services.submission_submit(scope=hanoi_scope, actor=hanoi, unit_code="48", **common)
    with pytest.raises(PermissionDenied):
        services.submission_submit(scope=hanoi_scope, actor=hanoi, unit_code=None, **common)
    with pytest.raises(PermissionDenied):
        services.submission_submit(scope=ministry_scope, actor=ministry, unit_code="01", **common)
    with pytest.raises(PermissionDenied):
        services.submission_submit(
            scope=respondent_scope, actor=respondent, unit_code="01", **common
        )
    with pytest.raises(PermissionDenied):
        services.submission_submit(
            scope=commune_scope, actor=commune_user, unit_code=None, **common
        )
    services.submission_submit(scope=hanoi_scope, actor=hanoi, unit_code="01", **common)
    services.submission_submit(scope=ministry_scope, actor=ministry, unit_code="VN", **common)
    # targets: a province sets its own, not another province's nor the national one
    services.target_set(
        scope=hanoi_scope,
        actor=hanoi,
        indicator_code="households-fibre",
        unit_code="01",
        year=2025,
        value=95,
    )
    assert (
        Target.objects.get(indicator__code="households-fibre", unit__code="01", year=2025).value
        == 95
    )
    with pytest.raises(PermissionDenied):
        services.target_set(
            scope=hanoi_scope,
            actor=hanoi,
            indicator_code="households-fibre",
            unit_code=None,
            year=2025,
            value=95,
        )
    with pytest.raises(PermissionDenied):
        services.target_set(
            scope=hanoi_scope,
            actor=hanoi,
            indicator_code="households-fibre",
            unit_code="48",
            year=2025,
            value=95,
        )


def test_target_validation(officer: Any) -> None:
    user, scope = officer("ministry")
    with pytest.raises(ValidationError) as err:
        services.target_set(
            scope=scope,
            actor=user,
            indicator_code="households-fibre",
            unit_code=None,
            year=2030,
            value=140,
        )
    assert "100%" in _messages(err.value)
    target = services.target_set(
        scope=scope,
        actor=user,
        indicator_code="households-fibre",
        unit_code=None,
        year=2030,
        value=95,
    )
    assert (target.comparator, target.kind) == (">=", "target")


def test_builtins_carry_the_suggested_international_comparator() -> None:
    smartphone = Indicator.objects.get(code="adults-smartphone")
    assert smartphone.international_comparator == (
        "ITU individuals owning a mobile phone (ITU ICT indicators)"
    )
    with_comparator = Indicator.objects.filter(builtin=True).exclude(international_comparator="")
    assert with_comparator.count() == 6  # the six suggestions of the catalogue


# --------------------------------------------------------------------------- overdue, reminders


def test_overdue_list_and_reminders(
    officer: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    hanoi, hanoi_scope = officer("province", "01", email="so.hanoi@example.vn")
    day = date(2025, 10, 20)
    before = overdue_list(scope=hanoi_scope, period="2025Q3", on_day=day)
    assert before and {r["unit_code"] for r in before} == {"01"}
    assert all(r["days_late"] == 15 for r in before)
    services.submission_submit(
        scope=hanoi_scope,
        actor=hanoi,
        indicator_code="households-fibre",
        unit_code="01",
        period="2025Q3",
        value=80,
        on_day=day,
    )
    after = overdue_list(scope=hanoi_scope, period="2025Q3", on_day=day)
    assert len(after) == len(before) - 1
    assert "households-fibre" not in {r["code"] for r in after}
    assert overdue_list(scope=hanoi_scope, period="2025Q4", on_day=day) == []  # not yet due
    with django_capture_on_commit_callbacks(execute=True):
        report = services.reminders_send(period="2025Q3", on_day=day)
    hanoi_mails = [m for m in mailoutbox if "so.hanoi@example.vn" in m.to]
    assert len(hanoi_mails) == 1
    assert "adults-smartphone" in hanoi_mails[0].body
    assert any(r["unit"] == "01" for r in report["reminders"])
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(period="2025Q3", on_day=day)  # same day: not repeated
    assert len([m for m in mailoutbox if "so.hanoi@example.vn" in m.to]) == 1


def test_a_closed_period_is_neither_overdue_nor_reminded(
    officer: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    _hanoi, hanoi_scope = officer("province", "01", email="so.hanoi@example.vn")
    admin, admin_scope = officer("admin")
    day = date(2025, 10, 20)
    assert overdue_list(scope=hanoi_scope, period="2025Q3", on_day=day)
    services.period_close(scope=admin_scope, actor=admin, period="2025Q3")
    assert overdue_list(scope=hanoi_scope, period="2025Q3", on_day=day) == []
    # the default period is the latest one past its deadline; closed, nothing is listed
    assert overdue_list(scope=hanoi_scope, on_day=day) == []
    with django_capture_on_commit_callbacks(execute=True):
        report = services.reminders_send(on_day=day)
    assert report["reminders"] == [] and mailoutbox == []


def test_a_q2_value_without_the_trend_assessment_is_flagged(
    officer: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    hanoi, hanoi_scope = officer("province", "01", email="so.hanoi@example.vn")
    day = date(2025, 7, 20)

    def fibre(period: str, on_day: date, **kw: Any) -> Any:
        return services.submission_submit(
            scope=hanoi_scope,
            actor=hanoi,
            indicator_code="households-fibre",
            unit_code="01",
            period=period,
            value=80,
            on_day=on_day,
            **kw,
        )

    bare = fibre("2025Q2", day)
    assert any("xu hướng" in w for w in bare.warnings)
    assert any("xu hướng" in w for w in bare.submission.warnings)
    q3 = fibre("2025Q3", date(2025, 10, 1))
    assert not any("xu hướng" in w for w in q3.warnings)  # only Q2 carries it
    rows = {r["code"]: r for r in overdue_list(scope=hanoi_scope, period="2025Q2", on_day=day)}
    assert rows["households-fibre"]["missing"] == "trend_assessment"
    assert rows["adults-smartphone"]["missing"] == "value"
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(period="2025Q2", on_day=day)
    (mail,) = [m for m in mailoutbox if "so.hanoi@example.vn" in m.to]
    line = next(line for line in mail.body.splitlines() if "households-fibre" in line)
    assert "xu hướng" in line
    full = fibre("2025Q2", day, trend_assessment="Tăng đều trong 6 tháng đầu năm")
    assert not any("xu hướng" in w for w in full.warnings)
    codes = {r["code"] for r in overdue_list(scope=hanoi_scope, period="2025Q2", on_day=day)}
    assert "households-fibre" not in codes


def test_each_indicator_is_overdue_by_its_own_plan(officer: Any) -> None:
    from thuocdo.indicators.models import ReportingPlan

    _hanoi, hanoi_scope = officer("province", "01")
    late = ReportingPlan.objects.create(
        code="late-plan", name="Báo cáo muộn", deadline_day=20, consolidation_day=25
    )
    Indicator.objects.filter(code="households-fibre").update(plan=late)
    on_oct_10 = overdue_list(scope=hanoi_scope, period="2025Q3", on_day=date(2025, 10, 10))
    codes = {r["code"] for r in on_oct_10}
    assert "households-fibre" not in codes and "adults-smartphone" in codes
    assert {r["due"] for r in on_oct_10} == {"2025-10-05"}
    on_oct_21 = overdue_list(scope=hanoi_scope, period="2025Q3", on_day=date(2025, 10, 21))
    fibre = [r for r in on_oct_21 if r["code"] == "households-fibre"]
    assert [(r["due"], r["days_late"]) for r in fibre] == [("2025-10-20", 1)]
    # without a period each plan takes its own latest quarter past its deadline
    default = overdue_list(scope=hanoi_scope, on_day=date(2025, 10, 10))
    periods = {r["code"]: r["period"] for r in default}
    assert periods["households-fibre"] == "2025Q2" and periods["adults-smartphone"] == "2025Q3"
    late_closed = ReportingPlan.objects.get(code="late-plan")
    services.period_close(
        scope=officer("admin")[1], actor=None, period="2025Q3", plan_code=late_closed.code
    )
    on_oct_21 = overdue_list(scope=hanoi_scope, period="2025Q3", on_day=date(2025, 10, 21))
    codes = {r["code"] for r in on_oct_21}
    assert "households-fibre" not in codes and "adults-smartphone" in codes


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 1), "2026Q3"),  # 2027Q1 has started, 2026Q4 is due on 5 December
        (date(2026, 12, 6), "2026Q4"),
        (date(2025, 4, 6), "2025Q1"),
        (date(2025, 4, 5), "2024Q4"),  # the due day itself is still on time
        (date(2025, 1, 15), "2024Q4"),
    ],
)
def test_latest_quarter_past_its_deadline(day: date, expected: str) -> None:
    from thuocdo.indicators.reporting import default_plan, latest_due_quarter

    assert latest_due_quarter(default_plan(), day).label == expected
