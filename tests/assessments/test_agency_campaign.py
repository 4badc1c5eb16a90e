"""A campaign over the departments and communes of one province, end to end: registry import,
self-assessment from a phone through the public link, verification, results per agency, and
named publication only when the owner chose it."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from tests.assessments.factories import HANOI_COMMUNES

from thuocdo.accounts.models import AuditEvent
from thuocdo.accounts.selectors import scope_for
from thuocdo.assessments import services
from thuocdo.assessments.domain.synthetic import synthetic_answers
from thuocdo.assessments.models import Response
from thuocdo.frameworks.engine import score
from thuocdo.frameworks.models import FrameworkVersion

pytestmark = pytest.mark.django_db

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
AGENCIES = [
    ("000.00.31.H01", "Sở Khoa học và Công nghệ", "agency_department", "", HANOI_COMMUNES[0]),
    ("000.00.32.H01", "Sở Nội vụ", "agency_department", "", HANOI_COMMUNES[0]),
    ("000.00.40.H01", "UBND phường Ba Đình", "agency_commune", "000.00.32.H01", HANOI_COMMUNES[0]),
    ("000.00.41.H01", "UBND phường Bạch Mai", "agency_commune", "000.00.32.H01", HANOI_COMMUNES[1]),
]


def _self_assess(token: str, agency_code: str, answers: dict[str, Any], fw: Any) -> None:
    phone = Client(HTTP_USER_AGENT=PHONE)
    res = phone.post(f"/assessments/c/{token}/", {"identifier": agency_code, "action": "lookup"})
    assert res.status_code == 302, res.content.decode()[:500]
    code = res["Location"].rstrip("/").split("/")[-2]
    pillars = list(fw.pillars)
    for n, pillar in enumerate(pillars, start=1):
        url = f"/assessments/c/{token}/r/{code}/{n}/"
        page = phone.get(url).content.decode()
        assert 'name="viewport"' in page and pillar.criteria[0].question.text.vi in page
        post: dict[str, Any] = {"action": "submit" if n == len(pillars) else "next"}
        for c in pillar.criteria:
            v = answers[c.code]
            post[f"q_{c.code}"] = ("yes" if v else "no") if isinstance(v, bool) else v
        res = phone.post(url, post)
        assert res.status_code == 302, res.content.decode()[:1500]
    assert res["Location"].endswith("/result/")


def test_province_agencies_campaign_end_to_end(
    tmp_path: Path, make_user: Callable[..., Any]
) -> None:
    officer = make_user("province", unit="01")
    scope = scope_for(officer)
    registry = tmp_path / "agencies.csv"
    registry.write_text(
        "agency_code,name,entity_type,parent_code,commune_code\n"
        + "".join(",".join(row) + "\n" for row in AGENCIES),
        encoding="utf-8",
    )
    result = services.agencies_import(scope=scope, actor=officer, path=registry)
    assert result.as_json() == {"created": 4, "updated": 0}

    officer_client = Client()
    officer_client.force_login(officer)
    expected: dict[str, float] = {}
    campaigns = []
    for set_code, types in (
        ("agency-dept-dx", ["agency_department"]),
        ("agency-commune-dx", ["agency_commune"]),
    ):
        version = FrameworkVersion.objects.get(code=set_code, version="2025.1")
        assert set(types) <= set(version.entity_types)
        campaign = services.campaign_create(
            scope=scope,
            actor=officer,
            framework=version,
            area_code="01",
            year=2025,
            name=f"Đánh giá chuyển đổi số {set_code}",
            entity_types=types,
        )
        assert campaign.publish_named is False  # off by default
        campaign = services.campaign_open(scope=scope, actor=officer, campaign=campaign)
        fw = version.engine()
        for i, (code, *_rest) in enumerate(row for row in AGENCIES if row[2] in types):
            answers = synthetic_answers(fw, random.Random(10 + i), 0.4 + 0.3 * i)
            _self_assess(campaign.public_token, code, answers, fw)
            expected[code] = score(fw, answers).overall
        campaigns.append(campaign)

    responses = Response.objects.filter(campaign__in=campaigns).select_related("organisation")
    assert responses.count() == 4
    for r in responses:
        assert r.status == "submitted" and r.channel == "web"
        assert r.overall == pytest.approx(expected[r.organisation.agency_code])
    # the officer verifies every response but Bạch Mai's
    for r in responses:
        if r.organisation.agency_code != "000.00.41.H01":
            res = officer_client.post(
                f"/assessments/responses/{r.pk}/decide/", {"decision": "verify"}
            )
            assert res.status_code == 302
    dept, commune = campaigns
    page = officer_client.get(f"/assessments/campaigns/{commune.pk}/agencies/").content.decode()
    assert "UBND phường Ba Đình" in page and "UBND phường Bạch Mai" in page
    assert "000.00.41.H01" in page

    for c in campaigns:
        services.campaign_close(scope=scope, actor=officer, campaign=c)
        services.campaign_publish(scope=scope, actor=officer, campaign=c)
    # not chosen: no named page
    assert Client().get(f"/public/agencies/{commune.pk}/").status_code == 404
    # only the owner chooses
    other = make_user("province", unit="01")
    with pytest.raises(PermissionDenied):
        services.campaign_set_named_publication(
            scope=scope_for(other), actor=other, campaign=commune, named=True
        )
    res = officer_client.post(f"/assessments/campaigns/{commune.pk}/named/", {"named": "1"})
    assert res.status_code == 302
    commune.refresh_from_db()
    assert commune.publish_named is True
    event = AuditEvent.objects.filter(
        action="campaign.named_publication", object_id=str(commune.pk)
    ).get()
    assert event.before["publish_named"] is False and event.after["publish_named"] is True
    public = Client().get(f"/public/agencies/{commune.pk}/").content.decode()
    assert "UBND phường Ba Đình" in public
    assert f"{expected['000.00.40.H01']:.1f}".replace(".", ",") in public or (
        f"{expected['000.00.40.H01']:.1f}" in public
    )
    assert "UBND phường Bạch Mai" not in public  # not verified
    # the departments' campaign was not chosen: still no named page
    assert Client().get(f"/public/agencies/{dept.pk}/").status_code == 404


def test_business_campaigns_cannot_publish_by_name(
    make_campaign: Callable[..., Any], admin_scope: Any
) -> None:
    campaign = make_campaign()
    with pytest.raises(ValidationError) as exc:
        services.campaign_set_named_publication(
            scope=admin_scope, actor=None, campaign=campaign, named=True
        )
    assert "publish_named" in exc.value.message_dict
    campaign.refresh_from_db()
    assert campaign.publish_named is False
    assert not AuditEvent.objects.filter(action="campaign.named_publication").exists()


def test_named_publication_through_cli_and_api(
    make_user: Callable[..., Any], token_for: Callable[[Any], str], capsys: Any
) -> None:
    import json

    from thuocdo.cli import main

    officer = make_user("province", unit="01")
    scope = scope_for(officer)
    version = FrameworkVersion.objects.get(code="agency-commune-dx", version="2025.1")
    campaign = services.campaign_create(
        scope=scope,
        actor=officer,
        framework=version,
        area_code="01",
        year=2025,
        name="Đánh giá chuyển đổi số cấp xã",
        entity_types=["agency_commune"],
    )
    assert main(["campaigns", "named", str(campaign.pk), "on"]) == 0
    assert json.loads(capsys.readouterr().out) == {"id": campaign.pk, "publish_named": True}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(officer)}"}
    client = Client()
    url = f"/api/v1/assessments/campaigns/{campaign.pk}/named"
    res = client.post(url, {"named": False}, content_type="application/json", **headers)
    assert res.status_code == 200 and res.json() == {"id": campaign.pk, "publish_named": False}
    other = make_user("province", unit="01")
    res = client.post(
        url,
        {"named": True},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(other)}",
    )
    assert res.status_code == 403
    campaign.refresh_from_db()
    assert campaign.publish_named is False
    events = AuditEvent.objects.filter(
        action="campaign.named_publication", object_id=str(campaign.pk)
    )
    assert [e.after["publish_named"] for e in events.order_by("pk")] == [True, False]
    # a business campaign is refused by the CLI, naming the field
    business = FrameworkVersion.objects.filter(code="sme-dx").order_by("-pk").first()
    assert business is not None
    shop = services.campaign_create(
        scope=scope, actor=officer, framework=business, area_code="01", year=2025, name="DN"
    )
    assert main(["campaigns", "named", str(shop.pk), "on"]) == 1
    assert "publish_named" in capsys.readouterr().err
