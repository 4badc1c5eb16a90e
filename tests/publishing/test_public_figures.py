"""Every chart and table of the public dashboard says how many respondents it rests on
("n = …"), and the meaning of a 95% interval is one click away, in Vietnamese and English."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from tests.analytics import factories as f

from thuocdo.analytics.dashboard import CHARTS

pytestmark = pytest.mark.django_db


def _cards(html: str) -> dict[str, str]:
    parts = re.split(r'<section class="card chart-card" id="chart-(\w+)">', html)
    return {parts[i]: parts[i + 1].split("</section>")[0] for i in range(1, len(parts), 2)}


def test_every_public_figure_shows_its_n_and_explains_the_interval(client: Client) -> None:
    c, responses = f.populated_campaign(per_commune=4, status="published")
    html = client.get(f"/public/{c.pk}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    n = len(responses)
    assert f"n = {n})" in html  # next to the interval of the summary
    cards = _cards(html)
    assert set(cards) == set(CHARTS)
    for name in ("map", "levels", "pillars", "unmet", "units"):
        assert f"n = {n}" in cards[name], name
    # per-unit and per-year figures carry their own n in the table
    assert "Số đơn vị trả lời" in cards["units"] and "Số đơn vị trả lời" in cards["trend"]
    assert "n của từng năm có trong bảng" in cards["trend"]
    # the interval explained next to the summary and next to each chart with intervals
    help_vi = "<summary>Khoảng tin cậy 95% nghĩa là gì?</summary>"
    assert html.count(help_vi) == 4
    for name in ("levels", "pillars", "units"):
        assert help_vi in cards[name]
    assert "95 lần trong 100 lần" in html

    en = client.get(f"/public/{c.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<summary>What does the 95% interval mean?</summary>" in en
    assert "95 times out of 100" in en and f"n = {n}" in en


def test_a_suppressed_summary_shows_no_n(client: Client) -> None:
    c = f.campaign(status="published")
    commune = f.communes_of("01", 1)[0]
    f.stratum(c, commune, "enterprise", "small", 50)
    for i in range(3):
        f.response(c, commune=commune, seed=i)
    html = client.get(f"/public/{c.pk}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "n = 3" not in html
    assert "n = —" in _cards(html)["levels"]
