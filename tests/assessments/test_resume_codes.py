"""Resume codes: 65 bits, throttled per campaign and client address; codes of 40 bits given
out before keep working."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings

from thuocdo.assessments.models import ResumeCode

pytestmark = pytest.mark.django_db


def _code_from(location: str) -> str:
    return location.rstrip("/").split("/r/")[1].split("/")[0]


def test_a_new_resume_code_holds_65_bits(
    client: Client, make_campaign: Callable[..., Any], make_org: Callable[..., Any]
) -> None:
    from thuocdo.assessments.services.responses import RESUME_ALPHABET

    campaign = make_campaign()
    res = client.post(
        f"/assessments/c/{campaign.public_token}/", {"identifier": make_org().tax_code}
    )
    code = _code_from(res["Location"])
    assert len(code) == 13 and set(code) <= set(RESUME_ALPHABET)
    assert len(RESUME_ALPHABET) ** len(code) >= 2**64


@override_settings(RESUME_FAILURE_LIMIT=10)
def test_wrong_codes_are_throttled_per_campaign_and_address(
    make_campaign: Callable[..., Any], make_org: Callable[..., Any]
) -> None:
    campaign, other_campaign = make_campaign(), make_campaign(name="Đợt khác")
    guesser = Client(REMOTE_ADDR="10.1.1.1")
    start = f"/assessments/c/{campaign.public_token}/"
    code = _code_from(guesser.post(start, {"identifier": make_org().tax_code})["Location"])
    page = f"/assessments/c/{campaign.public_token}/r/{{}}/1/"
    statuses = [guesser.get(page.format(f"WRONG{n:08d}")).status_code for n in range(9)]
    assert statuses == [403] * 9
    # the form that asks for a code counts too
    res = guesser.post(start, {"code": "ZZZZZZZZZZZZZ", "action": "resume"})
    assert res.status_code == 200
    # ten wrong codes: from now on refused, even the right one, without looking at it
    res = guesser.get(page.format(code))
    assert res.status_code == 429 and res["Retry-After"] == "3600"
    assert "mã tiếp tục sai" in res.content.decode()
    assert guesser.post(start, {"code": code, "action": "resume"}).status_code == 429
    # another address, and the same address in another campaign, are not concerned
    assert Client(REMOTE_ADDR="10.1.1.2").get(page.format(code)).status_code == 200
    other = f"/assessments/c/{other_campaign.public_token}/r/WRONG/1/"
    assert guesser.get(other).status_code == 403


def test_an_old_eight_character_code_keeps_working(
    client: Client, make_campaign: Callable[..., Any], make_org: Callable[..., Any]
) -> None:
    campaign = make_campaign()
    res = client.post(
        f"/assessments/c/{campaign.public_token}/", {"identifier": make_org().tax_code}
    )
    row = ResumeCode.objects.get(code=_code_from(res["Location"]))
    row.code = "ABCD2345"  # as codes were written before
    row.save()
    assert client.get(f"/assessments/c/{campaign.public_token}/r/abcd2345/1/").status_code in (
        200,
        302,
    )
    assert client.get(f"/assessments/c/{campaign.public_token}/r/ABCD2345/1/").status_code == 200
