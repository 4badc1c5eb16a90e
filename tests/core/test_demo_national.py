"""The national demo: all 34 provinces, two published years, a pilot, and the badge that says
the data are illustrative on every page (and only on a database holding demo data)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from thuocdo.accounts.demo import ensure_demo_users
from thuocdo.analytics.models import Release
from thuocdo.assessments.demo_national import NATIONAL_PATH, SME_2024, SME_2025
from thuocdo.assessments.models import Campaign, CampaignStatus, Response
from thuocdo.core.builtins import load_demo_data
from thuocdo.ecosystem.models import AdoptionEffect

pytestmark = pytest.mark.django_db

BADGE = "Dữ liệu minh họa"


@pytest.mark.slow
def test_the_national_demo_covers_the_country_over_two_years(
    client: Client, make_user: Any
) -> None:
    ensure_demo_users(password="mật-khẩu-đủ-dài-1")
    report = load_demo_data()
    assert report["national"]["provinces"] == 34
    national = Campaign.objects.filter(unit_path=NATIONAL_PATH, status=CampaignStatus.PUBLISHED)
    assert {c.year for c in national.filter(framework__code="sme-dx")} == {2024, 2025}
    assert {c.framework.code for c in national} >= {"sme-dx", "household-dx", "farm-dx"}
    assert Campaign.objects.filter(pilot=True, year=2024, status=CampaignStatus.PUBLISHED).exists()
    sme = Campaign.objects.get(public_token=SME_2025)
    provinces = {p.split("/")[1] for p in sme.responses.values_list("unit_path", flat=True)}
    assert len(provinces) == 34
    entity_types = set(
        Response.objects.filter(campaign__unit_path=NATIONAL_PATH).values_list(
            "entity_type", flat=True
        )
    )
    assert {"enterprise", "household_business", "farm", "destination"} <= entity_types
    # every published campaign has its public release, made by the demo
    assert Release.objects.filter(campaign__in=national).count() == national.count()
    # the same enterprises answered both years: adopted solutions have a before and after
    assert AdoptionEffect.objects.exists()

    html = client.get(f"/public/{sme.pk}/").content.decode()
    # the national ranking lists the 34 provinces, each linked to its drill-down
    ranking = html[html.index('id="chart-units"') : html.index('id="chart-trend"')]
    assert len(re.findall(r'href="\?province=\d{2}"', ranking)) == 34
    # two years of history: the trend is a chart, not the "not enough history" notice
    assert 'id="trend-short"' not in html
    trend = html[html.index('id="chart-trend"') :]
    assert "2024" in trend and "2025" in trend
    assert Campaign.objects.get(public_token=SME_2024).year == 2024

    assert BADGE in html
    assert BADGE in client.get("/public/").content.decode()
    assert BADGE in client.get("/").content.decode()
    client.force_login(make_user("province", "01"))
    assert BADGE in client.get("/assessments/").content.decode()
    assert BADGE in client.get(f"/analytics/{sme.pk}/").content.decode()

    effects = AdoptionEffect.objects.count()
    again = load_demo_data()
    assert again["national"]["created"] is False
    assert again["ecosystem"]["effects"] == 0 and AdoptionEffect.objects.count() == effects


def test_no_badge_on_a_database_without_demo_data(client: Client, make_user: Any) -> None:
    assert BADGE not in client.get("/").content.decode()
    assert BADGE not in client.get("/public/").content.decode()
    client.force_login(make_user("province", "01"))
    assert BADGE not in client.get("/assessments/").content.decode()
