"""API types of the assessments capability."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field


class OrganisationIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Công ty TNHH Hải An",
                    "tax_code": "0401234567",
                    "entity_type": "enterprise",
                    "commune_code": "20275",
                    "vsic": "4711",
                    "size_class": "small",
                    "employees": 25,
                }
            ]
        }
    )

    name: str = Field(..., max_length=300)
    tax_code: str | None = Field(None, max_length=30, description="10 or 13 digits, or citizen ID")
    entity_type: str = Field(..., max_length=30)
    commune_code: str = Field(..., max_length=10, description="current (2025) or legacy code")
    vsic: str | None = Field(None, max_length=10, description="VSIC 2018 code")
    size_class: str | None = Field(None, max_length=10)
    employees: int | None = Field(None, ge=0)
    revenue: int | None = Field(None, ge=0, description="VND, last year")
    capital: int | None = Field(None, ge=0, description="VND")
    address: str | None = Field(None, max_length=300)
    contact_name: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    agency_code: str | None = Field(
        None, max_length=20, description="electronic identifier code of an agency (000.00.31.H26)"
    )
    parent_code: str | None = Field(None, max_length=20, description="parent agency's code")
    admin_unit_code: str | None = Field(
        None, max_length=10, description="province or commune an agency serves"
    )


class OrganisationPatch(Schema):
    name: str | None = Field(None, max_length=300)
    tax_code: str | None = Field(None, max_length=30)
    entity_type: str | None = Field(None, max_length=30)
    commune_code: str | None = Field(None, max_length=10)
    vsic: str | None = Field(None, max_length=10)
    size_class: str | None = Field(None, max_length=10)
    address: str | None = Field(None, max_length=300)
    contact_name: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    agency_code: str | None = Field(
        None, max_length=20, description="electronic identifier code of an agency (000.00.31.H26)"
    )
    parent_code: str | None = Field(None, max_length=20, description="parent agency's code")
    admin_unit_code: str | None = Field(
        None, max_length=10, description="province or commune an agency serves"
    )


class OrganisationOut(Schema):
    id: int
    registry_id: str
    tax_code: str | None
    agency_code: str | None
    parent_code: str | None
    admin_unit_code: str | None
    name: str
    entity_type: str
    vsic: str
    sector: str
    size_class: str
    commune_code: str
    commune_name: str
    address: str
    contact_name: str
    phone: str
    email: str
    merged_into: int | None


class MergeIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"duplicate_id": 2}]})

    duplicate_id: int


class CampaignIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "framework": "sme-dx@2025.1",
                    "area": "48",
                    "year": 2026,
                    "name": "Đánh giá chuyển đổi số doanh nghiệp Đà Nẵng 2026",
                }
            ]
        }
    )

    framework: str = Field(..., max_length=100, description="CODE@VERSION of a published set")
    area: str = Field(
        ...,
        max_length=10,
        description="current unit code of any level, or VN for the whole country",
    )
    year: int = Field(..., ge=2000, le=2100)
    name: str = Field(..., max_length=300)
    entity_types: list[str] | None = None
    pilot: bool = False
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None


class CampaignOut(Schema):
    id: int
    name: str
    framework: str
    area_code: str
    area_name: str
    year: int
    entity_types: list[str]
    pilot: bool
    opens_on: dt.date | None
    closes_on: dt.date | None
    status: str
    public_path: str
    responses: dict[str, int] | None = None


class TransitionIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "open"}]})

    status: Literal["open", "closed", "published"]


class ResponseIn(Schema):
    campaign_id: int
    organisation_id: int | None = None
    organisation_tax_code: str | None = Field(None, max_length=30)
    organisation_new: OrganisationIn | None = Field(
        None,
        description="register the organisation first (offline collection); a duplicate "
        "by tax code or by name and commune resolves to the registered one",
    )
    answers: dict[str, Any]
    evidence: dict[str, str] | None = Field(
        None,
        description="campaigns over agencies only: one link to an evidence file per criterion "
        "({criterion code: http(s) URL of at most 500 characters}); replaces the stored links, "
        "absent keeps them; never scored",
    )
    status: Literal["submitted", "draft"] = "submitted"
    channel: Literal["web", "on_behalf", "offline", "api"] | None = None


class ResponseOut(Schema):
    id: int
    campaign_id: int
    organisation_id: int
    organisation_name: str
    framework: str
    status: str
    channel: str
    answers: dict[str, Any]
    evidence: dict[str, str] = Field(default_factory=dict)
    overall: float | None
    level: int | None
    pillar_scores: dict[str, float | None]
    pillar_levels: dict[str, int | None] = Field(
        default_factory=dict, description="level reached by each pillar on its own (null: none)"
    )
    points: float | None = Field(
        default=None, description="overall score in the set's own points, when it declares them"
    )
    criterion_scores: dict[str, float | None]
    unmet: list[str]
    commune_code: str
    entity_type: str
    size_class: str
    sector: str
    submitted_at: dt.datetime | None
    submitted_by: str | None
    rejection_reason: str
    replayed: bool = False


class RejectIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"reason": "Thiếu minh chứng cho câu hỏi về hóa đơn điện tử."}]
        }
    )

    reason: str = Field(..., max_length=2000)


class Page(Schema):
    total: int
    page: int
    pages: int
    page_size: int


class OrganisationPage(Page):
    items: list[OrganisationOut]


class ResponsePage(Page):
    items: list[ResponseOut]


class StrataOut(Schema):
    strata: int
    population: int
