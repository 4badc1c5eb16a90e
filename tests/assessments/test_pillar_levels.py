"""Pillar levels and the set's own points, stored on the response and shown: respondent result
page, officer response page, API (a campaign with the built-in ``dbi-1970`` set)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from thuocdo.accounts.scopes import Scope
from thuocdo.assessments import services
from thuocdo.assessments.models import Response
from thuocdo.frameworks.models import FrameworkVersion

pytestmark = pytest.mark.django_db

# 193 points: customer 40/65, strategy 20/25, infrastructure 49/80, operations 40/65,
# culture 31/50, data 13/35 → level 4; pillar levels 4, 4, 4, 4, 4, 2
POINTS = {"customer": 40, "strategy": 20, "infrastructure": 49, "operations": 40, "culture": 31,
          "data": 13}  # fmt: skip
PILLAR_LEVELS = {"customer": 4, "strategy": 4, "infrastructure": 4, "operations": 4,
                 "culture": 4, "data": 2}  # fmt: skip


def _answers(fv: FrameworkVersion) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pillar in fv.engine().pillars:
        left = POINTS[pillar.code]
        for c in pillar.criteria:
            given = min(left, 25 if pillar.code == "strategy" else 5)
            out[c.code] = f"p{given}"
            left -= given
    return out


def _rows(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-pillar="([a-z]+)" data-level="(\d*)"', html))


def test_pillar_levels_stored_and_shown(
    client: Client,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    hanoi_officer: Any,
    token_for: Callable[[Any], str],
) -> None:
    dbi = FrameworkVersion.objects.get(code="dbi-1970", version="2021.1")
    campaign = make_campaign(framework=dbi)
    org = make_org()
    start = f"/assessments/c/{campaign.public_token}/"
    res = client.post(start, {"identifier": org.tax_code, "action": "lookup"})
    code = re.search(r"/r/([A-Z0-9]+)/", res["Location"]).group(1)  # type: ignore[union-attr]
    services.response_submit(
        scope=Scope(role="admin"),
        actor=None,
        campaign=campaign,
        organisation=org,
        answers=_answers(dbi),
    )
    r = Response.objects.get(campaign=campaign, organisation=org)
    assert r.level == 4 and r.pillar_levels == PILLAR_LEVELS
    assert r.overall == pytest.approx(193 / 320 * 100)

    # the respondent's result page: 193 / 320 points, each pillar's points and level
    html = client.get(f"{start}r/{code}/result/").content.decode()
    assert "193 / 320 điểm" in html
    assert _rows(html) == {k: str(v) for k, v in PILLAR_LEVELS.items()}
    assert "49 / 80" in html and "13 / 35" in html
    assert "4: Nâng cao" in html and "2: Bắt đầu" in html

    # the officer's response page
    officer = make_user("commune", unit="00004")
    staff = Client()
    staff.force_login(officer)
    page = staff.get(f"/assessments/responses/{r.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "193 / 320 điểm" in text and "Mức của trụ cột" in text
    assert _rows(text) == {k: str(v) for k, v in PILLAR_LEVELS.items()}

    # the campaign page counts the responses by pillar level (one response: level 4 in five
    # pillars, level 2 in data)
    html = staff.get(f"/assessments/campaigns/{campaign.pk}/").content.decode()
    table = html.split('id="pillar-level-counts"')[1].split("</table>")[0]
    rows = dict(re.findall(r'<tr data-pillar="([a-z]+)">(.*?)</tr>', table))
    cells = {k: re.findall(r"<td>(\d+)</td>", v) for k, v in rows.items()}
    assert cells["customer"] == ["0", "0", "0", "0", "1", "0", "0"]
    assert cells["data"] == ["0", "0", "1", "0", "0", "0", "0"]

    # the API
    api = client.get(
        f"/api/v1/assessments/responses/{r.pk}",
        HTTP_AUTHORIZATION=f"Bearer {token_for(hanoi_officer)}",
    )
    assert api.status_code == 200, api.content
    body = api.json()
    assert body["pillar_levels"] == PILLAR_LEVELS
    assert body["points"] == pytest.approx(193)


def test_responses_scored_before_pillar_levels_show_them_from_their_scores(
    client: Client,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
) -> None:
    dbi = FrameworkVersion.objects.get(code="dbi-1970", version="2021.1")
    campaign = make_campaign(framework=dbi)
    org = make_org()
    services.response_submit(
        scope=Scope(role="admin"), actor=None, campaign=campaign, organisation=org,
        answers=_answers(dbi),
    )  # fmt: skip
    Response.objects.filter(organisation=org).update(pillar_levels={})  # an earlier row
    r = Response.objects.get(organisation=org)
    staff = Client()
    staff.force_login(make_user("commune", unit="00004"))
    html = staff.get(f"/assessments/responses/{r.pk}/").content.decode()
    assert _rows(html) == {k: str(v) for k, v in PILLAR_LEVELS.items()}


def test_sets_without_points_show_no_points(
    client: Client,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    good_answers: dict[str, Any],
) -> None:
    campaign = make_campaign()
    org = make_org()
    services.response_submit(
        scope=Scope(role="admin"), actor=None, campaign=campaign, organisation=org,
        answers=good_answers,
    )  # fmt: skip
    r = Response.objects.get(organisation=org)
    assert set(r.pillar_levels) == {p.code for p in campaign.framework.engine().pillars}
    staff = Client()
    staff.force_login(make_user("commune", unit="00004"))
    html = staff.get(f"/assessments/responses/{r.pk}/").content.decode()
    assert "điểm</span>" not in html and 'id="points"' not in html
    assert len(_rows(html)) == len(r.pillar_levels)
