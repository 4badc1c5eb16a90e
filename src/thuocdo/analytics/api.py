"""API router of the analytics app, mounted at /api/v1/analytics."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from thuocdo.accounts.scopes import ANONYMOUS_SCOPE
from thuocdo.accounts.selectors import scope_for
from thuocdo.analytics import national
from thuocdo.api.auth import AUTH
from thuocdo.core.access import access

router = Router(tags=["analytics"])


def _bad(exc: ValidationError) -> HttpError:
    if hasattr(exc, "error_dict"):
        text = "; ".join(f"{k}: {m}" for k, msgs in exc.message_dict.items() for m in msgs)
    else:
        text = "; ".join(exc.messages)
    return HttpError(400, text)


def _year(year: int | None) -> int:
    if year is None or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("The year must be between 2000 and 2100.")})
    return year


@router.get(
    "/national/public",
    response=dict[str, Any],
    auth=None,
    summary="The public national roll-up of a criteria-set version and year (released cells)",
)
@access("public")
def national_public(
    request: HttpRequest, set: str = "", version: str = "", year: int | None = None
) -> dict[str, Any]:
    try:
        return national.national(
            scope=ANONYMOUS_SCOPE, code=set, version=version, year=_year(year), public=True
        )
    except ValidationError as exc:
        raise _bad(exc) from exc


@router.get(
    "/national",
    response=dict[str, Any],
    auth=AUTH,
    summary="The national roll-up for ministry officers (unsuppressed, within their sectors)",
)
@access("ministry")
def national_officer(
    request: HttpRequest, set: str = "", version: str = "", year: int | None = None
) -> dict[str, Any]:
    scope = scope_for(request.auth)  # type: ignore[attr-defined]
    national.require_national(scope)
    try:
        return national.national(
            scope=scope, code=set, version=version, year=_year(year), public=False
        )
    except ValidationError as exc:
        raise _bad(exc) from exc
