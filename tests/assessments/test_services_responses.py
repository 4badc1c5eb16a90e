from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thuocdo.accounts.models import AuditEvent
from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import scope_for
from thuocdo.assessments import selectors, services
from thuocdo.assessments.domain.synthetic import synthetic_answers
from thuocdo.assessments.models import OrganisationMember, Response
from thuocdo.frameworks.engine import score

pytestmark = pytest.mark.django_db
ANON = Scope(role="anonymous")


def test_submit_scores_with_exact_version(
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    admin_scope: Scope,
    good_answers: dict[str, Any],
    hanoi_officer: Any,
) -> None:
    campaign = make_campaign()
    org = make_org(size_class="medium")
    result = services.response_submit(
        scope=scope_for(hanoi_officer),
        actor=hanoi_officer,
        campaign=campaign,
        organisation=org,
        answers=good_answers,
    )
    r = result.response
    expected = score(campaign.framework.engine(), good_answers)
    assert result.created and not result.replayed
    assert r.status == "submitted"
    assert r.overall == pytest.approx(expected.overall)
    assert r.level == expected.level
    assert r.pillar_scores == expected.pillars
    assert r.unmet == expected.unmet
    assert r.framework_id == campaign.framework_id
    assert (r.commune_id, r.entity_type, r.size_class, r.sector) == (
        org.commune_id,
        "enterprise",
        "medium",
        "retail",
    )
    assert r.channel == "on_behalf"
    assert r.submitted_by == hanoi_officer


def test_bad_and_missing_answers_are_each_named(
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    admin_scope: Scope,
    good_answers: dict[str, Any],
) -> None:
    campaign = make_campaign()
    org = make_org()
    answers = dict(good_answers)
    first, second, third = list(answers)[:3]
    answers[first] = "zz"  # unknown option (or wrong type)
    del answers[second]
    answers["NOPE"] = True
    with pytest.raises(services.AnswersRejectedError) as exc:
        services.response_submit(
            scope=admin_scope, actor=None, campaign=campaign, organisation=org, answers=answers
        )
    fields = set(exc.value.message_dict)
    assert {f"answers.{first}", f"answers.{second}", "answers.NOPE"} <= fields
    assert not Response.objects.filter(campaign=campaign).exists()
    # a draft keeps incomplete answers but refuses wrong values
    draft = services.response_save_draft(
        scope=admin_scope,
        actor=None,
        campaign=campaign,
        organisation=org,
        answers={third: answers[third]},
    )
    assert draft.status == "draft"
    with pytest.raises(services.AnswersRejectedError):
        services.response_save_draft(
            scope=admin_scope,
            actor=None,
            campaign=campaign,
            organisation=org,
            answers={first: "zz"},
        )


def test_refused_when_campaign_not_open(
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    admin_scope: Scope,
    good_answers: dict[str, Any],
) -> None:
    org = make_org()
    for status in ("draft", "closed"):
        campaign = make_campaign(status=status)
        with pytest.raises(ValidationError):
            services.response_submit(
                scope=admin_scope,
                actor=None,
                campaign=campaign,
                organisation=org,
                answers=good_answers,
            )


def test_resubmission_updates_same_response_and_is_audited(
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    admin_scope: Scope,
    sme: Any,
) -> None:
    campaign = make_campaign()
    org = make_org()
    low = synthetic_answers(sme.engine(), random.Random(1), 0.1)
    high = synthetic_answers(sme.engine(), random.Random(1), 1.0)
    a = services.response_submit(
        scope=admin_scope, actor=None, campaign=campaign, organisation=org, answers=low
    ).response
    b = services.response_submit(
        scope=admin_scope, actor=None, campaign=campaign, organisation=org, answers=high
    ).response
    assert a.pk == b.pk
    assert b.overall == pytest.approx(100.0)
    assert Response.objects.filter(campaign=campaign).count() == 1
    event = AuditEvent.objects.get(action="response.resubmit", object_id=str(a.pk))
    assert event.before["overall"] == pytest.approx(a.overall)
    assert event.after["overall"] == pytest.approx(100.0)


def test_idempotency_key_returns_first_result(
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    admin_scope: Scope,
    sme: Any,
) -> None:
    campaign = make_campaign()
    org = make_org()
    first_answers = synthetic_answers(sme.engine(), random.Random(1), 0.2)
    other_answers = synthetic_answers(sme.engine(), random.Random(1), 1.0)
    one = services.response_submit(
        scope=admin_scope,
        actor=None,
        campaign=campaign,
        organisation=org,
        answers=first_answers,
        idempotency_key="k-1",
    )
    again = services.response_submit(
        scope=admin_scope,
        actor=None,
        campaign=campaign,
        organisation=org,
        answers=other_answers,
        idempotency_key="k-1",
    )
    assert again.replayed and again.response.pk == one.response.pk
    assert again.response.overall == pytest.approx(one.response.overall)
    assert Response.objects.get(pk=one.response.pk).overall == pytest.approx(one.response.overall)
    assert AuditEvent.objects.filter(object_type="assessments.response").count() == 1
    # the same key in another campaign is another submission
    other = make_campaign(name="Đợt khác")
    assert not services.response_submit(
        scope=admin_scope,
        actor=None,
        campaign=other,
        organisation=org,
        answers=first_answers,
        idempotency_key="k-1",
    ).replayed


def test_verify_and_reject(
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    admin_scope: Scope,
    good_answers: dict[str, Any],
    make_user: Callable[..., Any],
) -> None:
    campaign = make_campaign()
    org = make_org()
    r = services.response_submit(
        scope=admin_scope, actor=None, campaign=campaign, organisation=org, answers=good_answers
    ).response
    outsider = make_user("province", unit="48")
    with pytest.raises(PermissionDenied):
        services.response_verify(scope=scope_for(outsider), actor=outsider, response=r)
    officer = make_user("commune", unit="00004")
    with pytest.raises(ValidationError) as exc:
        services.response_reject(scope=scope_for(officer), actor=officer, response=r, reason="  ")
    assert "reason" in exc.value.message_dict
    rejected = services.response_reject(
        scope=scope_for(officer), actor=officer, response=r, reason="Số lao động không khớp"
    )
    assert rejected.status == "rejected"
    verified = services.response_verify(scope=scope_for(officer), actor=officer, response=r)
    assert verified.status == "verified" and verified.verified_by == officer
    assert (
        AuditEvent.objects.filter(action="response.reject", actor=officer)
        .get()
        .after["rejection_reason"]
        == "Số lao động không khớp"
    )


def test_respondent_sees_and_answers_only_its_organisation(
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    admin_scope: Scope,
    good_answers: dict[str, Any],
    make_user: Callable[..., Any],
) -> None:
    campaign = make_campaign()
    mine, theirs = make_org(), make_org()
    user = make_user("respondent")
    services.organisation_member_add(scope=admin_scope, actor=None, organisation=mine, user=user)
    scope = scope_for(user)
    r = services.response_submit(
        scope=scope, actor=user, campaign=campaign, organisation=mine, answers=good_answers
    ).response
    assert r.channel == "web"
    with pytest.raises(PermissionDenied):
        services.response_submit(
            scope=scope, actor=user, campaign=campaign, organisation=theirs, answers=good_answers
        )
    services.response_submit(
        scope=admin_scope,
        actor=None,
        campaign=campaign,
        organisation=theirs,
        answers=good_answers,
    )
    assert list(selectors.response_list(scope=scope)) == [r]
    assert list(selectors.organisation_list(scope=scope)) == [mine]
    assert OrganisationMember.objects.get(user=user).organisation == mine


def test_anonymous_needs_resume_code_for_existing_response(
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    good_answers: dict[str, Any],
) -> None:
    campaign = make_campaign()
    org = make_org()
    draft = services.response_save_draft(
        scope=ANON,
        actor=None,
        campaign=campaign,
        organisation=org,
        answers={k: good_answers[k] for k in list(good_answers)[:2]},
    )
    code = selectors.resume_code_of(draft)
    assert code and len(code) == 13  # 65 bits of the 32-letter alphabet
    with pytest.raises(PermissionDenied):
        services.response_submit(
            scope=ANON, actor=None, campaign=campaign, organisation=org, answers=good_answers
        )
    done = services.response_submit(
        scope=ANON,
        actor=None,
        campaign=campaign,
        organisation=org,
        answers=good_answers,
        resume_code=code.lower(),
    ).response
    assert done.pk == draft.pk and done.status == "submitted"


@pytest.mark.parametrize("answers_kind", ["valid", "invalid"])
def test_a_key_reused_for_another_organisation_returns_the_first_result(
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    admin_scope: Scope,
    sme: Any,
    answers_kind: str,
) -> None:
    campaign = make_campaign()
    first_org, second_org = make_org(), make_org()
    answers = synthetic_answers(sme.engine(), random.Random(2), 0.5)
    one = services.response_submit(
        scope=admin_scope,
        actor=None,
        campaign=campaign,
        organisation=first_org,
        answers=answers,
        idempotency_key="k-2",
    )
    again = services.response_submit(
        scope=admin_scope,
        actor=None,
        campaign=campaign,
        organisation=second_org,
        answers=answers if answers_kind == "valid" else {"no-such-criterion": 1},
        idempotency_key="k-2",
    )
    assert again.replayed and again.response.pk == one.response.pk
    assert not Response.objects.filter(campaign=campaign, organisation=second_org).exists()
    assert AuditEvent.objects.filter(object_type="assessments.response").count() == 1
