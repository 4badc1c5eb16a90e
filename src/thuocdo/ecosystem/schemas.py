"""API types of the ecosystem app."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field


class ProviderOut(Schema):
    id: int
    code: str
    name: str
    website: str
    email: str
    phone: str
    description: str
    builtin: bool


class PromotionOut(Schema):
    id: int
    solution_id: int
    title: str
    free_trial_months: int
    discount_percent: Decimal
    valid_from: date
    valid_to: date | None
    meets_policy: bool
    status: str
    review_note: str


class SolutionOut(Schema):
    id: int
    code: str
    provider_id: int
    provider_name: str
    name_vi: str
    name_en: str
    category: str
    description_vi: str
    description_en: str
    price_model: str
    price: Decimal | None
    sectors: list[str]
    entity_types: list[str]
    solution_tags: list[str]
    criteria: list[str]
    url: str
    status: str
    builtin: bool


class SolutionIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "provider_id": 1,
                    "code": "hoa-don-dien-tu",
                    "name_vi": "Hóa đơn điện tử",
                    "category": "einvoice",
                }
            ]
        }
    )

    provider_id: int
    code: str = Field(max_length=80)
    name_vi: str = Field(max_length=300)
    name_en: str = Field("", max_length=300)
    category: str = Field(max_length=50)
    description_vi: str = Field("", max_length=20000)
    description_en: str = Field("", max_length=20000)
    price_model: str = "contact"
    price: str | None = Field(None, max_length=20)
    sectors: list[str] = Field(default_factory=list, max_length=50)
    entity_types: list[str] = Field(default_factory=list, max_length=20)
    solution_tags: list[str] = Field(default_factory=list, max_length=50)
    criteria: list[str] = Field(default_factory=list, max_length=500)
    url: str = Field("", max_length=200)


class SolutionPatch(Schema):
    name_vi: str | None = Field(None, max_length=300)
    name_en: str | None = Field(None, max_length=300)
    category: str | None = Field(None, max_length=50)
    description_vi: str | None = Field(None, max_length=20000)
    description_en: str | None = Field(None, max_length=20000)
    price_model: str | None = None
    price: str | None = Field(None, max_length=20)
    sectors: list[str] | None = None
    entity_types: list[str] | None = None
    solution_tags: list[str] | None = None
    criteria: list[str] | None = None
    url: str | None = Field(None, max_length=200)


class ReviewIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"approve": True, "note": "Đủ thông tin."}]}
    )

    approve: bool
    note: str = Field("", max_length=5000)


class PromotionIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Miễn phí 3 tháng đầu",
                    "free_trial_months": 3,
                    "discount_percent": "0",
                    "valid_from": "2026-01-01",
                    "valid_to": "2026-06-30",
                }
            ]
        }
    )

    title: str = Field(max_length=300)
    free_trial_months: int = 0
    discount_percent: str = Field("0", max_length=10)
    valid_from: str = Field(max_length=10)
    valid_to: str | None = Field(None, max_length=10)


class PromotionPatch(Schema):
    title: str | None = Field(None, max_length=300)
    free_trial_months: int | None = None
    discount_percent: str | None = Field(None, max_length=10)
    valid_from: str | None = Field(None, max_length=10)
    valid_to: str | None = Field(None, max_length=10)


class ChangeOut(Schema):
    criterion: str
    from_: Any = Field(None, alias="from")
    to: Any


class RecommendationOut(Schema):
    level: int
    next_level: dict[str, Any] | None
    reason: str | None = None
    plan_text: list[str] = Field(default_factory=list)
    solutions: list[dict[str, Any]]


class ConnectionIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "organisation_id": 1,
                    "solution_id": 1,
                    "message": "Chúng tôi cần tư vấn hóa đơn điện tử.",
                }
            ]
        }
    )

    organisation_id: int
    solution_id: int
    response_id: int | None = None
    message: str = Field("", max_length=5000)


class ConnectionTransitionIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"to": "contacted", "note": "Đã gọi điện."}]}
    )

    to: str = Field(max_length=10)
    note: str = Field("", max_length=5000)


class ContactOut(Schema):
    """How a respondent without an account asked to be contacted (shown to the provider)."""

    name: str
    phone: str
    email: str
    consent_at: datetime
    consent_version: str


class ConnectionOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str
    solution_id: int
    solution_name: str
    provider_id: int
    status: str
    on_behalf: bool
    commune_code: str
    sector: str
    message: str
    created_at: datetime
    status_changed_at: datetime
    without_account: bool = False
    contact: ContactOut | None = None  # for the provider addressed only


class EffectRowOut(Schema):
    key: str
    label: str
    n: int
    mean_before: float
    mean_after: float
    mean_change: float
    ci95_low: float | None
    ci95_high: float | None


class GapCellOut(Schema):
    province: str
    province_name: str
    sector: str
    framework: str
    criterion: str
    criterion_name: str
    responses: int
    unmet: int
    solutions: int
