"""Who may change what: provider content, replayed submissions, account records, passwords."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.assessments.factories import DANANG_COMMUNE
from tests.ecosystem import factories as f

from thuocdo.accounts.selectors import scope_for
from thuocdo.ecosystem import services as eco
from thuocdo.ecosystem.models import Promotion, PromotionStatus, Solution, SolutionStatus

pytestmark = pytest.mark.django_db

ECO = "/api/v1/ecosystem"


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("role", "unit", "sectors"),
    [("commune", "00004", None), ("province", "01", None), ("ministry", None, ["retail"])],
)
def test_officers_cannot_rewrite_a_providers_listing_or_promotion(
    client: Client,
    make_user: Callable[..., Any],
    token_for: Callable[[Any], str],
    role: str,
    unit: str | None,
    sectors: list[str] | None,
) -> None:
    owner = make_user("provider")
    sol = f.solution(f.provider(users=[owner]), tags=["crm"], description_vi="Mô tả gốc")
    promo = eco.promotion_create(
        scope=scope_for(owner),
        actor=owner,
        solution=sol,
        title="Dùng thử sáu tháng",
        free_trial_months=6,
        valid_from=timezone.localdate() - timedelta(days=1),
    )
    officer = make_user(role, unit, sectors=sectors)
    token = token_for(officer)
    res = client.patch(
        f"{ECO}/solutions/{sol.pk}",
        {"description_vi": "Nội dung của cán bộ"},
        content_type="application/json",
        headers=_h(token),
    )
    assert res.status_code == 403, res.content
    res = client.patch(
        f"{ECO}/promotions/{promo.pk}",
        {"title": "Khuyến mãi của cán bộ"},
        content_type="application/json",
        headers=_h(token),
    )
    assert res.status_code == 403, res.content
    sol.refresh_from_db()
    promo.refresh_from_db()
    assert sol.description_vi == "Mô tả gốc" and sol.status == SolutionStatus.APPROVED
    assert promo.title == "Dùng thử sáu tháng" and promo.status == PromotionStatus.PENDING
    # the provider's own user still edits, and the listing goes back for review
    res = client.patch(
        f"{ECO}/solutions/{sol.pk}",
        {"description_vi": "Mô tả mới"},
        content_type="application/json",
        headers=_h(token_for(owner)),
    )
    assert res.status_code == 200, res.content
    assert Solution.objects.get(pk=sol.pk).status == SolutionStatus.PENDING
    assert Promotion.objects.get(pk=promo.pk).title == "Dùng thử sáu tháng"


def test_a_replayed_idempotency_key_is_checked_like_a_fresh_read(
    client: Client,
    make_user: Callable[..., Any],
    token_for: Callable[[Any], str],
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    good_answers: dict[str, Any],
) -> None:
    campaign = make_campaign(area="01")
    org = make_org(name="Công ty Bí Mật Hà Nội")
    hanoi = make_user("province", "01")
    body = {"campaign_id": campaign.pk, "organisation_id": org.pk, "answers": good_answers}
    url = "/api/v1/assessments/responses"
    first = client.post(
        url,
        json.dumps(body),
        content_type="application/json",
        headers={**_h(token_for(hanoi)), "Idempotency-Key": "khoa-K"},
    )
    assert first.status_code == 201, first.content
    other_org = make_org(name="Công ty Khác", commune_code=DANANG_COMMUNE)
    for outsider in (make_user("province", "48"), make_user("commune", DANANG_COMMUNE)):
        for payload in (body, {**body, "organisation_id": other_org.pk}, {**body, "answers": {}}):
            res = client.post(
                url,
                json.dumps(payload),
                content_type="application/json",
                headers={**_h(token_for(outsider)), "Idempotency-Key": "khoa-K"},
            )
            assert res.status_code in (403, 404, 422), res.content
            assert "Bí Mật" not in res.content.decode()
    # the same officer's retry is still a replay
    again = client.post(
        url,
        json.dumps(body),
        content_type="application/json",
        headers={**_h(token_for(hanoi)), "Idempotency-Key": "khoa-K"},
    )
    assert again.status_code == 200 and again.json()["replayed"] is True


def test_the_offline_form_makes_keys_from_a_cryptographic_generator() -> None:
    import thuocdo.assessments

    script = (
        Path(thuocdo.assessments.__file__).parent / "static/thuocdo/assessments/offline.js"
    ).read_text(encoding="utf-8")
    assert "Math.random" not in script
    assert "crypto.randomUUID" in script and "crypto.getRandomValues" in script


def test_a_ministry_officer_does_not_read_user_records(
    client: Client, make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    target = make_user("respondent", "00004")
    ministry = make_user("ministry", sectors=["retail"])
    res = client.get(f"/api/v1/accounts/users/{target.pk}", headers=_h(token_for(ministry)))
    assert res.status_code == 403
    res = client.get("/api/v1/accounts/users", headers=_h(token_for(ministry)))
    assert res.status_code == 403
    client.force_login(ministry)
    assert client.get(f"/accounts/users/{target.pk}/").status_code == 403
    assert client.get("/accounts/users/").status_code == 403


@pytest.mark.parametrize("password", ["1234567890", "password123", "ngan"])
def test_api_user_creation_applies_the_password_policy(
    client: Client, make_user: Callable[..., Any], token_for: Callable[[Any], str], password: str
) -> None:
    admin = make_user("admin")
    res = client.post(
        "/api/v1/accounts/users",
        {"username": "moi-tao", "password": password, "role": "province", "unit_code": "01"},
        content_type="application/json",
        headers=_h(token_for(admin)),
    )
    assert res.status_code == 422, res.content
    fields = {e["field"] for e in res.json()["errors"]}
    assert fields & {"password", "body.payload.password"}
    from thuocdo.accounts.models import User

    assert not User.objects.filter(username="moi-tao").exists()
