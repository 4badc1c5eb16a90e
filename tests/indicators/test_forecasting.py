"""Forecasts from stored data on synthetic series whose answer is known, and indicator_latest."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thuocdo.indicators import services
from thuocdo.indicators.forecasting import forecast_for, forecast_get
from thuocdo.indicators.models import Indicator
from thuocdo.indicators.selectors import indicator_latest

pytestmark = pytest.mark.django_db


def _series(scope: Any, user: Any, code: str, unit: str, values: dict[str, float]) -> None:
    for period, value in values.items():
        services.submission_submit(
            scope=scope, actor=user, indicator_code=code, unit_code=unit, period=period, value=value
        )


def test_series_exactly_on_track_is_on_track(officer: Any) -> None:
    user, scope = officer("province", "01")
    services.target_set(
        scope=scope,
        actor=user,
        indicator_code="adults-online-public-services",
        unit_code="01",
        year=2025,
        value=50,
        comparator=">=",
    )
    # a straight line that lands exactly on 50 in 2025
    _series(
        scope,
        user,
        "adults-online-public-services",
        "01",
        {"2021": 30, "2022": 35, "2023": 40, "2024": 45},
    )
    fc = forecast_for(
        Indicator.objects.get(code="adults-online-public-services"),
        scope_unit(scope),
        target_year=2025,
    )
    assert fc["target"] == 50 and fc["target_year"] == 2025
    assert fc["forecast"] == pytest.approx(50.0)
    assert fc["verdict"] == "on_track" and fc["p_meet"] >= 0.7
    assert fc["target_unit"] == "01"


def test_series_far_above_target_is_far_ahead(officer: Any) -> None:
    user, scope = officer("province", "48")
    _series(
        scope, user, "adults-smartphone", "48", {"2021": 88, "2022": 90, "2023": 92, "2024": 94}
    )
    # no own target: the national 2025 target (80%) applies
    fc = forecast_get(scope=scope, code="adults-smartphone", unit_code="48", target_year=2025)
    assert fc["target"] == 80 and fc["target_unit"] == "VN"
    # 94% already meets the 80% target: propose raising it (the forecast is kept)
    assert fc["verdict"] == "target_met" and fc["propose_raising"]
    assert fc["interval"][0] > 88


def test_series_falling_short_is_off_track(officer: Any) -> None:
    user, scope = officer("province", "79")
    _series(
        scope, user, "adults-digital-signature", "79", {"2021": 5, "2022": 7, "2023": 9, "2024": 11}
    )
    fc = forecast_get(scope=scope, code="adults-digital-signature", unit_code="79")
    assert fc["verdict"] == "off_track" and fc["p_meet"] < 0.3


def test_a_year_counts_once_its_fourth_quarter_is_in(officer: Any) -> None:
    user, scope = officer("province", "01")
    _series(
        scope,
        user,
        "households-fibre",
        "01",
        {
            "2022": 69,
            "2023Q2": 70,
            "2023Q4": 74,
            "2024Q1": 75,
            "2024Q4": 78,
            "2025Q1": 79,
            "2025Q3": 80,
        },
    )
    fc = forecast_get(scope=scope, code="households-fibre", unit_code="01", target_year=2025)
    # 2025 has only Q1 and Q3: it is forecast from 2023-2024, not taken as observed
    assert fc["history"] == [[2022, 69.0], [2023, 74.0], [2024, 78.0]]
    assert fc["target_year"] == 2025 and fc["method"] == "linear"
    assert fc["forecast"] == pytest.approx(82.667, abs=0.001)
    assert fc["interval"][1] - fc["interval"][0] > 1.0
    assert 0.0 < fc["p_meet"] < 1.0
    assert any("2025 is incomplete" in n for n in fc["notes"])
    _series(scope, user, "households-fibre", "01", {"2025Q4": 79.5})
    fc = forecast_get(scope=scope, code="households-fibre", unit_code="01", target_year=2025)
    assert fc["history"][-1] == [2025, 79.5] and fc["method"] == "observed"
    assert fc["verdict"] == "off_track" and fc["p_meet"] == 0.0


def test_a_first_quarter_above_trend_does_not_decide_the_year(officer: Any) -> None:
    user, scope = officer("province", "01")
    _series(
        scope,
        user,
        "sme-digital-platform",
        "01",
        {"2022": 30.07, "2023": 38, "2024": 45, "2025Q1": 46},
    )
    fc = forecast_get(scope=scope, code="sme-digital-platform", unit_code="01", target_year=2025)
    assert fc["target"] == 50 and fc["target_year"] == 2025
    assert fc["method"] == "linear" and fc["forecast"] == pytest.approx(52.62, abs=0.01)
    assert fc["verdict"] == "on_track"


def test_only_partial_years_cannot_be_forecast(officer: Any) -> None:
    user, scope = officer("province", "01")
    _series(scope, user, "households-fibre", "01", {"2025Q1": 79, "2025Q2": 80})
    with pytest.raises(ValidationError) as err:
        forecast_get(scope=scope, code="households-fibre", unit_code="01")
    assert "history" in err.value.message_dict


def test_forecast_errors_and_scope(officer: Any) -> None:
    _user, scope = officer("province", "01")
    with pytest.raises(ValidationError) as err:
        forecast_get(scope=scope, code="adults-telehealth", unit_code="01")
    assert "Chưa có số liệu" in str(err.value)
    with pytest.raises(ValidationError):
        forecast_get(scope=scope, code="khong-co", unit_code="01")
    with pytest.raises(PermissionDenied):
        forecast_get(scope=scope, code="households-fibre", unit_code="48")


def test_national_digital_economy_forecast_from_builtin_series(officer: Any) -> None:
    _, scope = officer("ministry")
    fc = forecast_get(scope=scope, code="de-share-gdp", target_year=2025)
    assert fc["target_year"] == 2025 and fc["target"] == 20
    assert fc["method"] == "linear"
    assert fc["forecast"] == pytest.approx(20.59, abs=0.01)
    assert fc["verdict"] == "on_track"


def test_indicator_latest_shape(officer: Any) -> None:
    user, scope = officer("province", "01")
    assert indicator_latest(code="households-fibre", unit_code="01") is None
    assert indicator_latest(code="khong-co") is None
    _series(scope, user, "households-fibre", "01", {"2024": 77})
    services.submission_submit(
        scope=scope,
        actor=user,
        indicator_code="households-fibre",
        unit_code="01",
        period="2025Q3",
        value=81,
        provisional=True,
    )
    latest = indicator_latest(code="households-fibre", unit_code="01")
    assert latest is not None
    assert set(latest) == {"value", "period", "provisional", "verdict"}
    assert latest["value"] == 81 and latest["period"] == "2025Q3" and latest["provisional"]
    # one complete year (2024): no verdict, too little history
    assert latest["verdict"] == "too_little_history"
    national = indicator_latest(code="de-share-gdp")
    expected = forecast_for(Indicator.objects.get(code="de-share-gdp"), None)["verdict"]
    assert national == {
        "value": 18.3,
        "period": "2024",
        "provisional": True,
        "verdict": expected,
    }


def scope_unit(scope: Any) -> Any:
    from thuocdo.geo.models import Unit

    return Unit.objects.get(structure="2025", code=scope.unit_code)


def test_early_warnings_in_scope(officer: Any) -> None:
    from thuocdo.indicators.forecasting import early_warnings

    hanoi, hanoi_scope = officer("province", "01")
    danang, danang_scope = officer("province", "48")
    _series(hanoi_scope, hanoi, "adults-digital-signature", "01", {"2022": 5, "2023": 7, "2024": 9})
    _series(danang_scope, danang, "adults-smartphone", "48", {"2022": 90, "2023": 92, "2024": 94})
    rows = early_warnings(scope=hanoi_scope)
    assert [(r["indicator"], r["unit"], r["verdict"]) for r in rows if r["unit"] == "01"] == [
        ("adults-digital-signature", "01", "off_track")
    ]
    assert all(r["unit"] in {"01", "VN"} for r in rows)
    _, ministry = officer("ministry")
    all_rows = early_warnings(scope=ministry)
    verdicts = {(r["indicator"], r["unit"]): r["verdict"] for r in all_rows}
    assert verdicts[("adults-smartphone", "48")] == "far_ahead"
    assert verdicts[("adults-digital-signature", "01")] == "off_track"
    assert [r["verdict"] for r in all_rows] == sorted(
        (r["verdict"] for r in all_rows), key=["off_track", "at_risk", "far_ahead"].index
    )
