"""API /api/v1/ecosystem and pages /ecosystem/: roles, errors, fragments."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from thuocdo.accounts.selectors import scope_for
from thuocdo.ecosystem import connections
from thuocdo.ecosystem.domain import next_level as nl
from thuocdo.ecosystem.models import ConnectionRequest, ConnectionStatus, Solution, SolutionStatus
from thuocdo.frameworks.engine import score

from . import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1/ecosystem"


def bearer(token: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_public_catalogue_shows_approved_only(client: Client) -> None:
    p = f.provider()
    shown = f.solution(p, tags=["crm"], name_vi="Quản lý khách hàng Sao Mai")
    hidden = f.solution(p, tags=["crm"], approved=False, name_vi="Bản nháp bí mật")
    r = client.get(f"{API}/solutions?limit=500")
    assert r.status_code == 200
    ids = {s["id"] for s in r.json()["items"]}
    assert shown.pk in ids and hidden.pk not in ids
    assert client.get(f"{API}/solutions/{hidden.pk}").status_code == 404
    page = client.get("/ecosystem/?q=sao mai")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Quản lý khách hàng Sao Mai" in html and "Bản nháp bí mật" not in html
    assert client.get(f"/ecosystem/solutions/{hidden.pk}/").status_code == 404
    assert client.get(f"/ecosystem/solutions/{shown.pk}/").status_code == 200


def test_provider_api_manages_own_listings_only(
    client: Client, make_user: Any, token_for: Any
) -> None:
    alice, bob = make_user(role="provider"), make_user(role="provider")
    pa, pb = f.provider(users=[alice]), f.provider(users=[bob])
    ta, tb = token_for(alice), token_for(bob)
    body = {
        "provider_id": pa.pk,
        "code": "hoa-don-a",
        "name_vi": "Hóa đơn A",
        "category": "finance",
        "solution_tags": ["e-invoice"],
        "price": "100000",
    }
    r = client.post(
        f"{API}/solutions", json.dumps(body), content_type="application/json", **bearer(ta)
    )
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    assert r.json()["status"] == SolutionStatus.DRAFT
    body_b = {**body, "provider_id": pa.pk, "code": "hoa-don-b"}
    assert (
        client.post(
            f"{API}/solutions", json.dumps(body_b), content_type="application/json", **bearer(tb)
        ).status_code
        == 404
    )  # not its provider
    assert client.get(f"{API}/solutions/{sid}", **bearer(tb)).status_code == 404
    mine_b = client.get(f"{API}/solutions/mine", **bearer(tb)).json()
    assert mine_b == []
    assert [s["id"] for s in client.get(f"{API}/solutions/mine", **bearer(ta)).json()] == [sid]
    assert pb.pk
    f.promotion(Solution.objects.get(pk=sid), months=3)
    url = f"{API}/promotions?solution_id={sid}"  # a public operation: the session's user
    assert client.get(url).status_code == 404  # anonymous: the draft is not public
    client.force_login(alice)
    own = client.get(url)
    assert own.status_code == 200 and len(own.json()) == 1
    client.force_login(bob)
    theirs = client.get(url)
    assert theirs.status_code == 404 and str(sid) in theirs.content.decode()


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"price": "-1"}, "price"),
        ({"solution_tags": ["not-a-tag"]}, "solution_tags"),
        ({"criteria": ["sme-dx:ZZZ"]}, "criteria"),
    ],
)
def test_bad_listing_is_refused_with_the_field(
    client: Client, make_user: Any, token_for: Any, patch: dict[str, Any], field: str
) -> None:
    alice = make_user(role="provider")
    pa = f.provider(users=[alice])
    body = {
        "provider_id": pa.pk,
        "code": "x-1",
        "name_vi": "X",
        "category": "business",
        "solution_tags": ["crm"],
        **patch,
    }
    r = client.post(
        f"{API}/solutions",
        json.dumps(body),
        content_type="application/json",
        **bearer(token_for(alice)),
    )
    assert r.status_code == 422
    assert field in {e["field"] for e in r.json()["errors"]}
    assert not Solution.objects.filter(code="x-1").exists()


def test_promotion_and_review_through_the_api(
    client: Client, make_user: Any, token_for: Any
) -> None:
    alice, officer = make_user(role="provider"), make_user(role="ministry")
    s = f.solution(f.provider(users=[alice]), tags=["crm"], approved=False)
    ta, to = token_for(alice), token_for(officer)
    bad = {"title": "Giảm giá", "discount_percent": "150", "valid_from": "2026-01-01"}
    r = client.post(
        f"{API}/solutions/{s.pk}/promotions",
        json.dumps(bad),
        content_type="application/json",
        **bearer(ta),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "discount_percent"
    bad2: dict[str, Any] = {
        "title": "Dùng thử",
        "free_trial_months": 6,
        "valid_from": "2026-02-01",
        "valid_to": "2026-01-01",
    }
    r = client.post(
        f"{API}/solutions/{s.pk}/promotions",
        json.dumps(bad2),
        content_type="application/json",
        **bearer(ta),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "valid_to"
    good = {"title": "Dùng thử", "free_trial_months": 6, "valid_from": "2026-01-01"}
    r = client.post(
        f"{API}/solutions/{s.pk}/promotions",
        json.dumps(good),
        content_type="application/json",
        **bearer(ta),
    )
    assert r.status_code == 201 and r.json()["meets_policy"] is True
    review = json.dumps({"approve": True})
    assert (
        client.post(
            f"{API}/solutions/{s.pk}/review", review, content_type="application/json", **bearer(ta)
        ).status_code
        == 403
    )
    r = client.post(
        f"{API}/solutions/{s.pk}/review", review, content_type="application/json", **bearer(to)
    )
    assert r.status_code == 422  # draft cannot be approved before it is submitted
    assert client.post(f"{API}/solutions/{s.pk}/submit", **bearer(ta)).status_code == 200
    r = client.post(
        f"{API}/solutions/{s.pk}/review", review, content_type="application/json", **bearer(to)
    )
    assert r.status_code == 200 and r.json()["status"] == SolutionStatus.APPROVED


def test_recommendations_api_and_fragment(client: Client, make_user: Any, token_for: Any) -> None:
    fv = f.framework("sme-dx")
    respondent = make_user(role="respondent")
    other = make_user(role="respondent")
    org = f.organisation()
    resp = f.response(org, f.campaign(fv), by=respondent)
    sol = f.solution(
        f.provider(), criteria=[f"sme-dx:{c}" for c in resp.unmet], name_vi="Giải pháp số một"
    )
    r = client.get(
        f"{API}/responses/{resp.pk}/recommendations?limit=100", **bearer(token_for(respondent))
    )
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["level"] == resp.level
    assert data["next_level"]["level"] == (resp.level or 0) + 1
    assert len(data["plan_text"]) == len(data["next_level"]["changes"])
    assert isinstance(data["next_level"]["exact"], bool)  # False: not proven smallest
    assert any(s["id"] == sol.pk and resp.unmet[0] in s["covers"] for s in data["solutions"])
    changed = {**resp.answers, **{c["criterion"]: c["to"] for c in data["next_level"]["changes"]}}
    assert score(fv.engine(), changed).level >= data["next_level"]["level"]
    assert (
        client.get(
            f"{API}/responses/{resp.pk}/recommendations", **bearer(token_for(other))
        ).status_code
        == 403
    )
    client.force_login(respondent)
    page = client.get(f"/ecosystem/responses/{resp.pk}/recommendations/", HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Giải pháp số một" in html and "<html" not in html
    r = client.post("/ecosystem/connections/new/", {"response": resp.pk, "solution": sol.pk})
    assert r.status_code == 302
    c = ConnectionRequest.objects.get(organisation=org, solution=sol)
    assert not c.on_behalf and c.response_id == resp.pk


def test_a_plan_not_proven_smallest_says_so(
    client: Client, make_user: Any, token_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fv = f.framework("market-dx")  # its lowest answers: a plan proven smallest
    respondent = make_user(role="respondent")
    resp = f.response(f.organisation(), f.campaign(fv), by=respondent)
    planner = nl.plan_next_level
    # no budget for the exact search: the greedy plan is given, marked as not proven smallest
    monkeypatch.setattr(nl, "plan_next_level", lambda fw, a: planner(fw, a, budget=0))
    r = client.get(f"{API}/responses/{resp.pk}/recommendations", **bearer(token_for(respondent)))
    assert r.status_code == 200, r.content
    plan = r.json()["next_level"]
    assert plan["exact"] is False
    changed = {**resp.answers, **{c["criterion"]: c["to"] for c in plan["changes"]}}
    assert score(fv.engine(), changed).level >= plan["level"]
    client.force_login(respondent)
    html = client.get(f"/ecosystem/responses/{resp.pk}/recommendations/").content.decode()
    assert "eco-not-exact" in html and "chứng minh" in html
    monkeypatch.setattr(nl, "plan_next_level", planner)
    html = client.get(f"/ecosystem/responses/{resp.pk}/recommendations/").content.decode()
    assert "eco-not-exact" not in html


def test_connection_transitions_through_api_and_roles(
    client: Client, make_user: Any, token_for: Any
) -> None:
    alice, bob = make_user(role="provider"), make_user(role="provider")
    sa = f.solution(f.provider(users=[alice]), tags=["crm"])
    unit = f.commune()
    officer = make_user(role="province", unit=unit.path.split("/")[1])
    org = f.organisation(unit=unit)
    body = json.dumps({"organisation_id": org.pk, "solution_id": sa.pk})
    r = client.post(
        f"{API}/connections", body, content_type="application/json", **bearer(token_for(officer))
    )
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert [
        c["id"]
        for c in client.get(f"{API}/connections", **bearer(token_for(alice))).json()["items"]
    ] == [cid]
    assert client.get(f"{API}/connections", **bearer(token_for(bob))).json()["items"] == []
    move = lambda to, tok: client.post(  # noqa: E731
        f"{API}/connections/{cid}/transition",
        json.dumps({"to": to}),
        content_type="application/json",
        **bearer(tok),
    )
    assert move("contacted", token_for(bob)).status_code == 404
    skip = move("adopted", token_for(alice))
    assert skip.status_code == 422 and skip.json()["errors"][0]["field"] == "status"
    assert move("contacted", token_for(alice)).json()["status"] == ConnectionStatus.CONTACTED
    assert move("requested", token_for(alice)).status_code == 422
    summary = client.get(
        f"{API}/connections/summary?by=commune", **bearer(token_for(officer))
    ).json()
    assert summary[0]["contacted"] == 1
    assert client.get(f"{API}/connections/summary", **bearer(token_for(alice))).status_code == 403
    assert client.get(f"{API}/reports/gaps", **bearer(token_for(alice))).status_code == 403
    assert client.get(f"{API}/reports/effect", **bearer(token_for(officer))).status_code == 200


def test_officer_pages_and_provider_dashboard(client: Client, make_user: Any) -> None:
    alice, officer = make_user(role="provider"), make_user(role="ministry")
    pa = f.provider(users=[alice])
    pending = f.solution(pa, tags=["crm"], approved=False, name_vi="Đang chờ duyệt")
    from thuocdo.ecosystem import services

    services.solution_submit(scope=f.ADMIN, actor=None, solution=pending)
    sol = f.solution(pa, tags=["crm"])
    org = f.organisation()
    connections.connection_request(scope=f.ADMIN, actor=None, organisation=org, solution=sol)
    # another provider's draft, listing and request addressed to it
    bob = make_user(role="provider")
    pb = f.provider(users=[bob])
    f.solution(pb, tags=["crm"], approved=False, name_vi="Bản nháp của người khác")
    theirs = f.solution(pb, tags=["crm"], name_vi="Giải pháp của người khác")
    org_b = f.organisation(name="Hợp tác xã Bên Kia")
    connections.connection_request(scope=f.ADMIN, actor=None, organisation=org_b, solution=theirs)
    client.force_login(alice)
    html = client.get("/ecosystem/provider/").content.decode()
    assert "Đang chờ duyệt" in html and org.name in html
    for absent in ("Bản nháp của người khác", "Giải pháp của người khác", "Hợp tác xã Bên Kia"):
        assert absent not in html, absent
    assert client.get("/ecosystem/approvals/").status_code == 403
    client.force_login(officer)
    for url in (
        "/ecosystem/approvals/",
        "/ecosystem/connections/?by=provider",
        "/ecosystem/effect/?by=province",
        "/ecosystem/gaps/",
    ):
        assert client.get(url).status_code == 200, url
    review_url = f"/ecosystem/solutions/{pending.pk}/review/"
    # a provincial officer sees the queue but cannot decide: the catalogue is national
    client.force_login(make_user(role="province", unit="01"))
    html = client.get("/ecosystem/approvals/").content.decode()
    assert "Đang chờ duyệt" in html and review_url not in html
    assert "Chỉ cán bộ quản lý cấp trung ương duyệt giải pháp." in html
    assert client.post(review_url, {"decision": "approve"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == SolutionStatus.PENDING
    client.force_login(officer)
    assert review_url in client.get("/ecosystem/approvals/").content.decode()
    r = client.post(review_url, {"decision": "approve"})
    assert r.status_code == 302
    pending.refresh_from_db()
    assert pending.status == SolutionStatus.APPROVED
    assert scope_for(officer).is_officer


def test_catalogue_filters_by_tag_category_and_text(client: Client) -> None:
    p = f.provider()
    crm = f.solution(p, tags=["crm"], category="business", name_vi="Chăm sóc khách hàng Bình Minh")
    invoice = f.solution(p, tags=["e-invoice"], category="finance", name_vi="Hóa đơn Bình Minh")
    by_tag = {
        s["id"] for s in client.get(f"{API}/solutions?tag=e-invoice&limit=500").json()["items"]
    }
    assert invoice.pk in by_tag and crm.pk not in by_tag
    by_text = {s["id"] for s in client.get(f"{API}/solutions?q=binh minh").json()["items"]}
    assert by_text == {crm.pk, invoice.pk}
    by_cat = {
        s["id"] for s in client.get(f"{API}/solutions?q=binh minh&category=finance").json()["items"]
    }
    assert by_cat == {invoice.pk}


def test_provider_creates_a_listing_from_the_dashboard(client: Client, make_user: Any) -> None:
    alice = make_user(role="provider")
    pa = f.provider(users=[alice])
    client.force_login(alice)
    form = {
        "provider": str(pa.pk),
        "code": "kho-hang-a",
        "name_vi": "Quản lý kho A",
        "category": "business",
        "price_model": "monthly",
        "price": "-10",
        "solution_tags": ["inventory"],
    }
    r = client.post("/ecosystem/provider/new/", form)
    assert r.status_code == 200
    assert "Giá không được âm." in r.content.decode()
    assert not Solution.objects.filter(code="kho-hang-a").exists()
    r = client.post("/ecosystem/provider/new/", {**form, "price": "120000"})
    assert r.status_code == 302
    s = Solution.objects.get(code="kho-hang-a")
    assert s.status == SolutionStatus.DRAFT and s.solution_tags == ["inventory"]
    other = make_user(role="provider")
    client.force_login(other)
    assert client.post("/ecosystem/provider/new/", {**form, "code": "x-2"}).status_code == 403


def test_bad_query_parameters_and_unknown_response_are_refused_by_name(
    client: Client, make_user: Any, token_for: Any
) -> None:
    unit = f.commune()
    officer = make_user(role="province", unit=unit.path.split("/")[1])
    tok = bearer(token_for(officer))
    for url, name in (
        (f"{API}/connections/summary?by=nope", "by"),
        (f"{API}/reports/effect?by=nope", "by"),
        (f"{API}/connections?status=nope", "status"),
        (f"{API}/solutions?status=nope", "status"),
    ):
        r = client.get(url, **tok)
        assert r.status_code == 422, (url, r.status_code)
        error = r.json()["errors"][0]
        assert error["field"] == name and "nope" in error["message"], url
    assert client.get(f"{API}/connections/summary?by=sector", **tok).status_code == 200
    assert client.get(f"{API}/connections?status=requested", **tok).status_code == 200
    sol = f.solution(f.provider(), tags=["crm"])
    org = f.organisation(unit=unit)
    body = json.dumps({"organisation_id": org.pk, "solution_id": sol.pk, "response_id": 987654})
    r = client.post(f"{API}/connections", body, content_type="application/json", **tok)
    assert r.status_code == 404 and "987654" in r.content.decode()
    assert not ConnectionRequest.objects.filter(organisation=org).exists()
