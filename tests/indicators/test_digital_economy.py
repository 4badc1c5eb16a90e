"""Stored digital-economy measurements: a published national figure reproduced from its
published inputs, provincial quarterly ICT shares, inputs and method kept, scope, bad input.

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


def test_gso_2024_split_and_core_fraction(officer: Any) -> None:
    user, scope = officer("admin")
    result = _national(scope, user, "2024", core=7.99, digitalisation=13.17 - 7.99)
    assert result.de_share_pct == pytest.approx(13.17, abs=ROUNDING)
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
