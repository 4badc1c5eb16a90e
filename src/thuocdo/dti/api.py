"""DTI API: structures, entered values, scorecards, rankings and the published history."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from thuocdo.accounts.models import User
from thuocdo.accounts.selectors import scope_for
from thuocdo.api.auth import AUTH
from thuocdo.core.access import access
from thuocdo.dti import selectors, services

router = Router(tags=["dti"])
DEFAULT = "dti-province@405-2025"


def _user(request: HttpRequest) -> User | None:
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    return user if isinstance(user, User) else None


@router.get("/structures", auth=None, summary="DTI structures (versions)")
@access("public")
def list_structures(request: HttpRequest) -> list[dict[str, Any]]:
    return selectors.structures_list()


@router.get("/structures/{label}", auth=None, summary="One DTI structure with its components")
@access("public")
def get_structure(request: HttpRequest, label: str) -> dict[str, Any]:
    return selectors.structure_detail(label)


@router.get("/history", auth=None, summary="Published DTI figures")
@access("public")
def get_history(request: HttpRequest) -> list[dict[str, Any]]:
    return selectors.history()


class ValuesIn(Schema):
    structure: str = Field(..., max_length=90, description="code@version")
    kind: str = Field("province", max_length=10)
    code: str = Field(..., max_length=20)
    geo_structure: str = Field("", max_length=10, description="2025 or legacy (provinces)")
    name: str = Field("", max_length=200, description="ministry name")
    year: int = Field(..., ge=2019, le=2100)
    values: dict[str, Any]


@router.post("/values", auth=AUTH, summary="Enter component values (all or nothing)")
@access("officer")
def enter_values(request: HttpRequest, body: ValuesIn) -> dict[str, Any]:
    user = _user(request)
    return services.dti_values_enter(
        scope=scope_for(user),
        actor=user,
        structure=body.structure,
        kind=body.kind,
        code=body.code,
        year=body.year,
        values=body.values,
        geo_structure=body.geo_structure,
        name=body.name,
    )


class CardQuery(Schema):
    structure: str = Field(DEFAULT, max_length=90)
    kind: str = Field("province", max_length=10)
    code: str = Field("", max_length=20)
    year: int = Field(2024, ge=2019, le=2100)
    geo_structure: str = Field("", max_length=10)


@router.get("/scorecard", auth=AUTH, summary="A province's or ministry's self-computed DTI")
@access("officer")
def get_scorecard(request: HttpRequest, q: Query[CardQuery]) -> dict[str, Any]:
    return selectors.scorecard(
        scope=scope_for(_user(request)),
        structure=q.structure,
        kind=q.kind,
        code=q.code,
        year=q.year,
        geo_structure=q.geo_structure,
    )


class RankQuery(Schema):
    structure: str = Field(DEFAULT, max_length=90)
    year: int = Field(2024, ge=2019, le=2100)
    geo_structure: str = Field("2025", max_length=10)


@router.get("/ranking", auth=AUTH, summary="Ranking of self-computed DTI values")
@access("officer")
def get_ranking(request: HttpRequest, q: Query[RankQuery]) -> list[dict[str, Any]]:
    selectors.require_reader(scope_for(_user(request)))
    return selectors.ranking(structure=q.structure, year=q.year, geo_structure=q.geo_structure)
