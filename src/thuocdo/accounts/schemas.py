"""API types for accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field


class ScopeOut(Schema):
    role: str
    unit_code: str | None
    unit_name: str | None
    sectors: list[str] | None


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    role: str
    unit_code: str | None
    sectors: list[str]
    department: str
    is_active: bool

    @staticmethod
    def resolve_unit_code(obj: Any) -> str | None:
        if isinstance(obj, dict):
            return obj.get("unit_code")
        return obj.unit.code if obj.unit_id else None


class MeOut(UserOut):
    scope: ScopeOut


class UserCreateIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "can-bo-an-hai",
                    "role": "commune",
                    "unit_code": "20275",
                    "full_name": "Nguyễn Văn An",
                    "email": "an@example.vn",
                }
            ]
        }
    )

    username: str = Field(..., min_length=3, max_length=150)
    password: str | None = Field(None, min_length=10, max_length=200)
    role: str = Field(..., max_length=20)
    unit_code: str | None = Field(None, max_length=10)
    full_name: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    sectors: list[str] = Field(default_factory=list, max_length=20)
    department: str = Field("", max_length=50)


class UserPatchIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"full_name": "Nguyễn Thị Bình", "email": "binh@example.vn"}]
        }
    )

    full_name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    role: str | None = Field(None, max_length=20)
    unit_code: str | None = Field(None, max_length=10)
    sectors: list[str] | None = Field(None, max_length=20)
    department: str | None = Field(None, max_length=50)
    is_active: bool | None = None


class TokenIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Đồng bộ số liệu", "days": 90}]}
    )

    name: str = Field(..., min_length=1, max_length=100)
    days: int = Field(365, ge=1, le=365)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    token: str | None = None


class AuditOut(Schema):
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj["actor"] if isinstance(obj, dict) else obj.actor_label)


class PasswordIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"password": "mật-khẩu-mới-đủ-dài-2026"}]}
    )

    password: str = Field(..., min_length=1, max_length=200)


class ThrottleOut(Schema):
    kind: str
    key: str
    failures: int
    wait_seconds: int


class ThrottleLiftOut(Schema):
    forgotten: int
