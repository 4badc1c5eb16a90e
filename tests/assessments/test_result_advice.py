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
