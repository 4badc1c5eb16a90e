"""Evidence links of an agency's self-assessment: one link to an evidence file per criterion,
set through the form and the API, checked by the service, shown to the officers and the
respondent, never scored and never published."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from tests.assessments.factories import HANOI_COMMUNES

from thuocdo.accounts.selectors import scope_for
from thuocdo.assessments import services
from thuocdo.assessments.domain.synthetic import synthetic_answers
from thuocdo.assessments.models import Response
from thuocdo.frameworks.engine import score
from thuocdo.frameworks.models import FrameworkVersion

pytestmark = pytest.mark.django_db

AGENCIES = [
    ("000.00.31.H01", "Sở Khoa học và Công nghệ", "agency_department", "", HANOI_COMMUNES[0]),
    ("000.00.32.H01", "Sở Nội vụ", "agency_department", "", HANOI_COMMUNES[0]),
]
# a decomposed "Báo cáo" in the path: stored NFC
DECOMPOSED = unicodedata.normalize("NFD", "https://drive.example.vn/Báo-cáo/ke-hoach.pdf")
COMPOSED = unicodedata.normalize("NFC", DECOMPOSED)


@pytest.fixture
def setup(tmp_path: Path, make_user: Callable[..., Any]) -> dict[str, Any]:
    officer = make_user("province", unit="01")
    scope = scope_for(officer)
    registry = tmp_path / "agencies.csv"
    registry.write_text(
        "agency_code,name,entity_type,parent_code,commune_code\n"
        + "".join(",".join(row) + "\n" for row in AGENCIES),
        encoding="utf-8",
    )
    services.agencies_import(scope=scope, actor=officer, path=registry)
    version = FrameworkVersion.objects.get(code="agency-dept-dx", version="2025.1")
    campaign = services.campaign_create(
        scope=scope,
        actor=officer,
        framework=version,
        area_code="01",
        year=2025,
        name="Đánh giá chuyển đổi số các sở",
        entity_types=["agency_department"],
    )
    campaign = services.campaign_open(scope=scope, actor=officer, campaign=campaign)
    return {"officer": officer, "scope": scope, "campaign": campaign, "fw": version.engine()}


def _start(client: Client, token: str, agency_code: str) -> str:
    res = client.post(f"/assessments/c/{token}/", {"identifier": agency_code, "action": "lookup"})
    assert res.status_code == 302, res.content.decode()[:500]
    return str(res["Location"].rstrip("/").split("/")[-2])


def _post(fw: Any, pillar: Any, answers: dict[str, Any], action: str) -> dict[str, Any]:
    post: dict[str, Any] = {"action": action}
    for c in pillar.criteria:
        v = answers[c.code]
        post[f"q_{c.code}"] = ("yes" if v else "no") if isinstance(v, bool) else v
    return post


def test_evidence_through_the_form_shown_to_officer_and_respondent_not_published(
    setup: dict[str, Any],
) -> None:
    campaign, fw, officer = setup["campaign"], setup["fw"], setup["officer"]
    token = campaign.public_token
    answers = synthetic_answers(fw, random.Random(3), 0.6)
    phone = Client()
    code = _start(phone, token, "000.00.31.H01")
    pillars = list(fw.pillars)
    first = pillars[0].criteria[0].code
    second = pillars[1].criteria[0].code
    page = phone.get(f"/assessments/c/{token}/r/{code}/1/").content.decode()
    assert f'name="ev_{first}"' in page  # an optional link input under each question
    for n, pillar in enumerate(pillars, start=1):
        post = _post(fw, pillar, answers, "submit" if n == len(pillars) else "next")
        if n == 1:
            post[f"ev_{first}"] = DECOMPOSED
        if n == 2:
            post[f"ev_{second}"] = "  http://egov.example.vn/qd-123.pdf  "
        res = phone.post(f"/assessments/c/{token}/r/{code}/{n}/", post)
        assert res.status_code == 302, res.content.decode()[:1500]
    r = Response.objects.get(campaign=campaign)
    assert r.status == "submitted"
    assert r.evidence_links == {first: COMPOSED, second: "http://egov.example.vn/qd-123.pdf"}
    # never scored: the score is that of the answers alone
    assert r.overall == pytest.approx(score(fw, answers).overall)

    result = phone.get(f"/assessments/c/{token}/r/{code}/result/").content.decode()
    assert f'href="{COMPOSED}" rel="noopener noreferrer nofollow"' in result

    client = Client()
    client.force_login(officer)
    detail = client.get(f"/assessments/responses/{r.pk}/").content.decode()
    assert f'href="{COMPOSED}" rel="noopener noreferrer nofollow"' in detail
    assert 'href="http://egov.example.vn/qd-123.pdf" rel="noopener noreferrer nofollow"' in detail

    # clearing the input on a later visit removes the link, the other page's stays
    phone.post(f"/assessments/c/{token}/r/{code}/reopen/")
    res = phone.post(
        f"/assessments/c/{token}/r/{code}/1/",
        {**_post(fw, pillars[0], answers, "next"), f"ev_{first}": ""},
    )
    assert res.status_code == 302
    r.refresh_from_db()
    assert r.evidence_links == {second: "http://egov.example.vn/qd-123.pdf"}
    last = len(pillars)
    res = phone.post(
        f"/assessments/c/{token}/r/{code}/{last}/", _post(fw, pillars[-1], answers, "submit")
    )
    assert res.status_code == 302

    # verified, published by name: the public page shows scores only
    scope = setup["scope"]
    r.refresh_from_db()
    services.response_verify(scope=scope, actor=officer, response=r)
    services.campaign_close(scope=scope, actor=officer, campaign=campaign)
    services.campaign_publish(scope=scope, actor=officer, campaign=campaign)
    services.campaign_set_named_publication(
        scope=scope, actor=officer, campaign=campaign, named=True
    )
    public = Client().get(f"/public/agencies/{campaign.pk}/").content.decode()
    assert "Sở Khoa học và Công nghệ" in public
    assert "egov.example.vn" not in public and "drive.example.vn" not in public


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("javascript:alert(1)", "http://"),
        ("ftp://files.example.vn/a.pdf", "http://"),
        ("https://example.vn/" + "a" * 490, "500"),
    ],
)
def test_form_refuses_a_bad_link_naming_the_criterion(
    setup: dict[str, Any], url: str, words: str
) -> None:
    campaign, fw = setup["campaign"], setup["fw"]
    token = campaign.public_token
    answers = synthetic_answers(fw, random.Random(4), 0.5)
    phone = Client()
    code = _start(phone, token, "000.00.31.H01")
    pillar = fw.pillars[0]
    first = pillar.criteria[0].code
    res = phone.post(
        f"/assessments/c/{token}/r/{code}/1/",
        {**_post(fw, pillar, answers, "next"), f"ev_{first}": url},
    )
    assert res.status_code == 422
    page = res.content.decode()
    # in Vietnamese, the default language
    assert f"Đường liên kết minh chứng của tiêu chí {first}" in page and words in page
    r = Response.objects.get(campaign=campaign)
    assert r.evidence_links == {} and r.answers == {}  # nothing half-written


def _api(setup: dict[str, Any], token_for: Callable[[Any], str]) -> tuple[Client, dict[str, str]]:
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {token_for(setup['officer'])}"}


def test_evidence_through_the_api(setup: dict[str, Any], token_for: Callable[[Any], str]) -> None:
    from thuocdo.assessments.models import Organisation

    campaign, fw = setup["campaign"], setup["fw"]
    client, headers = _api(setup, token_for)
    org = Organisation.objects.get(agency_code="000.00.32.H01")
    answers = synthetic_answers(fw, random.Random(5), 0.7)
    first = fw.pillars[0].criteria[0].code
    body = {
        "campaign_id": campaign.pk,
        "organisation_id": org.pk,
        "answers": answers,
        "evidence": {first: DECOMPOSED},
    }
    res = client.post(
        "/api/v1/assessments/responses", body, content_type="application/json", **headers
    )
    assert res.status_code == 201, res.content.decode()
    assert res.json()["evidence"] == {first: COMPOSED}
    assert res.json()["overall"] == pytest.approx(score(fw, answers).overall)
    r = Response.objects.get(pk=res.json()["id"])
    assert r.evidence_links == {first: COMPOSED}
    # a re-submission without ``evidence`` keeps the links
    res = client.post(
        "/api/v1/assessments/responses",
        {k: v for k, v in body.items() if k != "evidence"},
        content_type="application/json",
        **headers,
    )
    assert res.status_code == 200 and res.json()["evidence"] == {first: COMPOSED}
    detail = Client()
    detail.force_login(setup["officer"])
    page = detail.get(f"/assessments/responses/{r.pk}/").content.decode()
    assert f'href="{COMPOSED}" rel="noopener noreferrer nofollow"' in page


@pytest.mark.parametrize(
    ("key", "url", "words"),
    [
        (None, "javascript:alert(1)", "http://"),
        (None, "ftp://files.example.vn/a.pdf", "http://"),
        (None, "https://example.vn/" + "a" * 490, "500"),
        ("XX.99", "https://example.vn/a.pdf", "không phải là tiêu chí"),
    ],
)
def test_api_refuses_bad_evidence_naming_the_field(
    setup: dict[str, Any],
    token_for: Callable[[Any], str],
    key: str | None,
    url: str,
    words: str,
) -> None:
    from thuocdo.assessments.models import Organisation

    campaign, fw = setup["campaign"], setup["fw"]
    client, headers = _api(setup, token_for)
    org = Organisation.objects.get(agency_code="000.00.32.H01")
    code = key or fw.pillars[0].criteria[0].code
    res = client.post(
        "/api/v1/assessments/responses",
        {
            "campaign_id": campaign.pk,
            "organisation_id": org.pk,
            "answers": synthetic_answers(fw, random.Random(6), 0.7),
            "evidence": {code: url},
        },
        content_type="application/json",
        **headers,
    )
    assert res.status_code == 422, res.content.decode()
    errors = res.json()["errors"]
    assert [e["field"] for e in errors] == [f"evidence.{code}"]
    assert code in errors[0]["message"] and words in errors[0]["message"]
    assert not Response.objects.filter(campaign=campaign).exists()


def test_business_campaign_refuses_evidence(
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    admin_scope: Any,
    sme: Any,
) -> None:
    campaign = make_campaign()
    org = make_org()
    fw = sme.engine()
    answers = synthetic_answers(fw, random.Random(7), 0.5)
    first = next(iter(fw.criteria())).code
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.response_submit(
            scope=admin_scope,
            actor=None,
            campaign=campaign,
            organisation=org,
            answers=answers,
            evidence={first: "https://example.vn/a.pdf"},
        )
    assert list(exc.value.message_dict) == ["evidence"]
    assert "only for campaigns over agencies" in exc.value.message_dict["evidence"][0]
    assert not Response.objects.filter(campaign=campaign).exists()
    # an empty mapping (or none) is no evidence at all: accepted
    result = services.response_submit(
        scope=admin_scope,
        actor=None,
        campaign=campaign,
        organisation=org,
        answers=answers,
        evidence={first: ""},
    )
    assert result.response.evidence_links == {}
