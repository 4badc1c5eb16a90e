from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from tests.assessments.factories import tax_code

from thuocdo.assessments.models import Organisation, Response
from thuocdo.frameworks.engine import score

pytestmark = pytest.mark.django_db


def _code_from(url: str) -> str:
    match = re.search(r"/r/([A-Z0-9]+)/", url)
    assert match, url
    return match.group(1)


def test_public_flow_lookup_answer_and_result(
    client: Client,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    good_answers: dict[str, Any],
) -> None:
    campaign = make_campaign()
    org = make_org()
    start = f"/assessments/c/{campaign.public_token}/"
    page = client.get(start)
    assert page.status_code == 200 and campaign.name in page.content.decode()
    res = client.post(start, {"identifier": org.tax_code, "action": "lookup"})
    assert res.status_code == 302
    code = _code_from(res["Location"])
    fw = campaign.framework.engine()
    pillars = list(fw.pillars)
    for n, pillar in enumerate(pillars, start=1):
        url = f"/assessments/c/{campaign.public_token}/r/{code}/{n}/"
        html = client.get(url).content.decode()
        assert pillar.criteria[0].question.text.vi in html
        post: dict[str, Any] = {}
        for c in pillar.criteria:
            v = good_answers[c.code]
            name = f"q_{c.code}"
            if isinstance(v, bool):
                post[name] = "yes" if v else "no"
            else:
                post[name] = v
        post["action"] = "submit" if n == len(pillars) else "next"
        res = client.post(url, post)
        assert res.status_code == 302, res.content.decode()[:2000]
    assert res["Location"].endswith(f"/r/{code}/result/")
    result = client.get(res["Location"]).content.decode()
    r = Response.objects.get(campaign=campaign, organisation=org)
    expected = score(fw, good_answers)
    assert r.status == "submitted" and r.channel == "web" and r.submitted_by is None
    assert r.overall == pytest.approx(expected.overall)
    assert (
        f"{expected.overall:.1f}".replace(".", ",") in result or f"{expected.overall:.1f}" in result
    )
    first_unmet = fw.criterion(expected.unmet[0]).name.vi if expected.unmet else None
    if first_unmet:
        assert first_unmet in result
    assert 'id="td-chart"' in result


def test_autosave_keeps_answers_and_resume_requires_code(
    client: Client,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    good_answers: dict[str, Any],
) -> None:
    campaign = make_campaign()
    org = make_org()
    start = f"/assessments/c/{campaign.public_token}/"
    code = _code_from(client.post(start, {"identifier": org.tax_code})["Location"])
    pillar = campaign.framework.engine().pillars[0]
    c = next(c for c in pillar.criteria if c.question.type == "single")
    save = f"/assessments/c/{campaign.public_token}/r/{code}/1/save/"
    res = client.post(save, {f"q_{c.code}": good_answers[c.code]}, HTTP_HX_REQUEST="true")
    assert res.status_code == 200
    assert Response.objects.get(organisation=org).answers == {c.code: good_answers[c.code]}
    # a wrong value is refused and named
    res = client.post(save, {f"q_{c.code}": "zzz"}, HTTP_HX_REQUEST="true")
    assert c.code in res.content.decode()
    assert Response.objects.get(organisation=org).answers == {c.code: good_answers[c.code]}
    # another visitor finding the same organisation must give the resume code
    other = Client()
    res = other.post(start, {"identifier": org.tax_code, "action": "lookup"}, follow=True)
    assert "resume code" in res.content.decode() or "mã tiếp tục" in res.content.decode().lower()
    res = other.post(start, {"code": code.lower(), "action": "resume"})
    assert res.status_code == 302 and code in res["Location"]
    assert other.get(f"/assessments/c/{campaign.public_token}/r/WRONG123/1/").status_code == 403
    # the page shows the saved answer after a reload
    html = other.get(res["Location"]).content.decode()
    assert f'value="{good_answers[c.code]}" checked' in html


def test_conditional_questions_hidden_by_server(
    client: Client,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    household: Any,
) -> None:
    campaign = make_campaign(framework=household, area="48")
    org = make_org(entity_type="household_business", commune_code="20275")
    code = _code_from(
        client.post(f"/assessments/c/{campaign.public_token}/", {"identifier": org.tax_code})[
            "Location"
        ]
    )
    fw = household.engine()
    target = next(c for c in fw.criteria() if c.relevant is not None)
    source = target.relevant.source
    assert "BH1" in source or "TT1" in source
    ref = "BH1" if "BH1" in source else "TT1"
    page = next(i for i, p in enumerate(fw.pillars, 1) if any(c.code == ref for c in p.criteria))
    tpage = next(
        i for i, p in enumerate(fw.pillars, 1) if any(c.code == target.code for c in p.criteria)
    )
    base = f"/assessments/c/{campaign.public_token}/r/{code}/"
    client.post(base + f"{page}/save/", {f"q_{ref}": "none"})
    html = client.get(base + f"{tpage}/").content.decode()
    assert re.search(rf'data-criterion="{target.code}"[^>]*hidden', html)
    schema = json.loads(
        re.search(r'id="td-schema" type="application/json">(.*?)</script>', html).group(1)
    )
    assert any(item["code"] == target.code and item["when"] for item in schema)


def test_register_then_duplicate(client: Client, make_campaign: Callable[..., Any]) -> None:
    campaign = make_campaign()
    url = f"/assessments/c/{campaign.public_token}/register/"
    assert client.get(url).status_code == 200
    data = {
        "name": "Hộ kinh doanh Tạp hoá Minh Anh",
        "entity_type": "enterprise",
        "commune_code": "00292",
        "tax_code": tax_code(),
    }
    res = client.post(url, data)
    assert res.status_code == 302
    assert Organisation.objects.filter(name=data["name"]).exists()
    res = Client().post(url, {**data, "tax_code": ""})
    assert res.status_code == 422
    assert "Minh Anh" in res.content.decode()
    res = Client().post(url, {"name": "", "entity_type": "robot", "commune_code": "20275"})
    assert res.status_code == 422


def test_officer_pages_and_on_behalf(
    client: Client,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    good_answers: dict[str, Any],
) -> None:
    from thuocdo.accounts.scopes import Scope
    from thuocdo.assessments import services

    campaign = make_campaign()
    orgs = [make_org() for _ in range(3)]
    for org in orgs[:2]:
        services.response_submit(
            scope=Scope(role="admin"),
            actor=None,
            campaign=campaign,
            organisation=org,
            answers=good_answers,
        )
    officer = make_user("commune", unit="00004")
    client.force_login(officer)
    index = client.get("/assessments/").content.decode()
    assert campaign.name in index
    detail = client.get(f"/assessments/campaigns/{campaign.pk}/").content.decode()
    assert campaign.public_token in detail
    listing = client.get(f"/assessments/campaigns/{campaign.pk}/responses/?status=submitted")
    assert listing.status_code == 200 and orgs[0].name in listing.content.decode()
    r = Response.objects.get(organisation=orgs[0])
    res = client.post(
        f"/assessments/responses/{r.pk}/decide/", {"decision": "reject", "reason": ""}
    )
    r.refresh_from_db()
    assert r.status == "submitted"
    client.post(f"/assessments/responses/{r.pk}/decide/", {"decision": "reject", "reason": "Thiếu"})
    r.refresh_from_db()
    assert r.status == "rejected" and r.rejection_reason == "Thiếu"
    # on behalf: the officer opens the third organisation through the public link
    res = client.post(f"/assessments/c/{campaign.public_token}/", {"identifier": orgs[2].tax_code})
    assert res.status_code == 302
    draft = Response.objects.get(organisation=orgs[2])
    assert draft.channel == "on_behalf" and draft.submitted_by == officer
    # an officer of another province cannot see the campaign
    client.force_login(make_user("province", unit="48"))
    assert client.get(f"/assessments/campaigns/{campaign.pk}/").status_code == 404


def test_offline_assets_served(client: Client, make_user: Callable[..., Any]) -> None:
    manifest = client.get("/assessments/manifest.webmanifest")
    assert manifest.status_code == 200
    assert json.loads(manifest.content)["start_url"] == "/assessments/offline/"
    sw = client.get("/assessments/sw.js")
    assert sw.status_code == 200 and sw["Service-Worker-Allowed"] == "/assessments/"
    assert (
        "/assessments/offline/" in sw.content.decode() and "__ASSETS__" not in sw.content.decode()
    )
    assert client.get("/assessments/offline/").status_code == 302  # login first
    client.force_login(make_user("commune", unit="00004"))
    assert 'rel="manifest"' in client.get("/assessments/offline/").content.decode()


def test_offline_sync_endpoint_registers_and_is_idempotent(
    client: Client,
    make_campaign: Callable[..., Any],
    make_user: Callable[..., Any],
    good_answers: dict[str, Any],
) -> None:
    campaign = make_campaign()
    officer = make_user("commune", unit="00004")
    client.force_login(officer)
    data = client.get("/assessments/offline/campaigns.json").json()
    assert [c["id"] for c in data["campaigns"]] == [campaign.pk]
    assert data["campaigns"][0]["form"]["pillars"][0]["criteria"][0]["text"]
    body = {
        "campaign_id": campaign.pk,
        "channel": "offline",
        "answers": good_answers,
        "organisation_new": {
            "name": "Tiệm may Hồng Nhung",
            "entity_type": "enterprise",
            "commune_code": "00004",
        },
    }
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(officer)
    token = csrf.get("/assessments/offline/campaigns.json").json()["csrf"]
    for _ in range(2):
        res = csrf.post(
            "/api/v1/assessments/responses",
            json.dumps(body),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="device-1",
            HTTP_X_CSRFTOKEN=token,
        )
        assert res.status_code in (200, 201), res.content
    assert Response.objects.filter(campaign=campaign).count() == 1
    assert Organisation.objects.filter(name="Tiệm may Hồng Nhung").count() == 1
    r = Response.objects.get(campaign=campaign)
    assert r.channel == "offline" and r.submitted_by == officer


def test_resubmit_from_the_result_page(
    client: Client,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    good_answers: dict[str, Any],
) -> None:
    from thuocdo.accounts.models import AuditEvent
    from thuocdo.accounts.scopes import Scope
    from thuocdo.assessments import selectors, services

    campaign = make_campaign()
    org = make_org()
    draft = services.response_save_draft(
        scope=Scope(role="anonymous"),
        actor=None,
        campaign=campaign,
        organisation=org,
        answers={},
    )
    code = selectors.resume_code_of(draft)
    services.response_submit(
        scope=Scope(role="anonymous"),
        actor=None,
        campaign=campaign,
        organisation=org,
        answers=good_answers,
        resume_code=code,
    )
    base = f"/assessments/c/{campaign.public_token}/r/{code}/"
    assert "reopen" in client.get(base + "result/").content.decode()
    res = client.post(base + "reopen/")
    assert res.status_code == 302 and res["Location"].endswith(f"/r/{code}/1/")
    r = Response.objects.get(pk=draft.pk)
    assert r.status == "draft" and r.overall is not None
    assert AuditEvent.objects.filter(action="response.reopen", object_id=str(r.pk)).exists()
    assert (
        Client().post(f"/assessments/c/{campaign.public_token}/r/NOTACODE/reopen/").status_code
        == 403
    )


def test_a_new_organisation_is_not_registered_when_its_answers_are_refused(
    client: Client,
    make_campaign: Callable[..., Any],
    make_user: Callable[..., Any],
) -> None:
    campaign = make_campaign()
    client.force_login(make_user("commune", unit="00004"))
    body = {
        "campaign_id": campaign.pk,
        "channel": "offline",
        "answers": {"KHONG-CO": "a"},  # no such criterion
        "organisation_new": {
            "name": "Tiệm bánh Thu Hà",
            "entity_type": "enterprise",
            "commune_code": "00004",
        },
    }
    res = client.post(
        "/api/v1/assessments/responses",
        json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="device-2",
    )
    assert res.status_code == 422, res.content
    assert "KHONG-CO" in res.content.decode()
    assert not Organisation.objects.filter(name="Tiệm bánh Thu Hà").exists()
    assert not Response.objects.filter(campaign=campaign).exists()
