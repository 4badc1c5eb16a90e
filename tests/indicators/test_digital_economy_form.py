"""The digital-economy form: a province officer enters the inputs of a period with their
sources and sees the shares and their split; an invalid entry names the field and saves
nothing; the quarterly ICT digital-economy share becomes an indicator value with a target,
a place on the overdue list and a forecast."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from thuocdo.accounts.scopes import Scope
from thuocdo.indicators.digital_economy import ICT_SHARE_CODE, de_declare
from thuocdo.indicators.forecasting import forecast_for
from thuocdo.indicators.models import (
    DigitalEconomyDeclaration,
    DigitalEconomyResult,
    Indicator,
    Submission,
)
from thuocdo.indicators.reporting import resolve_unit
from thuocdo.indicators.selectors import overdue_list

pytestmark = pytest.mark.django_db
URL = "/indicators/digital-economy/new/"

FORM = {
    "unit": "01",
    "period": "2025Q3",
    "grdp": "400000",
    "grdp_source": "Cục Thống kê TP Hà Nội, GRDP quý III/2025",
    "currency_unit": "tỷ đồng",
    "core-0-label": "Viễn thông",
    "core-0-vsic": "61",
    "core-0-value": "9000",
    "core-0-source": "Sở KH&CN",
    "core-1-label": "Lập trình máy vi tính",
    "core-1-vsic": "6201",
    "core-1-value": "11000",
    "core-1-source": "Sở KH&CN",
    "platform-0-label": "Sàn thương mại điện tử",
    "platform-0-value": "6000",
    "platform-0-source": "Sở Công Thương",
    "sector-0-sector": "Bán lẻ",
    "sector-0-total": "50000",
    "sector-0-share": "8",
    "sector-0-source": "Cục Thống kê",
}


def test_a_valid_entry_computes_the_shares_and_feeds_the_ict_indicator(
    client: Client, make_user: Any
) -> None:
    client.force_login(make_user("province", "01"))
    assert client.get(URL).status_code == 200
    res = client.post(URL, FORM)
    assert res.status_code == 200, res.content.decode()[:2000]
    html = res.content.decode()
    result = DigitalEconomyResult.objects.get(unit__code="01", period="2025Q3", current=True)
    assert result.ict_share_pct == pytest.approx(5.0)
    assert result.platform_share_pct == pytest.approx(1.5)
    assert result.digitalisation_share_pct == pytest.approx(1.0)
    assert result.de_share_pct == pytest.approx(7.5)
    assert result.inputs["core"][1]["vsic_codes"] == ["6201"]
    assert result.inputs["core"][0]["source"] == "Sở KH&CN"
    assert 'data-share="ict">5,00%' in html or 'data-share="ict">5.00%' in html
    assert "7,50%" in html or "7.50%" in html
    ict = Submission.objects.get(indicator__code=ICT_SHARE_CODE, unit__code="01", period="2025Q3")
    assert ict.value == pytest.approx(5.0) and ict.computed
    assert ict.inputs["digital_economy_result"] == result.pk


@pytest.mark.parametrize(
    ("change", "field_text"),
    [
        ({"grdp": "bốn trăm"}, "GRDP"),
        ({"grdp": "0"}, "GRDP"),
        ({"grdp_source": ""}, "Nguồn GRDP"),
        ({"core-1-value": "mười"}, "dòng 2"),
        ({"core-0-source": ""}, "dòng 1"),
        ({"period": "quý 9"}, "Kỳ"),
    ],
)
def test_an_invalid_entry_names_the_field_and_saves_nothing(
    client: Client, make_user: Any, change: dict[str, str], field_text: str
) -> None:
    client.force_login(make_user("province", "01"))
    res = client.post(URL, {**FORM, **change})
    assert res.status_code == 400
    html = res.content.decode()
    assert "Chưa lưu gì" in html and field_text in html, html[html.find('role="alert"') :][:800]
    assert not DigitalEconomyDeclaration.objects.exists()
    assert not DigitalEconomyResult.objects.exists()
    assert not Submission.objects.filter(indicator__code=ICT_SHARE_CODE).exists()


def test_a_province_officer_enters_only_for_its_province(client: Client, make_user: Any) -> None:
    client.force_login(make_user("province", "48"))
    res = client.post(URL, FORM)
    assert res.status_code == 403
    assert not DigitalEconomyResult.objects.exists()


def _declare(scope: Scope, user: Any, period: str, core: float) -> None:
    de_declare(
        scope=scope,
        actor=user,
        unit_code_="01",
        period=period,
        grdp=400_000,
        grdp_source="Cục Thống kê TP Hà Nội",
        core=[{"label": "ICT", "value": core, "source": "Sở KH&CN", "vsic_codes": ["61"]}],
    )


def test_the_ict_share_is_a_builtin_indicator_with_target_overdue_and_forecast(
    officer: Any,
) -> None:
    ind = Indicator.objects.get(code=ICT_SHARE_CODE)
    assert ind.builtin and ind.kind == "input" and ind.aggregation == "mean"
    assert {t.year for t in ind.targets.filter(unit=None)} == {2025, 2030}
    user, scope = officer("province", "01")
    # expected every quarter: Hà Nội is overdue for 2025Q3 until the form is filled
    missing = overdue_list(scope=scope, period="2025Q3", on_day=date(2025, 10, 20))
    assert any(r["code"] == ICT_SHARE_CODE and r["unit_code"] == "01" for r in missing)
    for year, core in ((2021, 14_000), (2022, 16_000), (2023, 18_000), (2024, 20_000)):
        for q in (1, 2, 3, 4):
            _declare(scope, user, f"{year}Q{q}", core + 200 * q)
    _declare(scope, user, "2025Q3", 22_000)
    missing = overdue_list(scope=scope, period="2025Q3", on_day=date(2025, 10, 20))
    assert not any(r["code"] == ICT_SHARE_CODE and r["unit_code"] == "01" for r in missing)
    assert Submission.objects.filter(indicator=ind, unit__code="01").count() == 17
    fc = forecast_for(ind, resolve_unit("01"))
    assert fc["target_year"] in (2025, 2030) and fc["verdict"] in {
        "on_track",
        "at_risk",
        "off_track",
        "far_ahead",
        "target_met",
    }
    assert fc["method"] not in (None, "observed")
