from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from tests.assessments.factories import tax_code

from thuocdo.assessments.models import Response

pytestmark = pytest.mark.django_db


def _h(token: str, **extra: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", **extra}


def _post(client: Client, url: str, body: Any, token: str, **extra: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **_h(token, **extra))


def test_submit_with_idempotency_key(
    client: Client,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    hanoi_officer: Any,
    token_for: Callable[[Any], str],
    good_answers: dict[str, Any],
) -> None:
    token = token_for(hanoi_officer)
    campaign = make_campaign()
    org = make_org()
    body = {"campaign_id": campaign.pk, "organisation_id": org.pk, "answers": good_answers}
    first = _post(client, "/api/v1/assessments/responses", body, token, HTTP_IDEMPOTENCY_KEY="a1")
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["status"] == "submitted" and data["channel"] == "api"
    assert data["commune_code"] == org.commune.code
    again = _post(client, "/api/v1/assessments/responses", body, token, HTTP_IDEMPOTENCY_KEY="a1")
    assert again.status_code == 200
    assert again.json()["id"] == data["id"] and again.json()["replayed"] is True
    assert Response.objects.filter(campaign=campaign).count() == 1
    got = client.get(f"/api/v1/assessments/responses/{data['id']}", **_h(token))
    assert got.json()["overall"] == pytest.approx(data["overall"])


def test_validation_errors_name_each_answer(
    client: Client,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    hanoi_officer: Any,
    token_for: Callable[[Any], str],
    good_answers: dict[str, Any],
) -> None:
    token = token_for(hanoi_officer)
    campaign = make_campaign()
    org = make_org()
    answers = dict(good_answers)
    first, second = list(answers)[:2]
    answers[first] = 12345
    del answers[second]
    res = _post(
        client,
        "/api/v1/assessments/responses",
        {"campaign_id": campaign.pk, "organisation_id": org.pk, "answers": answers},
        token,
    )
    assert res.status_code == 422
    fields = {e["field"] for e in res.json()["errors"]}
    assert {f"answers.{first}", f"answers.{second}"} <= fields
    res = _post(client, "/api/v1/assessments/responses", {"campaign_id": "x"}, token)
    assert res.status_code == 422
    assert {e["field"] for e in res.json()["errors"]} >= {"body.payload.campaign_id"}


def test_scope_on_api(
    client: Client,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    token_for: Callable[[Any], str],
    good_answers: dict[str, Any],
) -> None:
    campaign = make_campaign()
    org = make_org()
    danang = token_for(make_user("province", unit="48"))
    res = _post(
        client,
        "/api/v1/assessments/responses",
        {"campaign_id": campaign.pk, "organisation_id": org.pk, "answers": good_answers},
        danang,
    )
    assert res.status_code == 403
    assert (
        client.get(f"/api/v1/assessments/organisations/{org.pk}", **_h(danang)).status_code == 404
    )
    listing = client.get("/api/v1/assessments/organisations", **_h(danang)).json()
    assert listing["total"] == 0
    assert client.get("/api/v1/assessments/organisations").status_code == 401


def test_organisations_campaigns_and_paging(
    client: Client,
    hanoi_officer: Any,
    token_for: Callable[[Any], str],
    make_org: Callable[..., Any],
) -> None:
    token = token_for(hanoi_officer)
    res = _post(
        client,
        "/api/v1/assessments/organisations",
        {
            "name": "Công ty CP Sen Vàng",
            "tax_code": tax_code(),
            "entity_type": "enterprise",
            "commune_code": "00004",
            "vsic": "1010",
            "employees": 150,
        },
        token,
    )
    assert res.status_code == 201, res.content
    assert res.json()["size_class"] == "medium" and res.json()["sector"] == "manufacturing"
    dup = _post(
        client,
        "/api/v1/assessments/organisations",
        {"name": "Công ty CP Sen Vàng", "entity_type": "enterprise", "commune_code": "00004"},
        token,
    )
    assert dup.status_code == 422
    assert res.json()["registry_id"] in dup.json()["errors"][0]["message"]
    for _ in range(4):
        make_org()
    page = client.get("/api/v1/assessments/organisations?page=2&page_size=2", **_h(token)).json()
    assert page["total"] == 5 and page["pages"] == 3 and len(page["items"]) == 2

    created = _post(
        client,
        "/api/v1/assessments/campaigns",
        {"framework": "sme-dx@2025.1", "area": "01", "year": 2025, "name": "Hà Nội 2025"},
        token,
    )
    assert created.status_code == 201, created.content
    cid = created.json()["id"]
    bad = _post(
        client, f"/api/v1/assessments/campaigns/{cid}/status", {"status": "published"}, token
    )
    assert bad.status_code == 422
    ok = _post(client, f"/api/v1/assessments/campaigns/{cid}/status", {"status": "open"}, token)
    assert ok.json()["status"] == "open"
    detail = client.get(f"/api/v1/assessments/campaigns/{cid}", **_h(token)).json()
    assert detail["responses"]["total"] == 0
    outside = _post(
        client,
        "/api/v1/assessments/campaigns",
        {"framework": "sme-dx@2025.1", "area": "48", "year": 2025, "name": "Đà Nẵng"},
        token,
    )
    assert outside.status_code == 403


def test_verify_reject_and_filters(
    client: Client,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    hanoi_officer: Any,
    token_for: Callable[[Any], str],
    good_answers: dict[str, Any],
) -> None:
    token = token_for(hanoi_officer)
    campaign = make_campaign()
    ids = []
    for _ in range(3):
        org = make_org()
        res = _post(
            client,
            "/api/v1/assessments/responses",
            {"campaign_id": campaign.pk, "organisation_id": org.pk, "answers": good_answers},
            token,
        )
        ids.append(res.json()["id"])
    res = _post(client, f"/api/v1/assessments/responses/{ids[0]}/reject", {"reason": ""}, token)
    assert res.status_code == 422
    res = _post(client, f"/api/v1/assessments/responses/{ids[0]}/reject", {"reason": "Sai"}, token)
    assert res.json()["status"] == "rejected"
    _post(client, f"/api/v1/assessments/responses/{ids[1]}/verify", {}, token)
    listing = client.get(
        f"/api/v1/assessments/responses?campaign={campaign.pk}&status=submitted", **_h(token)
    ).json()
    assert [r["id"] for r in listing["items"]] == [ids[2]]


def test_submission_query_count_is_bounded(
    client: Client,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    hanoi_officer: Any,
    token_for: Callable[[Any], str],
    good_answers: dict[str, Any],
    django_assert_max_num_queries: Any,
) -> None:
    token = token_for(hanoi_officer)
    campaign = make_campaign()
    warm = make_org()
    _post(
        client,
        "/api/v1/assessments/responses",
        {"campaign_id": campaign.pk, "organisation_id": warm.pk, "answers": good_answers},
        token,
        HTTP_IDEMPOTENCY_KEY="warm",
    )
    org = make_org()
    body = {"campaign_id": campaign.pk, "organisation_id": org.pk, "answers": good_answers}
    # the token was checked a moment ago: campaign with organisation, lock (with the key),
    # insert response and key (one statement on PostgreSQL), audit, and the savepoint around
    # the write
    from django.db import connection

    with django_assert_max_num_queries(6 if connection.vendor == "postgresql" else 7):
        res = _post(client, "/api/v1/assessments/responses", body, token, HTTP_IDEMPOTENCY_KEY="q")
    assert res.status_code == 201
    with django_assert_max_num_queries(6):
        again = _post(
            client, "/api/v1/assessments/responses", body, token, HTTP_IDEMPOTENCY_KEY="q"
        )
    assert again.json()["replayed"] is True
