"""Types of the public API."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class PublicCampaignOut(Schema):
    id: int
    name: str
    year: int
    framework: str
    area: str
    published_at: str | None


class Page(Schema):
    count: int
    limit: int
    offset: int
    items: list[Any]


class CampaignPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PublicCampaignOut]


class AggregatePage(Schema):
    campaign: int
    year: int
    framework: str
    by: list[str]
    filters: dict[str, list[str]]
    weighted: bool
    count: int
    limit: int
    offset: int
    items: list[dict[str, Any]]
