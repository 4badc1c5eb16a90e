"""Campaign-driven completion end to end: the assessments campaign services (create, open,
close, publish) complete the survey-programme tasks of the province's plans once each
transition has committed."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from tests.assessments.factories import HANOI_COMMUNES, tax_code

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


def verified(
    campaign: Campaign,
    n: int,
    communes: tuple[str, ...] = HANOI_COMMUNES[:1],
    entity_type: str = "enterprise",
) -> None:
    """``n`` verified responses of ``entity_type`` in ``communes`` (in turn) to ``campaign``."""
    from thuocdo.assessments.domain.synthetic import synthetic_answers

    answers = synthetic_answers(campaign.framework.engine(), random.Random(3), 0.6)
    for i in range(n):
        org = campaigns.organisation_create(
            scope=ADMIN,
            actor=None,
            data={
                "name": f"Công ty TNHH Minh chứng {campaign.pk}-{i}",
                "tax_code": tax_code(),
                "entity_type": entity_type,
                "commune_code": communes[i % len(communes)],
                "vsic": "4711" if entity_type == "enterprise" else "0111",
                "size_class": "small",
            },
        )
        result = campaigns.response_submit(
            scope=ADMIN, actor=None, campaign=campaign, organisation=org, answers=answers
        )
        campaigns.response_verify(scope=ADMIN, actor=None, response=result.response)


def test_a_campaign_without_responses_completes_no_task_and_says_what_is_missing(
    make_plan: Callable[..., Plan], step: Callable[[Campaign, str], Campaign]
) -> None:
    """A farm campaign in Quảng Ngãi with 0 responses, opened, closed and published."""
    sector = make_plan(framework="sector-de-2025", unit="51", year=2025)
    dx = make_plan(framework="province-dx", unit="51", year=2025)
    survey = ("3.a", "3.b", "3.c", "3.d", "7.c.P1")
    step(step(step(create("farm-dx", "51"), "open"), "closed"), "published")
    assert statuses(sector, *survey) == dict.fromkeys(survey, "not_started")
    assert statuses(dx, "10.3") == {"10.3": "not_started"}
    scale_up = sector.tasks.get(code="3.c")
    assert "cần ít nhất 10 phiếu đã xác minh (hiện có 0)" in scale_up.evidence_missing
    assert "ít nhất 3 xã (hiện có 0)" in scale_up.evidence_missing
    assert "Khảo sát chuyển đổi số 2025" in scale_up.evidence_missing
    assert "10 phiếu" in sector.tasks.get(code="7.c.P1").evidence_missing
    assert "1 phiếu" in sector.tasks.get(code="3.a").evidence_missing
    # the SME task is not the farm campaign's: nothing is said about it
    assert dx.tasks.get(code="10.3").evidence_missing == ""
    assert not sector.tasks.get(code="3.c").updates.exists()


def test_the_task_page_and_api_show_what_is_missing(
    make_plan: Callable[..., Plan],
    step: Callable[[Campaign, str], Campaign],
    client: Any,
    make_user: Callable[..., Any],
) -> None:
    sector = make_plan(framework="sector-de-2025", unit="51", year=2025)
    step(step(create("farm-dx", "51"), "open"), "closed")
    scale_up = sector.tasks.get(code="3.c")
    client.force_login(make_user("province", unit="51"))
    page = client.get(f"/plans/tasks/{scale_up.pk}/").content.decode()
    assert "Chưa hoàn thành: đợt khảo sát" in page
    assert "ít nhất 3 xã (hiện có 0)" in page
    data = client.get(f"/api/v1/plans/tasks/{scale_up.pk}").json()
    assert "ít nhất 10 phiếu đã xác minh (hiện có 0)" in data["evidence_missing"]


def test_campaigns_complete_guide_pilot_scale_up_and_publish_on_evidence(
    make_plan: Callable[..., Plan], step: Callable[[Campaign, str], Campaign]
) -> None:
    sector = make_plan(framework="sector-de-2025", unit="01", year=2025)
    dx = make_plan(framework="province-dx", unit="01", year=2025)
    elsewhere = make_plan(framework="sector-de-2025", unit="48", year=2025)
    stages = ("3.a", "3.b", "3.c", "3.d")

    pilot = step(create("sme-dx", "00004", pilot=True), "open")  # a commune of Hà Nội
    # opened, no response yet: guiding is not shown by anything
    assert statuses(sector, *stages) == dict.fromkeys(stages, "not_started")
    assert "1 phiếu" in sector.tasks.get(code="3.a").evidence_missing
    verified(pilot, 2)
    pilot = step(pilot, "closed")  # guided on evidence: 2 verified responses
    assert statuses(sector, *stages) == {**dict.fromkeys(stages, "not_started"), "3.a": "done"}
    assert statuses(dx, "10.3") == {"10.3": "done"}
    assert sector.tasks.get(code="3.a").evidence_missing == ""
    step(pilot, "published")  # a pilot needs 3 verified responses: 2 are not enough
    assert statuses(sector, "3.b") == {"3.b": "not_started"}
    assert "(hiện có 2)" in sector.tasks.get(code="3.b").evidence_missing

    pilot = step(create("sme-dx", "00004", pilot=True), "open")
    verified(pilot, 3)
    step(step(pilot, "closed"), "published")  # the third response is the threshold
    assert statuses(sector, "3.b", "3.c") == {"3.b": "done", "3.c": "not_started"}

    commune = step(create("sme-dx", "00004"), "open")
    verified(commune, 10, HANOI_COMMUNES[:1])
    step(commune, "closed")
    assert statuses(sector, "3.c") == {"3.c": "not_started"}  # not province-wide

    province = step(create("sme-dx", "01"), "open")
    verified(province, 10, HANOI_COMMUNES[:2])
    province = step(province, "closed")  # 10 responses but 2 communes of the 3 needed
    assert statuses(sector, "3.c") == {"3.c": "not_started"}
    assert "ít nhất 3 xã (hiện có 2)" in sector.tasks.get(code="3.c").evidence_missing
    step(province, "published")
    assert statuses(sector, "3.c", "3.d") == {"3.c": "not_started", "3.d": "done"}

    wide = step(create("sme-dx", "01"), "open")
    verified(wide, 10, HANOI_COMMUNES[:3])
    step(wide, "closed")
    assert statuses(sector, "3.c") == {"3.c": "done"}
    done = sector.tasks.get(code="3.c")
    note = done.updates.first().note
    assert "Tự động hoàn thành theo minh chứng" in note
    assert "10 phiếu đã xác minh từ 3 xã" in note
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
    sme = step(create("sme-dx", "01"), "open")
    verified(sme, 10)
    step(step(sme, "closed"), "published")  # sector "general"
    assert statuses(plan, *yearly) == {**dict.fromkeys(yearly, "not_started"), "3.d": "done"}
    farm = step(create("farm-dx", "01"), "open")
    verified(farm, 10, entity_type="farm")
    step(step(farm, "closed"), "published")  # agriculture
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
    c = step(Campaign.objects.get(pk=c.pk), "open")
    verified(c, 10)
    step(step(c, "closed"), "published")
    assert statuses(national, "3.d") == {"3.d": "done"}
    assert statuses(province, "3.d") == {"3.d": "not_started"}
