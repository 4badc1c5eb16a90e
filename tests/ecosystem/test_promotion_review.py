"""Promotions follow the officers' review: pending until approved, public and ranked only then."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from thuocdo.accounts.models import AuditEvent
from thuocdo.accounts.selectors import scope_for
from thuocdo.cli import main
from thuocdo.ecosystem import selectors, services
from thuocdo.ecosystem.models import PromotionStatus

from . import factories as f

pytestmark = pytest.mark.django_db

API = "/api/v1/ecosystem"


def provider_promotion(owner: Any, sol: Any, **extra: Any) -> Any:
    return services.promotion_create(
        scope=scope_for(owner),
        actor=owner,
        solution=sol,
        title="Dùng thử sáu tháng",
        free_trial_months=6,
        valid_from=timezone.localdate() - timedelta(days=1),
        **extra,
    )


def recommended_promotion(capsys: pytest.CaptureFixture[str], resp: Any, sol: Any) -> Any:
    """The `promotion` of ``sol`` in `thuocdo recommend RESPONSE_ID` JSON."""
    assert main(["recommend", str(resp.pk), "--limit", "200"]) == 0
    data = json.loads(capsys.readouterr().out)
    return next(s for s in data["solutions"] if s["id"] == sol.pk)["promotion"]


def public_ids(client: Client, sol: Any) -> set[int]:
    r = client.get(f"{API}/promotions", {"solution_id": sol.pk})
    assert r.status_code == 200
    return {p["id"] for p in r.json()}


def ranked_setup(make_user: Any) -> tuple[Any, Any, Any, Any, Any]:
    """A provider, a ministry officer, a scored response and the provider's listing covering
    one of its unmet criteria, with a new (pending) six-month trial."""
    owner = make_user(role="provider")
    officer = make_user(role="ministry")
    resp = f.response(f.organisation(), f.campaign(f.framework("sme-dx")))
    sol = f.solution(f.provider(users=[owner]), criteria=[f"sme-dx:{resp.unmet[0]}"])
    return owner, officer, resp, sol, provider_promotion(owner, sol)


def test_a_providers_promotion_is_neither_public_nor_ranked_until_approved(
    make_user: Any, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    owner, officer, resp, sol, promo = ranked_setup(make_user)
    assert promo.status == PromotionStatus.PENDING
    assert not selectors.promotion_list(scope=scope_for(None), solution_id=sol.pk).exists()
    assert public_ids(client, sol) == set()
    assert (
        "Dùng thử sáu tháng" not in client.get(f"/ecosystem/solutions/{sol.pk}/").content.decode()
    )
    assert recommended_promotion(capsys, resp, sol) is None
    # the provider sees its own pending promotion, with its status
    assert selectors.promotion_list(scope=scope_for(owner), solution_id=sol.pk).get() == promo

    services.promotion_review(
        scope=scope_for(officer), actor=officer, promotion=promo, approve=True
    )
    assert public_ids(client, sol) == {promo.pk}
    assert "Dùng thử sáu tháng" in client.get(f"/ecosystem/solutions/{sol.pk}/").content.decode()
    shown = recommended_promotion(capsys, resp, sol)
    assert shown["id"] == promo.pk and shown["meets_policy"] is True


def test_an_edit_of_an_approved_promotion_goes_back_to_pending(
    make_user: Any, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    owner, officer, resp, sol, promo = ranked_setup(make_user)
    services.promotion_review(
        scope=scope_for(officer), actor=officer, promotion=promo, approve=True
    )
    assert recommended_promotion(capsys, resp, sol)["free_trial_months"] == 6
    services.promotion_update(
        scope=scope_for(owner), actor=owner, promotion=promo, data={"free_trial_months": 12}
    )
    promo.refresh_from_db()
    assert promo.status == PromotionStatus.PENDING and promo.free_trial_months == 12
    assert public_ids(client, sol) == set()
    assert recommended_promotion(capsys, resp, sol) is None


def test_a_provider_cannot_approve_and_an_officer_outside_the_catalogue_scope_cannot(
    make_user: Any,
) -> None:
    owner = make_user(role="provider")
    province = make_user(role="province", unit=_province_code())
    sol = f.solution(f.provider(users=[owner]), tags=["crm"])
    promo = provider_promotion(owner, sol)
    for user in (owner, province):
        with pytest.raises(PermissionDenied):
            services.promotion_review(
                scope=scope_for(user), actor=user, promotion=promo, approve=True
            )
    with pytest.raises(PermissionDenied):  # nor approve it on creation
        provider_promotion(owner, sol, approved=True)
    promo.refresh_from_db()
    assert promo.status == PromotionStatus.PENDING


def _province_code() -> str:
    from thuocdo.geo.models import Unit

    unit = Unit.objects.filter(structure="2025", level="province").order_by("code").first()
    assert unit is not None
    return unit.code


def test_bad_transitions_are_refused_with_a_message_and_every_step_is_audited(
    make_user: Any,
) -> None:
    owner = make_user(role="provider")
    officer = make_user(role="ministry")
    sol = f.solution(f.provider(users=[owner]), tags=["crm"])
    promo = provider_promotion(owner, sol)
    review = scope_for(officer)
    with pytest.raises(ValidationError) as err:
        services.promotion_review(scope=review, actor=officer, promotion=promo, approve=False)
    assert "note" in err.value.message_dict
    services.promotion_review(
        scope=review, actor=officer, promotion=promo, approve=False, note="Thời hạn chưa rõ"
    )
    assert promo.status == PromotionStatus.DECLINED
    for approve in (True, False):  # a declined promotion is not reviewed again unedited
        with pytest.raises(ValidationError) as err:
            services.promotion_review(
                scope=review, actor=officer, promotion=promo, approve=approve, note="x"
            )
        assert "Không được duyệt" in err.value.message_dict["status"][0]
    with pytest.raises(ValidationError) as err:  # an edit is checked like a new promotion
        services.promotion_update(
            scope=scope_for(owner), actor=owner, promotion=promo, data={"discount_percent": "150"}
        )
    assert "discount_percent" in err.value.message_dict
    services.promotion_update(
        scope=scope_for(owner), actor=owner, promotion=promo, data={"valid_to": "2099-12-31"}
    )
    services.promotion_review(scope=review, actor=officer, promotion=promo, approve=True)
    with pytest.raises(ValidationError) as err:
        services.promotion_review(scope=review, actor=officer, promotion=promo, approve=True)
    assert "Đã duyệt" in err.value.message_dict["status"][0]
    events = list(
        AuditEvent.objects.filter(object_type="ecosystem.promotion", object_id=str(promo.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert events == [
        "ecosystem.promotion_create",
        "ecosystem.promotion_decline",
        "ecosystem.promotion_update",
        "ecosystem.promotion_approve",
    ]
    last = AuditEvent.objects.filter(action="ecosystem.promotion_approve").get()
    assert last.before["status"] == "pending" and last.after["status"] == "approved"
    assert last.actor_id == officer.pk


def test_approvals_page_lists_pending_promotions_and_officers_review_there_and_in_the_api(
    make_user: Any, client: Client, token_for: Any
) -> None:
    owner = make_user(role="provider")
    officer = make_user(role="ministry")
    sol = f.solution(f.provider(users=[owner]), tags=["crm"], name_vi="CRM Sao Mai")
    promo = provider_promotion(owner, sol)
    other = provider_promotion(owner, sol)
    client.force_login(officer)
    html = client.get("/ecosystem/approvals/").content.decode()
    assert "Dùng thử sáu tháng" in html and "CRM Sao Mai" in html
    assert f"/ecosystem/promotions/{promo.pk}/review/" in html
    r = client.post(f"/ecosystem/promotions/{promo.pk}/review/", {"decision": "approve"})
    assert r.status_code == 302
    promo.refresh_from_db()
    assert promo.status == PromotionStatus.APPROVED
    assert (
        f"/ecosystem/promotions/{promo.pk}/review/"
        not in client.get("/ecosystem/approvals/").content.decode()
    )
    client.force_login(owner)
    r = client.post(f"/ecosystem/promotions/{other.pk}/review/", {"decision": "approve"})
    assert r.status_code == 403
    other.refresh_from_db()
    assert other.status == PromotionStatus.PENDING
    # the API: a provider edits (back to pending), an officer declines with a reason
    r = client.patch(
        f"{API}/promotions/{promo.pk}",
        {"discount_percent": "20"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(owner)}",
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "pending"
    review = f"{API}/promotions/{promo.pk}/review"
    r = client.post(
        review,
        {"approve": True},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(owner)}",
    )
    assert r.status_code == 403
    r = client.post(
        review,
        {"approve": False, "note": "Sai tên"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(officer)}",
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "declined" and r.json()["review_note"] == "Sai tên"


def test_the_migration_approves_the_promotions_that_existed_before_review(
    make_user: Any,
) -> None:
    from importlib import import_module

    from django.apps import apps

    owner = make_user(role="provider")
    sol = f.solution(f.provider(users=[owner]), tags=["crm"])
    old = provider_promotion(owner, sol)
    assert old.status == PromotionStatus.PENDING
    migration = import_module("thuocdo.ecosystem.migrations.0002_promotion_review")
    migration.approve_existing(apps, None)
    old.refresh_from_db()
    assert old.status == PromotionStatus.APPROVED
