"""Read-only public API at /api/v1/public: published campaigns and their suppressed aggregates."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from thuocdo.accounts.scopes import ANONYMOUS_SCOPE
from thuocdo.analytics import selectors
from thuocdo.analytics.params import parse_slice
from thuocdo.core.access import access
from thuocdo.publishing.opendata import dictionary_rows
from thuocdo.publishing.schemas import AggregatePage, CampaignPage, Page, PublicCampaignOut

router = Router(tags=["public"])
MAX_LIMIT = 500


def _paging(request: HttpRequest) -> tuple[int, int]:
    raw_limit = request.GET.get("limit", "100")
    raw_offset = request.GET.get("offset", "0")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise HttpError(400, _("limit: a whole number from 1 to %(max)s.") % {"max": MAX_LIMIT})
    if not raw_offset.isdigit():
        raise HttpError(400, _("offset: a whole number from 0."))
    return int(raw_limit), int(raw_offset)


def _bad(exc: ValidationError) -> HttpError:
    if hasattr(exc, "error_dict"):
        text = "; ".join(f"{k}: {m}" for k, msgs in exc.message_dict.items() for m in msgs)
    else:
        text = "; ".join(exc.messages)
    return HttpError(400, text)


def _params(request: HttpRequest) -> dict[str, Any]:
    return {k: request.GET.getlist(k) for k in request.GET if k not in ("limit", "offset")}


@router.get("/campaigns", response=CampaignPage, auth=None, summary="Published campaigns")
@access("public")
def campaigns(request: HttpRequest) -> dict[str, Any]:
    limit, offset = _paging(request)
    items = selectors.campaign_list(scope=ANONYMOUS_SCOPE, public=True)
    return {
        "count": len(items),
        "limit": limit,
        "offset": offset,
        "items": [
            PublicCampaignOut(
                id=c.pk,
                name=c.name,
                year=c.year,
                framework=c.framework.label,
                area=c.unit_path,
                published_at=c.published_at.isoformat() if c.published_at else None,
            )
            for c in items[offset : offset + limit]
        ],
    }


@router.get(
    "/campaigns/{campaign_id}/aggregates",
    response=AggregatePage,
    auth=None,
    summary="Weighted aggregates of a published campaign (cells under 5 respondents suppressed)",
)
@access("public")
def aggregates(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    limit, offset = _paging(request)
    try:
        slice_ = parse_slice(_params(request))
        res = selectors.aggregate(
            scope=ANONYMOUS_SCOPE, campaign_id=campaign_id, slice_=slice_, public=True
        )
    except ValidationError as exc:
        raise _bad(exc) from exc
    rows = res.pop("rows")
    res.pop("suppressed", None)
    return {
        **res,
        "count": len(rows),
        "limit": limit,
        "offset": offset,
        "items": rows[offset : offset + limit],
    }


@router.get(
    "/campaigns/{campaign_id}/rankings",
    response=Page,
    auth=None,
    summary="Ranking of provinces or communes",
)
@access("public")
def rankings(request: HttpRequest, campaign_id: int, level: str = "province") -> dict[str, Any]:
    limit, offset = _paging(request)
    try:
        slice_ = parse_slice({k: v for k, v in _params(request).items() if k != "level"})
        rows = selectors.rankings(
            scope=ANONYMOUS_SCOPE, campaign_id=campaign_id, slice_=slice_, level=level, public=True
        )
    except ValidationError as exc:
        raise _bad(exc) from exc
    return {
        "count": len(rows),
        "limit": limit,
        "offset": offset,
        "items": rows[offset : offset + limit],
    }


@router.get(
    "/campaigns/{campaign_id}/unmet", response=Page, auth=None, summary="Most often unmet criteria"
)
@access("public")
def unmet(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    limit, offset = _paging(request)
    try:
        slice_ = parse_slice(_params(request))
        rows = selectors.unmet(
            scope=ANONYMOUS_SCOPE, campaign_id=campaign_id, slice_=slice_, public=True, limit=50
        )
    except ValidationError as exc:
        raise _bad(exc) from exc
    return {
        "count": len(rows),
        "limit": limit,
        "offset": offset,
        "items": rows[offset : offset + limit],
    }


@router.get("/data-dictionary", response=Page, auth=None, summary="Columns of the open data")
@access("public")
def data_dictionary(request: HttpRequest) -> dict[str, Any]:
    rows = [{"column": c, "meaning": m, "unit": u} for c, m, u in dictionary_rows()]
    return {"count": len(rows), "limit": len(rows), "offset": 0, "items": rows}
