"""Plan reads: scope, overdue detection on a given date, completion, the indicator adapter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from thuocdo.accounts.selectors import scope_for
from thuocdo.plans import selectors, services
from thuocdo.plans.models import Plan, Task

pytestmark = pytest.mark.django_db


def task(plan: Plan, code: str) -> Task:
    return plan.tasks.get(code=code)


def test_a_province_officer_sees_only_its_province(
    make_plan: Callable[..., Plan], make_user: Callable[..., Any]
) -> None:
    hanoi, danang = make_plan(unit="01"), make_plan(unit="48")
    officer = scope_for(make_user(role="province", unit="01"))
    assert list(selectors.plan_list(scope=officer)) == [hanoi]
    assert selectors.plan_get(scope=officer, plan_id=hanoi.pk) == hanoi
    with pytest.raises(Http404):
        selectors.plan_get(scope=officer, plan_id=danang.pk)
    with pytest.raises(Http404):
        selectors.task_get(scope=officer, task_id=task(danang, "1.1").pk)
    assert {t.plan_id for t in selectors.task_list(scope=officer)} == {hanoi.pk}
    ministry = scope_for(make_user(role="ministry"))
    assert set(selectors.plan_list(scope=ministry)) == {hanoi, danang}
    with pytest.raises(PermissionDenied):
        selectors.plan_list(scope=scope_for(make_user(role="respondent")))
    with pytest.raises(PermissionDenied):
        selectors.plan_list(scope=scope_for(None))


def test_can_edit_task_matrix(
    make_plan: Callable[..., Plan], make_user: Callable[..., Any]
) -> None:
    plan = make_plan(unit="01")
    school, hospital = task(plan, "11.6"), task(plan, "11.7")
    cases = [
        (make_user(role="admin"), True, True),
        (make_user(role="ministry"), False, False),
        (make_user(role="province", unit="01"), True, True),
        (make_user(role="province", unit="01", department="so-gddt"), True, False),
        (make_user(role="province", unit="01", department="Sở GD&ĐT"), True, False),
        (make_user(role="province", unit="48", department="so-gddt"), False, False),
        (make_user(role="province", unit="48"), False, False),
        (make_user(role="respondent", unit="01"), False, False),
    ]
    for user, on_school, on_hospital in cases:
        assert selectors.can_edit_task(user=user, task=school) is on_school, user
        assert selectors.can_edit_task(user=user, task=hospital) is on_hospital, user


def test_overdue_on_a_given_date(make_plan: Callable[..., Plan]) -> None:
    plan = make_plan(unit="01")
    admin_scope = selectors.Scope(role="admin")
    codes = lambda on: [t.code for t in selectors.tasks_overdue(scope=admin_scope, on=on)]  # noqa: E731
    # Nothing is late on its due day (30/3, seed 002's day) or before.
    assert codes(date(2025, 3, 30)) == []
    first_quarter = {"1.1", "1.2", "1.3", "1.4"}
    assert set(codes(date(2025, 3, 31))) == first_quarter
    assert set(codes(date(2025, 4, 1))) == first_quarter | {"4.1", "10.1"}
    services.task_update(actor=None, task=task(plan, "1.1"), status="in_progress")
    services.task_update(actor=None, task=task(plan, "1.1"), status="done")
    services.task_update(actor=None, task=task(plan, "1.2"), status="cancelled")
    services.task_update(
        actor=None, task=task(plan, "4.1"), note="Bản tin Quý I", on=date(2025, 3, 28)
    )
    assert set(codes(date(2025, 4, 1))) == {"1.3", "1.4", "10.1"}
    assert selectors.tasks_overdue(scope=admin_scope, on=date(2025, 4, 1), unit_code="48") == []
    later = codes(date(2025, 7, 1))
    assert {"1.5", "6.2", "6.3", "9.1"} <= set(later)
    assert "4.1" in later  # no report in the second quarter
    assert later.index("1.3") < later.index("1.5")  # oldest deadline first


def test_completion_by_group(make_plan: Callable[..., Plan]) -> None:
    plan = make_plan(unit="01")
    for code in ("1.1", "1.2", "1.3"):
        services.task_update(actor=None, task=task(plan, code), status="in_progress", progress=50)
    services.task_update(actor=None, task=task(plan, "1.1"), status="done")
    services.task_update(actor=None, task=task(plan, "2.1"), status="cancelled")
    total, groups = selectors.plan_completion(scope=selectors.Scope(role="admin"), plan=plan)
    assert [g.code for g in groups] == [str(n) for n in range(1, 13)]
    first = groups[0]
    assert (first.total, first.done, first.in_progress, first.not_started) == (6, 1, 2, 3)
    assert first.percent_done == 17  # 1 of 6
    assert first.mean_progress == round((100 + 50 + 50) / 6, 1)
    assert groups[1].percent_done == 0
    assert (groups[1].cancelled, groups[1].total) == (1, 4)
    assert total.total == 36
    assert total.percent_done == round(100 / 35)


def test_completion_counts_each_task_once(make_plan: Callable[..., Plan]) -> None:
    plan = make_plan(unit="01")
    on = date(2025, 4, 5)
    services.task_update(actor=None, task=task(plan, "1.1"), status="in_progress", on=on)
    services.task_update(actor=None, task=task(plan, "1.2"), status="overdue", on=on)
    services.task_update(actor=None, task=task(plan, "1.3"), status="cancelled", on=on)
    total, groups = selectors.plan_completion(scope=selectors.Scope(role="admin"), plan=plan, on=on)
    first = groups[0]  # 1.1 in progress but late, 1.2 set overdue, 1.4 late, 1.5 and 1.6 not yet
    assert (first.done, first.in_progress, first.not_started, first.overdue, first.cancelled) == (
        0,
        0,
        2,
        3,
        1,
    )
    for c in [total, *groups]:
        assert c.done + c.in_progress + c.not_started + c.overdue + c.cancelled == c.total
    # Without a date only the overdue status counts.
    _, groups = selectors.plan_completion(scope=selectors.Scope(role="admin"), plan=plan)
    assert (groups[0].in_progress, groups[0].overdue, groups[0].not_started) == (1, 1, 3)


def test_province_comparison(make_plan: Callable[..., Plan]) -> None:
    hanoi, danang = make_plan(unit="01"), make_plan(unit="48")
    services.task_update(actor=None, task=task(danang, "1.1"), status="in_progress")
    services.task_update(actor=None, task=task(danang, "1.1"), status="done")
    rows = selectors.province_comparison(
        scope=selectors.Scope(role="admin"), framework_code="province-dx", year=2025
    )
    assert [plan for plan, _ in rows] == [danang, hanoi]
    assert rows[0][1].done == 1
    assert rows[0][1].title == "Thành phố Đà Nẵng"


def test_indicator_adapter_is_none_without_a_code(make_plan: Callable[..., Plan]) -> None:
    t = task(make_plan(), "10.1")
    assert t.indicator_code == ""
    assert selectors.task_indicator(t) is None


def test_task_with_a_kpi_shows_the_indicators_latest_value(
    make_plan: Callable[..., Plan],
) -> None:
    from datetime import date

    from thuocdo.accounts.scopes import Scope
    from thuocdo.indicators.services import submission_submit

    t = task(make_plan(unit="01"), "10.1")
    Task.objects.filter(pk=t.pk).update(indicator_code="de-share-gdp")
    t.refresh_from_db()
    assert selectors.task_indicator(t) is None  # nothing reported for Hà Nội yet
    submission_submit(
        scope=Scope(role="admin"),
        actor=None,
        indicator_code="de-share-gdp",
        unit_code="01",
        period="2025",
        value=18.5,
        provisional=True,
        on_day=date(2026, 1, 20),
    )
    shown = selectors.task_indicator(t)
    assert shown is not None
    assert shown["value"] == 18.5
    assert shown["period"] == "2025"
    assert shown["provisional"] is True
    assert set(shown) == {"value", "period", "provisional", "verdict"}
