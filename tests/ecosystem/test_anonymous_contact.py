"""A respondent without an account asks a provider to contact it from the result page, proven
by the response's resume code; national platforms are listed apart, with their lead agency."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from tests.ecosystem import factories as f

from thuocdo.accounts.models import AuditEvent
from thuocdo.accounts.scopes import Scope
from thuocdo.assessments.services.responses import _new_resume_code
from thuocdo.ecosystem import connections, recommend, selectors
from thuocdo.ecosystem.builtins import platform_index
from thuocdo.ecosystem.domain.contact import normalise_phone
from thuocdo.ecosystem.models import ConnectionRequest, ContactAttempt, Solution

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user: Any) -> dict[str, Any]:
    fv = f.framework()
    camp = f.campaign(fv)
    org = f.organisation(sector="retail")
    response = f.response(org, camp)
    code = _new_resume_code(response)
    provider_user = make_user("provider")
    prov = f.provider(users=[provider_user])
    sol = f.solution(prov, criteria=[f"{fv.code}:{c}" for c in response.unmet])
    base = f"/assessments/c/{camp.public_token}/r/{code}"
    return {
        "campaign": camp,
        "org": org,
        "response": response,
        "code": code,
        "solution": sol,
        "provider": prov,
        "provider_user": provider_user,
        "result": f"{base}/result/",
        "contact": f"{base}/contact/",
    }


def _form(w: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data = {
        "response": str(w["response"].pk),
        "solution": str(w["solution"].pk),
        "contact_name": "Chị Lan",
        "phone": "0912 345 678",
        "email": "",
        "consent": "1",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_phone_numbers_are_read_the_vietnamese_way() -> None:
    assert normalise_phone("0912 345 678") == "0912345678"
    assert normalise_phone("+84 912.345.678") == "0912345678"
    assert normalise_phone("84-38-123-4567") == "0381234567"
    assert normalise_phone("(024) 3825 1234") == "02438251234"
    assert normalise_phone("0112345678") is None  # no such mobile prefix
    assert normalise_phone("091234567") is None  # nine digits
    assert normalise_phone("abc") is None


def test_result_page_offers_the_contact_form_without_an_account(
    client: Client, world: dict[str, Any]
) -> None:
    html = client.get(world["result"]).content.decode()
    assert f'action="{world["contact"]}"' in html
    assert 'name="consent"' in html
    assert 'action="/ecosystem/connections/new/"' not in html


def test_request_with_the_resume_code_creates_a_connection_with_consent(
    client: Client, world: dict[str, Any]
) -> None:
    res = client.post(world["contact"], _form(world, email="Lan@Example.VN"))
    assert res.status_code == 302 and res["Location"].startswith(world["result"])
    c = ConnectionRequest.objects.get(organisation=world["org"], solution=world["solution"])
    assert c.without_account and c.requested_by is None and c.response == world["response"]
    assert c.contact_phone == "0912345678" and c.contact_email == "lan@example.vn"
    assert c.contact_name == "Chị Lan"
    assert c.consent_at is not None and c.consent_version == connections.CONSENT_VERSION
    assert c.status == "requested" and c.provider == world["provider"]
    assert AuditEvent.objects.filter(
        action="ecosystem.connection_request", object_id=str(c.pk)
    ).exists()
    assert ContactAttempt.objects.filter(response=world["response"]).count() == 1
    page = client.get(res["Location"]).content.decode()
    assert world["provider"].name in page
    # asking again while it is open keeps one request, with the newest details
    again = client.post(world["contact"], _form(world, phone="+84 38 123 4567"))
    assert again.status_code == 302
    assert ConnectionRequest.objects.filter(organisation=world["org"]).count() == 1
    c.refresh_from_db()
    assert c.contact_phone == "0381234567"


def test_provider_gets_an_email_and_sees_the_contact_details(
    client: Client,
    world: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    make_user: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(world["contact"], _form(world, email="lan@example.vn"))
    assert any("0912345678" in m.body for m in mail.outbox)
    provider = Client()
    provider.force_login(world["provider_user"])
    html = provider.get("/ecosystem/provider/").content.decode()
    assert "0912345678" in html and "lan@example.vn" in html and "Chị Lan" in html
    scope = Scope(role="provider", user_id=world["provider_user"].pk)
    assert selectors.connection_list(scope=scope).filter(without_account=True).count() == 1
    # another provider sees nothing of it, on its page or through the reads
    other_user = make_user("provider")
    f.provider(users=[other_user])
    other = Client()
    other.force_login(other_user)
    assert "0912345678" not in other.get("/ecosystem/provider/").content.decode()
    other_scope = Scope(role="provider", user_id=other_user.pk)
    assert not selectors.connection_list(scope=other_scope).exists()


def test_officer_sees_the_counts_without_the_contact_details(
    client: Client, world: dict[str, Any], make_user: Any
) -> None:
    client.post(world["contact"], _form(world))
    officer = make_user("admin")
    rows = selectors.connection_summary(scope=Scope(role="admin"), by="provider")
    row = next(r for r in rows if r["key"] == world["provider"].name)
    assert row["requested"] == 1 and row["without_account"] == 1
    other = Client()
    other.force_login(officer)
    html = other.get("/ecosystem/connections/").content.decode()
    assert "0912345678" not in html


def test_a_forged_resume_code_is_refused(client: Client, world: dict[str, Any]) -> None:
    forged = world["contact"].replace(world["code"], "ABCDEFGHJKLMN")
    res = client.post(forged, _form(world))
    assert res.status_code == 403
    assert "mã tiếp tục" in res.content.decode().lower()  # "this resume code is not valid"
    assert not ConnectionRequest.objects.exists()


def test_a_code_of_another_response_is_refused(client: Client, world: dict[str, Any]) -> None:
    other = f.response(f.organisation(), world["campaign"])
    res = client.post(world["contact"], _form(world, response=str(other.pk)))
    assert res.status_code == 403
    assert not ConnectionRequest.objects.exists()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        connections.connection_request_contact(
            response=other,
            resume_code=world["code"],
            solution=world["solution"],
            phone="0912345678",
            consent=True,
        )


def test_missing_consent_is_refused_naming_the_field(client: Client, world: dict[str, Any]) -> None:
    res = client.post(world["contact"], _form(world, consent=None))
    assert res.status_code == 422
    assert "consent" in res.content.decode().lower() or "đồng ý" in res.content.decode()
    assert not ConnectionRequest.objects.exists()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        connections.connection_request_contact(
            response=world["response"],
            resume_code=world["code"],
            solution=world["solution"],
            phone="0912345678",
        )
    assert list(exc.value.message_dict) == ["consent"]


def test_bad_phone_and_no_contact_are_refused(client: Client, world: dict[str, Any]) -> None:
    res = client.post(world["contact"], _form(world, phone="12345"))
    assert res.status_code == 422
    html = res.content.decode()
    assert "12345" in html and 'aria-invalid="true"' in html
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        connections.connection_request_contact(
            response=world["response"],
            resume_code=world["code"],
            solution=world["solution"],
            consent=True,
        )
    assert list(exc.value.message_dict) == ["phone"]
    with pytest.raises(ValidationError) as exc:
        connections.connection_request_contact(
            response=world["response"],
            resume_code=world["code"],
            solution=world["solution"],
            email="not-an-address",
            consent=True,
        )
    assert list(exc.value.message_dict) == ["email"]
    assert not ConnectionRequest.objects.exists()


@override_settings(CONTACT_LIMIT_PER_RESPONSE=2, CONTACT_LIMIT_PER_ADDRESS=50)
def test_requests_per_response_are_limited(client: Client, world: dict[str, Any]) -> None:
    assert client.post(world["contact"], _form(world)).status_code == 302
    assert client.post(world["contact"], _form(world)).status_code == 302
    res = client.post(world["contact"], _form(world))
    assert res.status_code == 429 and res["Retry-After"] == "3600"
    assert "today" in res.content.decode() or "hôm nay" in res.content.decode()


@override_settings(CONTACT_LIMIT_PER_RESPONSE=50, CONTACT_LIMIT_PER_ADDRESS=1)
def test_requests_per_address_are_limited(client: Client, world: dict[str, Any]) -> None:
    assert client.post(world["contact"], _form(world)).status_code == 302
    other = f.response(f.organisation(), world["campaign"])
    code = _new_resume_code(other)
    url = f"/assessments/c/{world['campaign'].public_token}/r/{code}/contact/"
    res = client.post(url, _form(world, response=str(other.pk)))
    assert res.status_code == 429
    # another address is not held back
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert elsewhere.post(url, _form(world, response=str(other.pk))).status_code == 302


def test_a_national_platform_is_not_asked_through_a_provider(world: dict[str, Any]) -> None:
    platform = Solution.objects.get(code="np-gov-cloud")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        connections.connection_request_contact(
            response=world["response"],
            resume_code=world["code"],
            solution=platform,
            phone="0912345678",
            consent=True,
        )
    assert list(exc.value.message_dict) == ["solution"]


def test_result_page_lists_national_platforms_apart_with_their_owner(
    client: Client, world: dict[str, Any]
) -> None:
    advice = recommend.advice_for_response(world["response"], limit=50)
    national = [m for m in advice.matches if m.entry.extra.national]
    assert national, "the low answers leave criteria a national platform covers"
    html = client.get(world["result"]).content.decode()
    assert 'id="eco-national"' in html
    products, platforms = html.split('id="eco-national"', 1)
    info = platform_index()[national[0].entry.extra.code]
    assert national[0].entry.extra.name_vi in platforms
    assert info.owner in platforms
    assert info.how_to_use_vi[:30] in platforms
    assert world["solution"].name_vi in products.split('id="eco-products"', 1)[1]


def test_catalogue_lists_national_platforms_apart_and_filters_by_sector(client: Client) -> None:
    prov = f.provider()
    retail = f.solution(prov, name_vi="Phần mềm Bán Lẻ Thử", sectors=["retail"], tags=["cloud"])
    farm = f.solution(
        prov, name_vi="Phần mềm Nông Trại Thử", sectors=["agriculture"], tags=["cloud"]
    )
    every = f.solution(prov, name_vi="Phần mềm Mọi Ngành Thử", tags=["cloud"])
    html = client.get("/ecosystem/").content.decode()
    products, platforms = html.split('id="eco-national"', 1)
    assert retail.name_vi in products and "Nền tảng điện toán đám mây Chính phủ" in platforms
    assert "Nền tảng điện toán đám mây Chính phủ" not in products
    assert "Bộ Thông tin và Truyền thông" in platforms
    assert 'name="sector"' in html
    only = client.get("/ecosystem/?sector=retail").content.decode()
    assert retail.name_vi in only and every.name_vi in only and farm.name_vi not in only
    unknown = client.get("/ecosystem/?sector=nope").content.decode()
    assert farm.name_vi in unknown  # an unknown sector filters nothing


def test_a_national_platforms_page_shows_its_owner_and_how_to_use_it(client: Client) -> None:
    platform = Solution.objects.get(code="np-gov-cloud")
    html = client.get(f"/ecosystem/solutions/{platform.pk}/").content.decode()
    assert 'id="eco-owner"' in html and "Bộ Thông tin và Truyền thông" in html


def test_an_open_request_made_with_an_account_gets_the_contact_details(
    client: Client, world: dict[str, Any], make_user: Any
) -> None:
    officer = make_user("admin")
    open_one = connections.connection_request(
        scope=Scope(role="admin", user_id=officer.pk),
        actor=officer,
        organisation=world["org"],
        solution=world["solution"],
    )
    assert client.post(world["contact"], _form(world)).status_code == 302
    open_one.refresh_from_db()
    assert ConnectionRequest.objects.filter(organisation=world["org"]).count() == 1
    assert open_one.contact_phone == "0912345678" and open_one.consent_at is not None
    assert not open_one.without_account and open_one.response == world["response"]
    assert AuditEvent.objects.filter(
        action="ecosystem.connection_contact", object_id=str(open_one.pk)
    ).exists()


def test_the_api_gives_the_contact_details_to_the_provider_only(
    client: Client, world: dict[str, Any], make_user: Any, token_for: Any
) -> None:
    client.post(world["contact"], _form(world, email="lan@example.vn"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(world['provider_user'])}"}
    rows = Client().get("/api/v1/ecosystem/connections", **auth).json()["items"]
    assert len(rows) == 1 and rows[0]["without_account"] is True
    contact = rows[0]["contact"]
    assert contact["phone"] == "0912345678" and contact["email"] == "lan@example.vn"
    assert contact["consent_version"] == connections.CONSENT_VERSION
    officer = {"HTTP_AUTHORIZATION": f"Bearer {token_for(make_user('admin'))}"}
    seen = Client().get("/api/v1/ecosystem/connections", **officer).json()["items"]
    assert seen[0]["without_account"] is True and seen[0]["contact"] is None
    summary = Client().get("/api/v1/ecosystem/connections/summary?by=provider", **officer).json()
    assert sum(r["without_account"] for r in summary) == 1


def test_the_api_filters_solutions_by_sector(client: Client) -> None:
    prov = f.provider()
    farm = f.solution(
        prov, name_vi="Phần mềm Nông Trại API", sectors=["agriculture"], tags=["cloud"]
    )
    shop = f.solution(prov, name_vi="Phần mềm Cửa Hàng API", sectors=["retail"], tags=["cloud"])
    res = client.get("/api/v1/ecosystem/solutions?sector=retail&limit=500").json()
    ids = {s["id"] for s in res["items"]}
    assert shop.pk in ids and farm.pk not in ids
