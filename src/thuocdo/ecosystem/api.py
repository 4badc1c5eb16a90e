"""API router of the ecosystem app, mounted at /api/v1/ecosystem."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from thuocdo.accounts.scopes import PROVIDER, Scope
from thuocdo.accounts.selectors import scope_for
from thuocdo.api.auth import AUTH
from thuocdo.api.paging import BoundedLimitOffset
from thuocdo.assessments.models import Organisation, Response
from thuocdo.core.access import access
from thuocdo.ecosystem import connections, recommend, reports, selectors, services
from thuocdo.ecosystem.models import (
    ConnectionRequest,
    ConnectionStatus,
    Promotion,
    Provider,
    Solution,
    SolutionStatus,
)
from thuocdo.ecosystem.schemas import (
    ConnectionIn,
    ConnectionOut,
    ConnectionTransitionIn,
    ContactOut,
    EffectRowOut,
    GapCellOut,
    PromotionIn,
    PromotionOut,
    PromotionPatch,
    ProviderOut,
    RecommendationOut,
    ReviewIn,
    SolutionIn,
    SolutionOut,
    SolutionPatch,
)

router = Router(tags=["ecosystem"])


def _user(request: HttpRequest) -> Any:
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _scope(request: HttpRequest) -> Scope:
    return scope_for(_user(request))


def _choice(name: str, value: str | None, allowed: list[str]) -> None:
    """Refuse (422, naming the parameter) a query parameter outside ``allowed``."""
    if value is not None and value not in allowed:
        raise ValidationError(
            {
                name: _("Unknown value %(value)s; use one of: %(all)s.")
                % {"value": value, "all": ", ".join(allowed)}
            }
        )


def solution_out(s: Solution) -> SolutionOut:
    return SolutionOut(
        id=s.pk,
        code=s.code,
        provider_id=s.provider_id,
        provider_name=s.provider.name,
        name_vi=s.name_vi,
        name_en=s.name_en,
        category=s.category,
        description_vi=s.description_vi,
        description_en=s.description_en,
        price_model=s.price_model,
        price=s.price,
        sectors=list(s.sectors),
        entity_types=list(s.entity_types),
        solution_tags=list(s.solution_tags),
        criteria=list(s.criteria),
        url=s.url,
        status=s.status,
        builtin=s.builtin,
    )


def promotion_out(p: Promotion) -> PromotionOut:
    return PromotionOut(
        id=p.pk,
        solution_id=p.solution_id,
        title=p.title,
        free_trial_months=p.free_trial_months,
        discount_percent=p.discount_percent,
        valid_from=p.valid_from,
        valid_to=p.valid_to,
        meets_policy=p.meets_policy,
        status=p.status,
        review_note=p.review_note,
    )


def connection_out(c: ConnectionRequest, scope: Scope | None = None) -> ConnectionOut:
    """A request; its contact details (left without an account) go to its provider only."""
    contact = None
    if scope is not None and scope.role == PROVIDER and c.consent_at is not None:
        contact = ContactOut(
            name=c.contact_name,
            phone=c.contact_phone,
            email=c.contact_email,
            consent_at=c.consent_at,
            consent_version=c.consent_version,
        )
    return ConnectionOut(
        id=c.pk,
        organisation_id=c.organisation_id,
        organisation_name=c.organisation.name,
        solution_id=c.solution_id,
        solution_name=c.solution.name_vi,
        provider_id=c.provider_id,
        status=c.status,
        on_behalf=c.on_behalf,
        commune_code=c.commune.code,
        sector=c.sector,
        message=c.message,
        created_at=c.created_at,
        status_changed_at=c.status_changed_at,
        without_account=c.without_account,
        contact=contact,
    )


class SolutionFilter(Schema):
    q: str | None = Field(None, max_length=100)
    category: str | None = Field(None, max_length=50)
    tag: str | None = Field(None, max_length=50)
    status: str | None = Field(None, max_length=10)
    provider_id: int | None = None
    sector: str | None = Field(None, max_length=50)  # serving this sector or every sector


# ---------------------------------------------------------------- catalogue


@router.get("/solutions", response=list[SolutionOut], auth=None, summary="Browse solutions")
@access("public")
@paginate(BoundedLimitOffset)
def list_solutions(request: HttpRequest, filters: Query[SolutionFilter]) -> Any:
    _choice("status", filters.status or None, list(SolutionStatus.values))
    qs = selectors.solution_list(scope=_scope(request), **filters.model_dump())
    return [solution_out(s) for s in qs[:5000]]


@router.get("/solutions/mine", response=list[SolutionOut], auth=AUTH, summary="My listings")
@access("provider")
def my_solutions(request: HttpRequest) -> list[SolutionOut]:
    scope = _scope(request)
    if scope.role != "provider" and not scope.is_officer:
        raise PermissionDenied(_("This page is for solution providers."))
    return [solution_out(s) for s in selectors.solution_list(scope=scope, mine=True)]


@router.get("/solutions/{solution_id}", response=SolutionOut, auth=None)
@access("public")
def get_solution(request: HttpRequest, solution_id: int) -> SolutionOut:
    return solution_out(selectors.solution_get(scope=_scope(request), solution_id=solution_id))


@router.post("/solutions", response={201: SolutionOut}, auth=AUTH, summary="New listing (draft)")
@access("provider")
def create_solution(request: HttpRequest, payload: SolutionIn) -> Status:
    scope = _scope(request)
    provider = selectors.provider_get(scope=scope, provider_id=payload.provider_id)
    data = payload.model_dump(exclude={"provider_id", "code"})
    s = services.solution_create(
        scope=scope, actor=_user(request), provider=provider, code=payload.code, data=data
    )
    return Status(201, solution_out(s))


@router.patch("/solutions/{solution_id}", response=SolutionOut, auth=AUTH)
@access("provider_only")
def update_solution(request: HttpRequest, solution_id: int, payload: SolutionPatch) -> SolutionOut:
    scope = _scope(request)
    s = selectors.solution_get(scope=scope, solution_id=solution_id)
    data = payload.model_dump(exclude_unset=True)
    return solution_out(
        services.solution_update(scope=scope, actor=_user(request), solution=s, data=data)
    )


@router.post("/solutions/{solution_id}/submit", response=SolutionOut, auth=AUTH)
@access("provider")
def submit_solution(request: HttpRequest, solution_id: int) -> SolutionOut:
    scope = _scope(request)
    s = selectors.solution_get(scope=scope, solution_id=solution_id)
    return solution_out(services.solution_submit(scope=scope, actor=_user(request), solution=s))


@router.post("/solutions/{solution_id}/review", response=SolutionOut, auth=AUTH)
@access("officer")
def review_solution(request: HttpRequest, solution_id: int, payload: ReviewIn) -> SolutionOut:
    scope = _scope(request)
    s = selectors.solution_get(scope=scope, solution_id=solution_id)
    return solution_out(
        services.solution_review(
            scope=scope,
            actor=_user(request),
            solution=s,
            approve=payload.approve,
            note=payload.note,
        )
    )


@router.get("/providers", response=list[ProviderOut], auth=None)
@access("public")
@paginate(BoundedLimitOffset)
def list_providers(request: HttpRequest) -> Any:
    return [
        ProviderOut.model_validate(p, from_attributes=True)
        for p in selectors.provider_list(scope=_scope(request))
    ]


@router.get("/providers/{provider_id}", response=ProviderOut, auth=None)
@access("public")
def get_provider(request: HttpRequest, provider_id: int) -> Provider:
    return selectors.provider_get(scope=_scope(request), provider_id=provider_id)


@router.get("/promotions", response=list[PromotionOut], auth=None)
@access("public")
def list_promotions(request: HttpRequest, solution_id: int | None = None) -> list[PromotionOut]:
    qs = selectors.promotion_list(scope=_scope(request), solution_id=solution_id)
    return [promotion_out(p) for p in qs[:1000]]


@router.post("/solutions/{solution_id}/promotions", response={201: PromotionOut}, auth=AUTH)
@access("provider")
def create_promotion(request: HttpRequest, solution_id: int, payload: PromotionIn) -> Status:
    scope = _scope(request)
    s = selectors.solution_get(scope=scope, solution_id=solution_id)
    p = services.promotion_create(
        scope=scope, actor=_user(request), solution=s, **payload.model_dump()
    )
    return Status(201, promotion_out(p))


@router.patch("/promotions/{promotion_id}", response=PromotionOut, auth=AUTH)
@access("provider_only")
def update_promotion(request: HttpRequest, promotion_id: int, payload: PromotionPatch) -> Any:
    scope = _scope(request)
    p = selectors.promotion_get(scope=scope, promotion_id=promotion_id)
    data = payload.model_dump(exclude_unset=True)
    return promotion_out(
        services.promotion_update(scope=scope, actor=_user(request), promotion=p, data=data)
    )


@router.post("/promotions/{promotion_id}/review", response=PromotionOut, auth=AUTH)
@access("officer")
def review_promotion(request: HttpRequest, promotion_id: int, payload: ReviewIn) -> Any:
    scope = _scope(request)
    p = selectors.promotion_get(scope=scope, promotion_id=promotion_id)
    return promotion_out(
        services.promotion_review(
            scope=scope,
            actor=_user(request),
            promotion=p,
            approve=payload.approve,
            note=payload.note,
        )
    )


# ---------------------------------------------------------------- recommendations


@router.get("/responses/{response_id}/recommendations", response=RecommendationOut, auth=AUTH)
@access("respondent")
def response_recommendations(
    request: HttpRequest, response_id: int, limit: int = 10
) -> RecommendationOut:
    response = selectors.response_get(scope=_scope(request), response_id=response_id)
    advice = recommend.advice_for_response(
        response, lang=get_language() or "vi", limit=max(1, min(limit, 100))
    )
    return RecommendationOut(**advice.data, plan_text=advice.plan_text)


# ---------------------------------------------------------------- connection requests


@router.get("/connections", response=list[ConnectionOut], auth=AUTH)
@access("authenticated")
@paginate(BoundedLimitOffset)
def list_connections(
    request: HttpRequest,
    status: str | None = None,
    commune: str | None = None,
    sector: str | None = None,
    provider_id: int | None = None,
) -> Any:
    _choice("status", status or None, list(ConnectionStatus.values))
    qs = selectors.connection_list(
        scope=_scope(request),
        status=status,
        commune=commune,
        sector=sector,
        provider_id=provider_id,
    )
    scope = _scope(request)
    return [connection_out(c, scope) for c in qs[:5000]]


@router.get("/connections/summary", response=list[dict[str, Any]], auth=AUTH)
@access("officer")
def connection_summary(request: HttpRequest, by: str = "provider") -> list[dict[str, Any]]:
    _choice("by", by, ["commune", "sector", "provider"])
    return selectors.connection_summary(scope=_scope(request), by=by)


@router.post("/connections", response={201: ConnectionOut}, auth=AUTH)
@access("respondent")
def create_connection(request: HttpRequest, payload: ConnectionIn) -> Status:
    scope = _scope(request)
    org = Organisation.objects.filter(pk=payload.organisation_id).first()
    if org is None:
        raise Http404(_("No organisation with id %(id)s.") % {"id": payload.organisation_id})
    solution = selectors.solution_get(scope=scope, solution_id=payload.solution_id)
    response = None
    if payload.response_id is not None:
        response = Response.objects.filter(pk=payload.response_id).first()
        if response is None:
            raise Http404(_("No response with id %(id)s.") % {"id": payload.response_id})
    c = connections.connection_request(
        scope=scope,
        actor=_user(request),
        organisation=org,
        solution=solution,
        response=response,
        message=payload.message,
    )
    return Status(201, connection_out(c))


@router.post("/connections/{connection_id}/transition", response=ConnectionOut, auth=AUTH)
@access("provider")
def transition_connection(
    request: HttpRequest, connection_id: int, payload: ConnectionTransitionIn
) -> ConnectionOut:
    scope = _scope(request)
    c = selectors.connection_get(scope=scope, connection_id=connection_id)
    c = connections.connection_move(
        scope=scope, actor=_user(request), connection=c, to=payload.to, note=payload.note
    )
    return connection_out(c, scope)


# ---------------------------------------------------------------- reports


@router.get("/reports/effect", response=list[EffectRowOut], auth=AUTH)
@access("officer")
def effect_report(request: HttpRequest, by: str = "category") -> list[dict[str, Any]]:
    _choice("by", by, ["category", "province"])
    return [r.as_dict() for r in reports.effect_report(scope=_scope(request), by=by)]


@router.get("/reports/gaps", response=list[GapCellOut], auth=AUTH)
@access("officer")
def gap_map(request: HttpRequest, top: int = 5) -> list[dict[str, Any]]:
    return [c.as_dict() for c in reports.gap_map(scope=_scope(request), top=max(1, min(top, 50)))]
