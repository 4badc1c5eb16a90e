"""API types of the indicators app."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field


class TargetOut(Schema):
    year: int
    value: float
    comparator: str
    kind: str
    text: str
    unit: str


class IndicatorOut(Schema):
    code: str
    name: str
    name_en: str
    unit: str
    unit_kind: str
    direction: str
    scope: list[str]
    kind: str
    formula: str
    responsible_unit: str
    reporting_unit: str
    seed001_row: str
    targets: list[TargetOut]


class IndicatorDetailOut(IndicatorOut):
    definition_vi: str
    definition_en: str
    data_source: str
    international_comparator: str
    international_value: float | None
    international_value_source: str
    international_value_year: int | None
    parent: str | None


class TargetIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"unit": "48", "year": 2030, "value": 30.0, "comparator": ">=", "kind": "target"}
            ]
        }
    )

    unit: str | None = Field(
        None, max_length=10, description="province code; VN or empty: national"
    )
    year: int = Field(..., ge=2000, le=2100)
    value: float
    comparator: str | None = Field(None, max_length=2)
    kind: str = Field("target", max_length=6)


class IndicatorEditIn(Schema):
    """A change of an indicator's definition: only the fields given change."""

    name_vi: str | None = Field(None, max_length=500)
    name_en: str | None = Field(None, max_length=500)
    unit_symbol: str | None = Field(None, max_length=50)
    unit_kind: str | None = Field(None, max_length=10, description="percent, count, money, …")
    unit_min: float | None = None
    unit_max: float | None = None
    direction: str | None = Field(None, max_length=6, description="higher or lower")
    scope: list[str] | None = Field(None, max_length=3, description="national, ministry, province")
    responsible_unit: str | None = Field(None, max_length=300)
    reporting_unit: str | None = Field(None, max_length=300)
    data_source: str | None = Field(None, max_length=10000)
    definition_vi: str | None = Field(None, max_length=10000)
    definition_en: str | None = Field(None, max_length=10000)
    method: str | None = Field(None, max_length=10, description="input, formula or survey")
    formula: str | None = Field(None, max_length=2000, description="over other indicator codes")
    survey_source: str | None = Field(None, max_length=100, description="published results")
    aggregation: str | None = Field(None, max_length=4, description="last, mean or sum")
    targets: list[TargetIn] = Field(default_factory=list, max_length=200)


class IndicatorDefineIn(IndicatorEditIn):
    code: str = Field(..., max_length=80)
    name_vi: str | None = Field(..., max_length=500)
    owner_unit: str | None = Field(
        None, max_length=10, description="province code (administrators); province officers: own"
    )


class IndicatorSavedOut(IndicatorDetailOut):
    version: int
    owner_unit: str | None
    survey_source: str
    aggregation: str


class IndicatorVersionOut(Schema):
    number: int
    change: str
    fields: list[str]
    changed_by: str | None
    changed_at: str
    snapshot: dict[str, Any]


class SubmissionIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "indicator": "de-share-gdp",
                    "unit": "48",
                    "period": "2025",
                    "value": 18.5,
                    "source": "Cục Thống kê",
                }
            ]
        }
    )

    indicator: str = Field(..., max_length=80)
    unit: str | None = Field(None, max_length=10)
    period: str = Field(..., max_length=20, description="2025Q3, Quý III/2025 or 2025")
    value: float | str
    provisional: bool = False
    source: str = Field("", max_length=10000)
    unit_symbol: str | None = Field(None, max_length=50)
    international_value: float | None = None
    international_reference: str = Field("", max_length=10000)
    trend_assessment: str = Field("", max_length=10000)
    international_comparison: str = Field("", max_length=10000)
    difficulties: str = Field("", max_length=10000)
    proposals: str = Field("", max_length=10000)
    sector: str = Field("", max_length=50, description="for an indicator broken down by sector")


class ConsolidationIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"indicator": "de-share-gdp", "unit": "48", "period": "2025"}]
        }
    )

    indicator: str = Field(..., max_length=80)
    unit: str | None = Field(None, max_length=10)
    period: str = Field(..., max_length=20)


class UnlockIn(ConsolidationIn):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "indicator": "de-share-gdp",
                    "unit": "48",
                    "period": "2025",
                    "reason": "Số liệu chính thức điều chỉnh.",
                }
            ]
        }
    )

    reason: str = Field(..., max_length=2000)


class RevisionOut(Schema):
    value: float
    status: str
    source: str
    reason: str
    replaced_at: str


class SubmissionOut(Schema):
    id: int
    indicator: str
    unit: str
    period: str
    value: float
    provisional: bool
    source: str
    computed: bool
    late: bool
    international_value: float | None
    international_reference: str
    trend_assessment: str
    international_comparison: str
    difficulties: str
    proposals: str
    warnings: list[str]
    updated_at: str
    sector: str = ""


class SubmissionDetailOut(SubmissionOut):
    inputs: dict[str, object]
    history: list[RevisionOut]


class SubmitOut(Schema):
    submission: SubmissionOut
    created: bool
    changed: bool
    warnings: list[str]


class ForecastOut(Schema):
    target: float
    target_year: int
    target_kind: str
    forecast: float | None
    interval: list[float] | None
    p_meet: float | None
    verdict: str
    verdict_label: str
    propose_raising: bool
    latest: list[float]
    comparator: str
    target_unit: str
    method: str | None
    selection: str | None
    history: list[list[float]]
    plans: list[dict[str, Any]]
    notes: list[str]
    indicator: str
    unit: str


class OverdueReportOut(Schema):
    code: str
    name: str
    unit_code: str
    unit_name: str
    period: str
    due: str
    days_late: int
    missing: str = "value"


class DigitalEconomyIn(Schema):
    unit: str | None = Field(None, max_length=10)
    period: str = Field(..., max_length=20)
    grdp: float
    grdp_source: str = Field(..., max_length=2000)
    currency_unit: str = Field("tỷ đồng", max_length=30)
    core: list[dict[str, object]]
    platform: list[dict[str, object]] | None = None
    sectoral: list[dict[str, object]] | None = None


class DigitalEconomyOut(Schema):
    id: int
    unit: str
    period: str
    method_version: str
    de_share_pct: float | None
    ict_share_pct: float
    platform_share_pct: float | None
    digitalisation_share_pct: float | None
    core_fraction_of_de_pct: float | None
    missing: list[str]
    notes: list[str]
    declaration: int
    inputs: dict[str, object]


class ProposalIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "indicator": "de-share-gdp",
                    "unit": "48",
                    "year": 2030,
                    "value": 25.0,
                    "comparator": ">=",
                    "reason": "Theo nghị quyết của tỉnh.",
                }
            ]
        }
    )

    indicator: str = Field(..., max_length=80)
    unit: str | None = Field(None, max_length=10, description="province code or VN")
    year: int = Field(..., ge=2000, le=2100)
    value: float
    comparator: str | None = Field(None, max_length=2)
    reason: str = Field(..., max_length=5000)


class DecisionIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"approve": True, "note": "Đồng ý."}]}
    )

    approve: bool
    note: str = Field("", max_length=5000)
