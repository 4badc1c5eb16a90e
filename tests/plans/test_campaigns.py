"""Campaign-driven completion end to end: the assessments campaign services (create, open,
close, publish) complete the survey-programme tasks of the province's plans once each
transition has committed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from thuocdo.accounts.scopes import Scope
from thuocdo.assessments import services as campaigns
from thuocdo.assessments.models import Campaign
from thuocdo.frameworks.models import FrameworkVersion
from thuocdo.plans.models import Plan

pytestmark = pytest.mark.django_db

ADMIN = Scope(role="admin")


def statuses(plan: Plan, *codes: str) -> dict[str, str]:
    return dict(plan.tasks.filter(code__in=codes).values_list("code", "status"))


@pytest.fixture
def step(django_capture_on_commit_callbacks: Any) -> Callable[[Campaign, str], Campaign]:
    """One campaign transition, committed (its after-commit hooks run)."""

    def run(campaign: Campaign, to: str) -> Campaign:
        with django_capture_on_commit_callbacks(execute=True):
            return campaigns.campaign_transition(scope=ADMIN, actor=None, campaign=campaign, to=to)

    return run


def create(framework: str, area: str, *, pilot: bool = False) -> Campaign:
    return campaigns.campaign_create(
        scope=ADMIN,
        actor=None,
        framework=FrameworkVersion.objects.get(code=framework, status="published"),
        area_code=area,
        year=2025,
        name="Khảo sát chuyển đổi số 2025",
        pilot=pilot,
    )


def test_campaigns_complete_guide_pilot_scale_up_and_publish(
    make_plan: Callable[..., Plan], step: Callable[[Campaign, str], Campaign]
) -> None:
    sector = make_plan(framework="sector-de-2025", unit="01", year=2025)
    dx = make_plan(framework="province-dx", unit="01", year=2025)
    elsewhere = make_plan(framework="sector-de-2025", unit="48", year=2025)
    stages = ("3.a", "3.b", "3.c", "3.d")

    pilot = create("sme-dx", "00004", pilot=True)  # a commune of Hà Nội
    assert statuses(sector, *stages) == dict.fromkeys(stages, "not_started")
    pilot = step(pilot, "open")  # guide: organisations are guided to self-assess
    assert statuses(sector, *stages) == {
        "3.a": "done",
        "3.b": "not_started",
        "3.c": "not_started",
        "3.d": "not_started",
    }
    assert statuses(dx, "10.3") == {"10.3": "done"}
    pilot = step(pilot, "closed")  # a pilot's close completes nothing
    assert statuses(sector, "3.b", "3.c") == {"3.b": "not_started", "3.c": "not_started"}
    step(pilot, "published")
    assert statuses(sector, "3.b", "3.c", "3.d") == {
        "3.b": "done",
        "3.c": "not_started",
        "3.d": "not_started",
    }

    commune = step(step(create("sme-dx", "00004"), "open"), "closed")
    assert statuses(sector, "3.c") == {"3.c": "not_started"}  # not province-wide
    province = step(step(create("sme-dx", "01"), "open"), "closed")
    assert statuses(sector, "3.c", "3.d") == {"3.c": "done", "3.d": "not_started"}
    step(province, "published")
    assert statuses(sector, "3.d") == {"3.d": "done"}
    done = sector.tasks.get(code="3.d")
    assert "Tự động hoàn thành" in done.updates.first().note
    assert "khảo sát, công bố kết quả hằng năm" in done.updates.first().note
    assert commune.status == "closed"
    assert statuses(elsewhere, *stages) == dict.fromkeys(stages, "not_started")


def test_a_published_campaign_completes_the_yearly_survey_of_its_own_sector_only(
    make_plan: Callable[..., Plan], step: Callable[[Campaign, str], Campaign]
) -> None:
    plan = make_plan(framework="sector-de-2025", unit="01", year=2025)
    yearly = ("3.d", "7.a.P1", "7.b.P1", "7.c.P1", "7.d.P1", "7.dd.P1")
    assert dict(plan.tasks.filter(code__in=yearly).values_list("code", "sectors")) == {
        "3.d": [],
        "7.a.P1": ["retail"],
        "7.b.P1": ["tourism"],
        "7.c.P1": ["agriculture"],
        "7.d.P1": ["manufacturing"],
        "7.dd.P1": ["logistics"],
    }
    step(step(step(create("sme-dx", "01"), "open"), "closed"), "published")  # sector "general"
    assert statuses(plan, *yearly) == {**dict.fromkeys(yearly, "not_started"), "3.d": "done"}
    step(step(step(create("farm-dx", "01"), "open"), "closed"), "published")  # agriculture
    assert statuses(plan, *yearly) == {
        **dict.fromkeys(yearly, "not_started"),
        "3.d": "done",
        "7.c.P1": "done",
    }


def test_a_campaign_over_the_whole_country_completes_the_national_plan(
    make_plan: Callable[..., Plan], step: Callable[[Campaign, str], Campaign]
) -> None:
    national = make_plan(framework="sector-de-2025", unit=None, year=2025)
    province = make_plan(framework="sector-de-2025", unit="01", year=2025)
    c = create("sme-dx", "01")
    Campaign.objects.filter(pk=c.pk).update(unit_path="2025/")  # the whole structure
    c = step(step(Campaign.objects.get(pk=c.pk), "open"), "closed")
    step(c, "published")
    assert statuses(national, "3.d") == {"3.d": "done"}
    assert statuses(province, "3.d") == {"3.d": "not_started"}
