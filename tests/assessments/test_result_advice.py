"""The result page shows the next-level plan and the catalogue's solutions for unmet criteria."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from tests.ecosystem import factories as eco

from thuocdo.accounts.scopes import Scope
from thuocdo.assessments import selectors, services
from thuocdo.assessments.domain.synthetic import synthetic_answers
from thuocdo.assessments.models import Response

pytestmark = pytest.mark.django_db


def test_result_page_recommends_solutions_for_unmet_criteria(
    client: Client, make_campaign: Callable[..., Any], make_org: Callable[..., Any]
) -> None:
    campaign = make_campaign()
    org = make_org()
    answers = synthetic_answers(campaign.framework.engine(), random.Random(5), 0.2)
    anon = Scope(role="anonymous")
    draft = services.response_save_draft(
        scope=anon, actor=None, campaign=campaign, organisation=org, answers={}
    )
    code = selectors.resume_code_of(draft)
    services.response_submit(
        scope=anon,
        actor=None,
        campaign=campaign,
        organisation=org,
        answers=answers,
        resume_code=code,
    )
    response = Response.objects.get(pk=draft.pk)
    assert response.unmet
    solution = eco.solution(
        eco.provider(),
        criteria=[f"{campaign.framework.code}:{c}" for c in response.unmet],
        name_vi="Phần mềm Quản trị Thử Nghiệm",
    )
    html = client.get(f"/assessments/c/{campaign.public_token}/r/{code}/result/").content.decode()
    assert 'id="eco-advice-title"' in html
    assert solution.name_vi in html
    assert f"/ecosystem/solutions/{solution.pk}/" in html
    # a visitor without an account is not offered a form that would send it to the login page
    assert 'action="/ecosystem/connections/new/"' not in html


def test_respondent_response_page_links_to_its_recommendations(
    client: Client,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
) -> None:
    from thuocdo.assessments.services.organisations import organisation_member_add

    campaign = make_campaign()
    org = make_org()
    answers = synthetic_answers(campaign.framework.engine(), random.Random(7), 0.3)
    anon = Scope(role="anonymous")
    draft = services.response_save_draft(
        scope=anon, actor=None, campaign=campaign, organisation=org, answers={}
    )
    services.response_submit(
        scope=anon,
        actor=None,
        campaign=campaign,
        organisation=org,
        answers=answers,
        resume_code=selectors.resume_code_of(draft),
    )
    user = make_user("respondent")
    organisation_member_add(scope=Scope(role="admin"), actor=None, organisation=org, user=user)
    client.force_login(user)
    html = client.get(f"/assessments/responses/{draft.pk}/").content.decode()
    link = f"/ecosystem/responses/{draft.pk}/recommendations/"
    assert f'href="{link}"' in html
    page = client.get(link)
    assert page.status_code == 200 and 'id="eco-advice-title"' in page.content.decode()
    # and may ask a provider to get in touch for its organisation
    from thuocdo.ecosystem.models import ConnectionRequest

    solution = eco.solution(
        eco.provider(), criteria=[f"{campaign.framework.code}:{c}" for c in draft_unmet(draft.pk)]
    )
    res = client.post(
        "/ecosystem/connections/new/", {"response": draft.pk, "solution": solution.pk}
    )
    assert res.status_code == 302
    assert ConnectionRequest.objects.filter(organisation=org, solution=solution).count() == 1


def draft_unmet(pk: int) -> list[str]:
    return list(Response.objects.get(pk=pk).unmet)
