"""Digital-economy measurement, including reproduction of published national figures.

Published figures (shared reference digital-economy.md):
- GSO 2022: 12.67% of GDP, core 7.77%, digitalisation of other industries 4.91%.
- GSO revised 2024: 13.17%, core 7.99%; GSO 2025 estimate 14.02%, core 8.42%.
- Ministry/PTIT 2022: 14.26% of GDP, ICT part 63.25% of it, "above 9% of GDP".
Shares of GDP are the published inputs, so GDP is expressed as an index (GDP = 100).
"""

import dataclasses
from typing import Any

import pytest

from thuocdo.indicators.domain.digital_economy import (
    CORE_VSIC_CODES_V1,
    METHOD_VERSION,
    DigitalEconomyError,
    DigitalEconomyInputs,
    SectorDigitalisation,
    ValueAddedItem,
    is_core_code,
    measure,
    missing_reason,
)

ROUNDING = 0.005  # published shares are rounded to two decimals


def _national(
    period: str, core: float, digitalisation: float | None, *, platform: float | None = 0.0
) -> DigitalEconomyInputs:
    return DigitalEconomyInputs(
        area_code="VN",
        area_name="Việt Nam",
        period=period,
        grdp=100.0,
        grdp_source="GDP = 100 (index); published shares used as inputs",
        currency_unit="% of GDP",
        core=(ValueAddedItem("Kinh tế số lõi (công bố)", core, "GSO press release"),),
        platform=None
        if platform is None
        else (ValueAddedItem("Nền tảng (đã gồm trong hai phần kia)", platform, "method"),),
        sectoral=None
        if digitalisation is None
        else (
            SectorDigitalisation(
                "Các ngành khác (công bố)", "GSO", digital_value_added=digitalisation
            ),
        ),
    )


def test_reproduces_gso_2022_total_from_its_components() -> None:
    """The reproduction of a published figure: GSO published the 2022 core and digitalisation
    parts and the total separately; the total is recomputed from the parts."""
    result = measure(_national("2022", core=7.77, digitalisation=4.91))
    # two components each rounded to ±0.005 → the sum is within ±0.01 of the published total
    assert result.de_share_pct == pytest.approx(12.67, abs=2 * ROUNDING)
    assert result.ict_share_pct == pytest.approx(7.77)
    assert result.digitalisation_share_pct == pytest.approx(4.91)
    assert result.method_version == METHOD_VERSION
    assert result.period == "2022"
    assert result.period_kind == "annual"


def test_ministry_2022_published_figures_are_consistent() -> None:
    # not a reproduction (the parts are derived from the published total and fraction): a check
    # that 14.26% x 63.25% gives the published "above 9% of GDP" for the ICT part
    total, ict_fraction = 14.26, 63.25
    core = total * ict_fraction / 100
    result = measure(_national("2022", core=core, digitalisation=total - core))
    assert result.de_share_pct == pytest.approx(total)
    assert result.core_fraction_of_de_pct == pytest.approx(ict_fraction)
    assert result.ict_share_pct > 9.0
    assert round(result.ict_share_pct, 2) == 9.02


def test_province_from_itemised_inputs() -> None:
    inputs = DigitalEconomyInputs(
        area_code="T01",
        area_name="Tỉnh thử nghiệm",
        period="2024",
        grdp=250_000.0,
        grdp_source="Cục Thống kê tỉnh",
        core=(
            ValueAddedItem(
                "Sản xuất điện tử", 110_000.0, "Điều tra doanh nghiệp", ("2610", "2630")
            ),
            ValueAddedItem("Viễn thông", 3_000.0, "Sở KH&CN", ("61",)),
            ValueAddedItem("Lập trình", 2_000.0, "Điều tra doanh nghiệp", ("6201",)),
        ),
        platform=(ValueAddedItem("Bán lẻ qua Internet", 1_500.0, "Sở Công Thương", ("4791",)),),
        sectoral=(
            SectorDigitalisation(
                "Công nghiệp chế biến khác",
                "Điều tra",
                sector_value_added=60_000.0,
                digital_share_pct=5.0,
                vsic_codes=("10",),
            ),
            SectorDigitalisation("Bán lẻ", "Điều tra", digital_value_added=1_000.0),
        ),
    )
    r = measure(inputs)
    assert r.core_va == 115_000.0
    assert r.platform_va == 1_500.0
    assert r.digitalisation_va == 4_000.0
    assert r.de_va == 120_500.0
    assert r.de_share_pct == pytest.approx(48.2)
    assert r.ict_share_pct == pytest.approx(46.0)
    assert r.inputs is inputs
    assert r.to_dict()["inputs"]["area_name"] == "Tỉnh thử nghiệm"
    assert not r.notes


def test_quarterly_ict_share_without_sectoral_part() -> None:
    r = measure(_national("2025Q3", core=8.0, digitalisation=None, platform=None))
    assert r.ict_share_pct == pytest.approx(8.0)
    assert r.de_share_pct is None
    assert r.missing == ("platform", "sectoral")
    assert "ICT" in missing_reason(r, "vi")
    assert "ICT" in missing_reason(r, "en")
    assert r.period_kind == "quarter"


def test_core_code_list() -> None:
    assert "26" in CORE_VSIC_CODES_V1
    assert "4651" in CORE_VSIC_CODES_V1
    assert is_core_code("2610")
    assert is_core_code("4651")
    assert is_core_code("6190")
    assert not is_core_code("4791")
    assert not is_core_code("4659")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"grdp": 0.0}, "grdp"),
        ({"grdp": float("nan")}, "grdp"),
        ({"grdp_source": " "}, "grdp_source"),
        ({"period": "2025Q7"}, "period"),
        ({"core": ()}, "core"),
        ({"core": (ValueAddedItem("Bán lẻ", 1.0, "x", ("4711",)),)}, "core[0].vsic_codes"),
        ({"core": (ValueAddedItem("Điện tử", 1.0, ""),)}, "core[0].source"),
        (
            {"platform": (ValueAddedItem("Viễn thông", 1.0, "x", ("61",)),)},
            "platform[0].vsic_codes",
        ),
        ({"platform": (ValueAddedItem("Sàn", -1.0, "x"),)}, "platform[0].value"),
        (
            {
                "sectoral": (
                    SectorDigitalisation("A", "x", sector_value_added=10, digital_share_pct=120),
                )
            },
            "sectoral[0].digital_share_pct",
        ),
        (
            {"sectoral": (SectorDigitalisation("A", "x", sector_value_added=10),)},
            "sectoral[0].digital_share_pct",
        ),
        (
            {
                "sectoral": (
                    SectorDigitalisation("A", "x", digital_value_added=1, vsic_codes=("62",)),
                )
            },
            "sectoral[0].vsic_codes",
        ),
    ],
)
def test_invalid_inputs_name_the_field(change: dict[str, Any], field: str) -> None:
    base = _national("2024", core=8.0, digitalisation=5.0)
    bad = dataclasses.replace(base, **change)
    with pytest.raises(DigitalEconomyError) as info:
        measure(bad)
    assert info.value.field == field
    assert info.value.message_vi
    assert info.value.message_en


def test_digital_economy_larger_than_grdp_is_rejected() -> None:
    with pytest.raises(DigitalEconomyError):
        measure(_national("2024", core=80.0, digitalisation=30.0))
