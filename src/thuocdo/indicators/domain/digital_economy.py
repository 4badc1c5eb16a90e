"""Digital-economy measurement for a province (or the nation) and a reporting period.

Method ``thuocdo-de/1`` follows the statistics-office accounting (Circular 13/2021/TT-BKHĐT):

    DE value added = core (ICT) value added            — industries listed by VSIC 2018 code
                   + platform / online value added       — not already inside a core code
                   + digitalised value added of other industries
    DE share (%)   = DE value added ÷ GRDP × 100
    ICT DE share   = core value added ÷ GRDP × 100

The digitalised value added of another industry is either declared directly or computed as
that industry's value added × its declared digital share (%). Every component is an explicit
input with its source, and every result carries the inputs it came from and the method
version. Seed 002 §10.1 asks provinces for the DE share yearly and the ICT DE share
quarterly, so for a quarter the platform and sectoral parts may be left undeclared
(``None``): the ICT share is then computed and the total share is reported missing with the
reason. An empty tuple means "declared, and zero".

The core code list is the versioned part of the method. The statistics office's list of seven
VSIC industries was not recovered in full (it includes 26 and 4651), so version 1 uses the
OECD ICT-sector definition mapped to VSIC 2018, with the whole of division 26 as the office
uses it. See ``docs/digital-economy.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from thuocdo.indicators.domain.periods import Period, PeriodError, parse_period

METHOD_VERSION = "thuocdo-de/1"
METHOD_DESCRIPTION = (
    "core VA (VSIC 2018 list v1) + platform VA + digitalised VA of other industries, "
    "÷ GRDP × 100 (Circular 13/2021/TT-BKHĐT accounting)"
)

# VSIC 2018 codes (prefixes) of the digital core, version 1.
CORE_VSIC_CODES_V1: dict[str, str] = {
    "26": "Sản xuất sản phẩm điện tử, máy vi tính và sản phẩm quang học",
    "4651": "Bán buôn máy vi tính, thiết bị ngoại vi và phần mềm",
    "4652": "Bán buôn thiết bị và linh kiện điện tử, viễn thông",
    "582": "Xuất bản phần mềm",
    "61": "Viễn thông",
    "62": "Lập trình máy vi tính, dịch vụ tư vấn và các hoạt động khác liên quan đến máy vi tính",
    "631": "Xử lý dữ liệu, cho thuê và các hoạt động liên quan; cổng thông tin",
    "951": "Sửa chữa máy vi tính và thiết bị liên lạc",
}


class DigitalEconomyError(ValueError):
    """Invalid measurement input; Vietnamese and English messages and the field concerned."""

    def __init__(self, message_vi: str, message_en: str, *, field: str = "") -> None:
        prefix = f"{field}: " if field else ""
        super().__init__(f"{prefix}{message_vi} / {message_en}")
        self.message_vi = message_vi
        self.message_en = message_en
        self.field = field


def is_core_code(code: str, core_codes: Sequence[str] = tuple(CORE_VSIC_CODES_V1)) -> bool:
    """True when the VSIC code falls inside one of the core codes (prefix match)."""
    code = code.strip()
    return any(code.startswith(c) for c in core_codes)


@dataclass(frozen=True)
class ValueAddedItem:
    """Value added of one industry or activity, in the unit of the measurement."""

    label: str
    value: float
    source: str
    vsic_codes: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class SectorDigitalisation:
    """Digitalised value added of a non-core industry: declared, or value added × share."""

    sector: str
    source: str
    digital_value_added: float | None = None
    sector_value_added: float | None = None
    digital_share_pct: float | None = None
    vsic_codes: tuple[str, ...] = ()

    def digital_va(self) -> float:
        if self.digital_value_added is not None:
            return self.digital_value_added
        assert self.sector_value_added is not None
        assert self.digital_share_pct is not None
        return self.sector_value_added * self.digital_share_pct / 100.0


@dataclass(frozen=True)
class DigitalEconomyInputs:
    area_code: str
    area_name: str
    period: str
    grdp: float
    grdp_source: str
    core: tuple[ValueAddedItem, ...]
    platform: tuple[ValueAddedItem, ...] | None = None
    sectoral: tuple[SectorDigitalisation, ...] | None = None
    currency_unit: str = "tỷ đồng"
    core_codes: tuple[str, ...] = tuple(CORE_VSIC_CODES_V1)


@dataclass(frozen=True)
class DigitalEconomyResult:
    method_version: str
    area_code: str
    period: str
    period_kind: str
    currency_unit: str
    grdp: float
    core_va: float
    platform_va: float | None
    digitalisation_va: float | None
    de_va: float | None
    de_share_pct: float | None
    ict_share_pct: float
    platform_share_pct: float | None
    digitalisation_share_pct: float | None
    core_fraction_of_de_pct: float | None
    missing: tuple[str, ...]
    notes: tuple[str, ...]
    inputs: DigitalEconomyInputs

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _finite(value: float | None, field: str, *, allow_negative: bool = False) -> float:
    if value is None or isinstance(value, bool):
        raise DigitalEconomyError("Thiếu giá trị", "Value missing", field=field)
    v = float(value)
    if not math.isfinite(v):
        raise DigitalEconomyError("Giá trị không hữu hạn", "Value is not finite", field=field)
    if v < 0 and not allow_negative:
        raise DigitalEconomyError(
            f"Giá trị âm không hợp lệ ({v})", f"Negative value not allowed ({v})", field=field
        )
    return v


def _need_source(source: str, field: str) -> None:
    if not source or not source.strip():
        raise DigitalEconomyError(
            "Cần ghi rõ nguồn số liệu", "A data source must be given", field=field
        )


def _check_inputs(inp: DigitalEconomyInputs) -> Period:
    try:
        period = parse_period(inp.period)
    except PeriodError as exc:
        raise DigitalEconomyError(exc.message_vi, exc.message_en, field="period") from exc
    grdp = _finite(inp.grdp, "grdp")
    if grdp <= 0:
        raise DigitalEconomyError("GRDP phải lớn hơn 0", "GRDP must be positive", field="grdp")
    _need_source(inp.grdp_source, "grdp_source")
    if not inp.core:
        raise DigitalEconomyError(
            "Cần ít nhất một khoản giá trị tăng thêm lõi (ICT)",
            "At least one core (ICT) value-added item is required",
            field="core",
        )
    for i, item in enumerate(inp.core):
        f = f"core[{i}]"
        _finite(item.value, f"{f}.value", allow_negative=True)
        _need_source(item.source, f"{f}.source")
        outside = [c for c in item.vsic_codes if not is_core_code(c, inp.core_codes)]
        if outside:
            raise DigitalEconomyError(
                f"Mã VSIC không thuộc danh mục lõi {METHOD_VERSION}: {', '.join(outside)}",
                f"VSIC code(s) not in the {METHOD_VERSION} core list: {', '.join(outside)}",
                field=f"{f}.vsic_codes",
            )
    for i, item in enumerate(inp.platform or ()):
        f = f"platform[{i}]"
        _finite(item.value, f"{f}.value")
        _need_source(item.source, f"{f}.source")
        inside = [c for c in item.vsic_codes if is_core_code(c, inp.core_codes)]
        if inside:
            raise DigitalEconomyError(
                f"Hoạt động nền tảng thuộc mã lõi sẽ bị tính hai lần: {', '.join(inside)}",
                f"Platform activity inside core codes would be counted twice: {', '.join(inside)}",
                field=f"{f}.vsic_codes",
            )
    for i, sec in enumerate(inp.sectoral or ()):
        f = f"sectoral[{i}]"
        _need_source(sec.source, f"{f}.source")
        inside = [c for c in sec.vsic_codes if is_core_code(c, inp.core_codes)]
        if inside:
            raise DigitalEconomyError(
                f"Ngành lõi không được tính vào phần số hóa ngành khác: {', '.join(inside)}",
                f"Core industries cannot be part of the digitalisation of other industries: {', '.join(inside)}",
                field=f"{f}.vsic_codes",
            )
        if sec.digital_value_added is not None:
            _finite(sec.digital_value_added, f"{f}.digital_value_added")
        else:
            _finite(sec.sector_value_added, f"{f}.sector_value_added")
            share = _finite(sec.digital_share_pct, f"{f}.digital_share_pct")
            if share > 100:
                raise DigitalEconomyError(
                    f"Tỷ lệ số hóa vượt quá 100% ({share})",
                    f"Digital share above 100% ({share})",
                    field=f"{f}.digital_share_pct",
                )
    return period


def measure(inputs: DigitalEconomyInputs) -> DigitalEconomyResult:
    """Compute the digital-economy shares for one area and period (see the module doc)."""
    period = _check_inputs(inputs)
    grdp = float(inputs.grdp)
    core = math.fsum(float(i.value) for i in inputs.core)
    platform = (
        None if inputs.platform is None else math.fsum(float(i.value) for i in inputs.platform)
    )
    digitalisation = (
        None if inputs.sectoral is None else math.fsum(s.digital_va() for s in inputs.sectoral)
    )
    missing: list[str] = []
    notes: list[str] = []
    if platform is None:
        missing.append("platform")
    if digitalisation is None:
        missing.append("sectoral")
    if any(not i.vsic_codes for i in inputs.core):
        notes.append("core value added given (partly) as an aggregate, not itemised by VSIC code")
    de_va = None if missing else core + (platform or 0.0) + (digitalisation or 0.0)
    if de_va is not None and de_va > grdp:
        raise DigitalEconomyError(
            "Giá trị tăng thêm kinh tế số lớn hơn GRDP",
            "Digital-economy value added exceeds GRDP",
            field="core/platform/sectoral",
        )

    def share(v: float | None) -> float | None:
        return None if v is None else v / grdp * 100.0

    return DigitalEconomyResult(
        method_version=METHOD_VERSION,
        area_code=inputs.area_code,
        period=period.label,
        period_kind=str(period.kind),
        currency_unit=inputs.currency_unit,
        grdp=grdp,
        core_va=core,
        platform_va=platform,
        digitalisation_va=digitalisation,
        de_va=de_va,
        de_share_pct=share(de_va),
        ict_share_pct=core / grdp * 100.0,
        platform_share_pct=share(platform),
        digitalisation_share_pct=share(digitalisation),
        core_fraction_of_de_pct=None if not de_va else core / de_va * 100.0,
        missing=tuple(missing),
        notes=tuple(notes),
        inputs=inputs,
    )


def missing_reason(result: DigitalEconomyResult, lang: str = "vi") -> str:
    """Why the total share is missing, in Vietnamese (``vi``) or English (``en``)."""
    if not result.missing:
        return ""
    names = {
        "platform": ("kinh tế số nền tảng", "platform digital economy"),
        "sectoral": ("kinh tế số ngành, lĩnh vực", "sectoral digital economy"),
    }
    parts = [names[m][0 if lang == "vi" else 1] for m in result.missing]
    if lang == "vi":
        return "Chưa khai báo: " + ", ".join(parts) + "; chỉ tính được tỷ trọng kinh tế số ICT"
    return "Not declared: " + ", ".join(parts) + "; only the ICT digital-economy share is computed"
