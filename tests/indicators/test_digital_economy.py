"""Stored digital-economy measurements: a published national figure reproduced from its
published inputs (GSO 2022, the one reproduction), provincial quarterly ICT shares, inputs and
method kept, the measured share fed to the de-share-gdp indicator, scope, bad input.

Published figures (shared reference digital-economy.md): GSO 2022 = 12.67% of GDP, core 7.77%,
digitalisation 4.91%; GSO revised 2024 = 13.17%, core 7.99%. The published inputs are shares
of GDP, so GDP is declared as an index of 100.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thuocdo.accounts.models import AuditEvent
from thuocdo.indicators.digital_economy import de_declare, de_result_list
from thuocdo.indicators.domain.digital_economy import METHOD_VERSION
from thuocdo.indicators.models import DigitalEconomyResult

pytestmark = pytest.mark.django_db
ROUNDING = 0.005


def _national(scope: Any, user: Any, period: str, core: float, digitalisation: float) -> Any:
    return de_declare(
        scope=scope,
        actor=user,
        unit_code_=None,
        period=period,
        grdp=100,
        grdp_source="GDP = 100 (chỉ số); dùng tỷ trọng công bố làm đầu vào",
        currency_unit="% GDP",
        core=[
            {
                "label": "Kinh tế số lõi (công bố)",
                "value": core,
                "source": "Thông cáo báo chí Cục Thống kê",
            }
        ],
        platform=[],
        sectoral=[
            {
                "sector": "Số hóa các ngành khác (công bố)",
                "source": "Cục Thống kê",
                "digital_value_added": digitalisation,
            }
        ],
    )


def test_reproduces_the_published_gso_2022_figure(officer: Any) -> None:
    """The reproduction: GSO published the 2022 core (7.77%) and the digitalisation of other
    industries (4.91%) as well as the total (12.67%); the total is recomputed from the parts."""
    user, scope = officer("ministry")
    result = _national(scope, user, "2022", core=7.77, digitalisation=4.91)
    assert result.de_share_pct == pytest.approx(12.67, abs=2 * ROUNDING)
    assert result.ict_share_pct == pytest.approx(7.77)
    assert result.method_version == METHOD_VERSION
    assert result.inputs["core"][0]["value"] == 7.77
    assert result.declaration.sectoral[0]["digital_value_added"] == 4.91
    assert AuditEvent.objects.filter(
        object_type="indicators.digitaleconomyresult", object_id=str(result.pk)
    ).exists()


def test_the_core_fraction_is_stored_with_the_measurement(officer: Any) -> None:
    # not a reproduction (the digitalisation part is the published total minus the core):
    # a check that the derived core fraction is kept with the stored result
    user, scope = officer("admin")
    result = _national(scope, user, "2024", core=7.99, digitalisation=13.17 - 7.99)
    result.refresh_from_db()
    assert result.core_fraction_of_de_pct == pytest.approx(60.7, abs=0.05)


def test_province_quarterly_ict_share_and_redeclaration(officer: Any) -> None:
    user, scope = officer("province", "01")
    first = de_declare(
        scope=scope,
        actor=user,
        unit_code_="01",
        period="2025Q3",
        grdp=400_000,
        grdp_source="Cục Thống kê TP Hà Nội, GRDP quý III/2025 (tỷ đồng)",
        core=[
            {"label": "Viễn thông", "value": 9_000, "source": "Sở KH&CN", "vsic_codes": ["61"]},
            {
                "label": "Lập trình máy vi tính",
                "value": 11_000,
                "source": "Sở KH&CN",
                "vsic_codes": ["6201"],
            },
        ],
    )
    assert first.ict_share_pct == pytest.approx(5.0)
    assert first.de_share_pct is None and first.missing == ["platform", "sectoral"]
    assert any("Chưa khai báo" in n for n in first.notes)
    second = de_declare(
        scope=scope,
        actor=user,
        unit_code_="01",
        period="2025Q3",
        grdp=400_000,
        grdp_source="Cục Thống kê TP Hà Nội (số liệu điều chỉnh)",
        core=[
            {
                "label": "Viễn thông + CNTT",
                "value": 20_400,
                "source": "Sở KH&CN",
                "vsic_codes": ["61", "62"],
            }
        ],
        platform=[{"label": "Sàn thương mại điện tử", "value": 6_000, "source": "Sở Công Thương"}],
        sectoral=[
            {
                "sector": "Bán lẻ",
                "source": "Cục Thống kê",
                "sector_value_added": 50_000,
                "digital_share_pct": 8,
            }
        ],
    )
    assert second.de_share_pct == pytest.approx((20_400 + 6_000 + 4_000) / 400_000 * 100)
    first.refresh_from_db()
    assert not first.current and second.current and first.declaration_id == second.declaration_id
    current = list(de_result_list(scope=scope, unit_code_="01"))
    assert current == [second]
    assert DigitalEconomyResult.objects.filter(unit__code="01").count() == 2


def _province_full(scope: Any, user: Any, period: str, core: float, **kw: Any) -> Any:
    return de_declare(
        scope=scope,
        actor=user,
        unit_code_="01",
        period=period,
        grdp=400_000,
        grdp_source="Cục Thống kê TP Hà Nội (tỷ đồng)",
        core=[{"label": "Viễn thông + CNTT", "value": core, "source": "Sở KH&CN"}],
        **{
            "platform": [{"label": "Sàn TMĐT", "value": 6_000, "source": "Sở Công Thương"}],
            "sectoral": [
                {"sector": "Bán lẻ", "source": "Cục Thống kê", "digital_value_added": 4_000}
            ],
            **kw,
        },
    )


def test_the_measured_share_feeds_the_indicator(officer: Any) -> None:
    from thuocdo.indicators.forecasting import forecast_get
    from thuocdo.indicators.models import Submission

    user, scope = officer("province", "01")
    results = {
        year: _province_full(scope, user, year, core)
        for year, core in (("2022", 30_000), ("2023", 34_000), ("2024", 38_000))
    }
    values = Submission.objects.filter(indicator__code="de-share-gdp", unit__code="01")
    by_period = {s.period: s for s in values}
    assert set(by_period) == {"2022", "2023", "2024"}
    sub = by_period["2024"]
    assert sub.computed and sub.value == pytest.approx(results["2024"].de_share_pct)
    assert sub.inputs["digital_economy_result"] == results["2024"].pk
    assert sub.inputs["method_version"] == METHOD_VERSION
    fc = forecast_get(scope=scope, code="de-share-gdp", unit_code="01")
    assert [year for year, _v in fc["history"]] == [2022, 2023, 2024]
    assert fc["history"][-1][1] == pytest.approx((38_000 + 10_000) / 400_000 * 100)
    # a redeclaration without the DE share (ICT part only) clears the measured value
    _province_full(scope, user, "2024", 38_000, platform=None, sectoral=None)
    assert not values.filter(period="2024").exists()


def test_an_entered_value_wins_over_the_measurement(officer: Any) -> None:
    from thuocdo.indicators.models import Submission

    user, scope = officer("ministry")
    builtin = Submission.objects.get(indicator__code="de-share-gdp", unit=None, period="2022")
    _national(scope, user, "2022", core=7.77, digitalisation=4.91)
    builtin.refresh_from_db()
    assert builtin.value == 14.26 and not builtin.computed  # the built-in estimate stays


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"grdp": 0}, "grdp"),
        ({"grdp_source": ""}, "grdp_source"),
        (
            {
                "core": [
                    {
                        "label": "Bán buôn thực phẩm",
                        "value": 5,
                        "source": "x",
                        "vsic_codes": ["4632"],
                    }
                ]
            },
            "core[0].vsic_codes",
        ),
        (
            {
                "sectoral": [
                    {
                        "sector": "Du lịch",
                        "source": "x",
                        "sector_value_added": 10,
                        "digital_share_pct": 140,
                    }
                ]
            },
            "sectoral[0].digital_share_pct",
        ),
        ({"period": "2025Q8"}, "period"),
    ],
)
def test_bad_inputs_are_refused(officer: Any, change: dict[str, Any], field: str) -> None:
    user, scope = officer("province", "48")
    args: dict[str, Any] = {
        "unit_code_": "48",
        "period": "2025",
        "grdp": 150_000,
        "grdp_source": "Cục Thống kê",
        "core": [{"label": "Viễn thông", "value": 3_000, "source": "Sở", "vsic_codes": ["61"]}],
        "platform": [],
        "sectoral": [],
    }
    args.update(change)
    with pytest.raises(ValidationError) as err:
        de_declare(scope=scope, actor=user, **args)
    assert field in err.value.message_dict
    assert not DigitalEconomyResult.objects.filter(unit__code="48").exists()


def test_scope(officer: Any) -> None:
    user, scope = officer("province", "48")
    with pytest.raises(PermissionDenied):
        de_declare(
            scope=scope,
            actor=user,
            unit_code_="01",
            period="2025",
            grdp=1,
            grdp_source="x",
            core=[{"label": "a", "value": 0.1, "source": "b"}],
        )


def test_same_declaration_twice_changes_nothing(officer: Any) -> None:
    user, scope = officer("ministry")
    first = _national(scope, user, "2022", core=7.77, digitalisation=4.91)
    again = _national(scope, user, "2022", core=7.77, digitalisation=4.91)
    assert again.pk == first.pk
    assert DigitalEconomyResult.objects.filter(unit__isnull=True, period="2022").count() == 1
