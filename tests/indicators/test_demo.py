"""The demo data load through the services, are idempotent and fill the dashboard."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from thuocdo.indicators.demo import load_demo
from thuocdo.indicators.models import DigitalEconomyResult, Submission
from thuocdo.indicators.selectors import indicator_latest

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_demo_is_idempotent_and_shows_on_the_dashboard(client: Client, make_user: Any) -> None:
    first = load_demo()
    assert first["submissions"] > 100 and first["measurements"] == 4
    n = Submission.objects.count()
    second = load_demo()
    assert second["submissions"] == 0 and Submission.objects.count() == n
    assert DigitalEconomyResult.objects.filter(current=True).count() == 4
    assert DigitalEconomyResult.objects.count() == 4
    latest = indicator_latest(code="households-fibre", unit_code="01")
    assert latest is not None and latest["provisional"] and latest["verdict"] is not None
    client.force_login(make_user("province", "01"))
    html = client.get("/indicators/").content.decode()
    assert "light-ok" in html or "light-ahead" in html
