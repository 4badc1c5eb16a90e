"""API router of the assessments app, mounted at /api/v1/assessments (thin: validate, call
one service or selector, shape the answer)."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Header, Query, Router, Schema, Status, UploadedFile
from pydantic import Field

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import scope_for
from thuocdo.api.auth import AUTH
from thuocdo.assessments import selectors, services
from thuocdo.assessments.models import Campaign, Organisation, Response
from thuocdo.assessments.schemas import (
    CampaignIn,
    CampaignOut,
    MergeIn,
    OrganisationIn,
    OrganisationOut,
    OrganisationPage,
    OrganisationPatch,
    RejectIn,
    ResponseIn,
    ResponseOut,
    ResponsePage,
    StrataOut,
    TransitionIn,
)
from thuocdo.core.access import access
from thuocdo.frameworks.models import FrameworkVersion

router = Router(tags=["assessments"], auth=AUTH)


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


class Paging(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=500)


def _page(qs: QuerySet[Any], paging: Paging) -> tuple[list[Any], dict[str, int]]:
    total = qs.count()
    start = (paging.page - 1) * paging.page_size
    items = list(qs[start : start + paging.page_size])
    pages = max(1, math.ceil(total / paging.page_size))
    return items, {
        "total": total,
        "page": paging.page,
        "pages": pages,
        "page_size": paging.page_size,
    }


def organisation_out(org: Organisation) -> OrganisationOut:
    return OrganisationOut(
        id=org.pk,
        registry_id=org.registry_id,
        tax_code=org.tax_code,
        agency_code=org.agency_code,
        parent_code=org.parent.agency_code if org.parent is not None else None,
        admin_unit_code=org.admin_unit.code if org.admin_unit is not None else None,
        name=org.name,
        entity_type=org.entity_type,
        vsic=org.vsic,
        sector=org.sector,
        size_class=org.size_class,
        commune_code=org.commune.code,
        commune_name=org.commune.name,
        address=org.address,
        contact_name=org.contact_name,
        phone=org.phone,
        email=org.email,
        merged_into=org.merged_into_id,
    )


def campaign_out(c: Campaign, responses: dict[str, int] | None = None) -> CampaignOut:
    return CampaignOut(
        id=c.pk,
        name=c.name,
        framework=c.framework.label,
        area_code=c.area_code,
        area_name=c.area_name,
        year=c.year,
        entity_types=list(c.entity_types),
        pilot=c.pilot,
        opens_on=c.opens_on,
        closes_on=c.closes_on,
        status=c.status,
        public_path=f"/assessments/c/{c.public_token}/",
        responses=responses,
    )


def response_out(
    r: Response, *, replayed: bool = False, version: FrameworkVersion | None = None
) -> ResponseOut:
    """The API form of a response; ``version`` (the campaign's) saves reading it again."""
    fv = version if version is not None else r.framework
    framework = fv.label
    total = fv.engine().points
    return ResponseOut(
        id=r.pk,
        campaign_id=r.campaign_id,
        organisation_id=r.organisation_id,
        organisation_name=r.organisation.name,
        framework=framework,
        status=r.status,
        channel=r.channel,
        answers=r.answers,
        evidence=r.evidence_links or {},
        overall=r.overall,
        level=r.level,
        pillar_scores=r.pillar_scores,
        pillar_levels=selectors.pillar_levels_of(r),
        points=selectors.points_in(r.overall, total),
        criterion_scores=r.criterion_scores,
        unmet=r.unmet,
        commune_code=r.unit_path.strip("/").rsplit("/", 1)[-1],
        entity_type=r.entity_type,
        size_class=r.size_class,
        sector=r.sector,
        submitted_at=r.submitted_at,
        submitted_by=r.submitted_by.username if r.submitted_by_id and r.submitted_by else None,
        rejection_reason=r.rejection_reason,
        replayed=replayed,
    )


# ---------------------------------------------------------------- organisations


class OrganisationFilter(Schema):
    q: str | None = Field(None, max_length=100, description="name, tax code or registry id")
    commune: str | None = Field(None, max_length=10)
    entity_type: str | None = Field(None, max_length=30)


@router.get("/organisations", response=OrganisationPage, summary="Organisations in my reach")
@access("authenticated")
def list_organisations(
    request: HttpRequest, filters: Query[OrganisationFilter], paging: Query[Paging]
) -> dict[str, Any]:
    qs = selectors.organisation_list(
        scope=scope_for(_user(request)),
        q=filters.q,
        commune=filters.commune,
        entity_type=filters.entity_type,
    )
    items, meta = _page(qs, paging)
    return {**meta, "items": [organisation_out(o) for o in items]}


@router.post("/organisations", response={201: OrganisationOut}, summary="Register an organisation")
@access("officer")
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Status:
    user = _user(request)
    data = {k: v for k, v in payload.model_dump().items() if v is not None}
    org = services.organisation_create(scope=scope_for(user), actor=user, data=data)
    return Status(201, organisation_out(org))


@router.get("/organisations/{organisation_id}", response=OrganisationOut)
@access("authenticated")
def get_organisation(request: HttpRequest, organisation_id: int) -> OrganisationOut:
    org = selectors.organisation_get(
        scope=scope_for(_user(request)), organisation_id=organisation_id
    )
    return organisation_out(org)


@router.patch("/organisations/{organisation_id}", response=OrganisationOut)
@access("respondent")
def update_organisation(
    request: HttpRequest, organisation_id: int, payload: OrganisationPatch
) -> OrganisationOut:
    user = _user(request)
    scope = scope_for(user)
    org = selectors.organisation_get(scope=scope, organisation_id=organisation_id)
    data = payload.model_dump(exclude_unset=True)
    org = services.organisation_update(scope=scope, actor=user, organisation=org, data=data)
    return organisation_out(org)


@router.post("/organisations/{organisation_id}/merge", response=OrganisationOut)
@access("officer")
def merge_organisation(
    request: HttpRequest, organisation_id: int, payload: MergeIn
) -> OrganisationOut:
    user = _user(request)
    scope = scope_for(user)
    survivor = selectors.organisation_get(scope=scope, organisation_id=organisation_id)
    duplicate = selectors.organisation_get(scope=scope, organisation_id=payload.duplicate_id)
    org = services.organisation_merge(
        scope=scope, actor=user, survivor=survivor, duplicate=duplicate
    )
    return organisation_out(Organisation.objects.select_related("commune").get(pk=org.pk))


# ---------------------------------------------------------------- campaigns


class CampaignFilter(Schema):
    status: str | None = Field(None, max_length=10)
    year: int | None = Field(None, ge=2000, le=2100)


@router.get("/campaigns", response=list[CampaignOut], summary="Campaigns in my reach")
@access("authenticated")
def list_campaigns(request: HttpRequest, filters: Query[CampaignFilter]) -> list[CampaignOut]:
    qs = selectors.campaign_list(
        scope=scope_for(_user(request)), status=filters.status, year=filters.year
    )
    return [campaign_out(c) for c in qs[:500]]


@router.post("/campaigns", response={201: CampaignOut}, summary="Create a draft campaign")
@access("officer")
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Status:
    user = _user(request)
    code, _sep, version = payload.framework.partition("@")
    fw = FrameworkVersion.objects.filter(code=code, version=version).first()
    if fw is None:
        raise ValidationError(
            {"framework": [_("Unknown criteria set %(label)s.") % {"label": payload.framework}]}
        )
    campaign = services.campaign_create(
        scope=scope_for(user),
        actor=user,
        framework=fw,
        area_code=payload.area,
        year=payload.year,
        name=payload.name,
        entity_types=payload.entity_types,
        pilot=payload.pilot,
        opens_on=payload.opens_on,
        closes_on=payload.closes_on,
    )
    return Status(201, campaign_out(campaign))


@router.get("/campaigns/{campaign_id}", response=CampaignOut)
@access("authenticated")
def get_campaign(request: HttpRequest, campaign_id: int) -> CampaignOut:
    scope = scope_for(_user(request))
    campaign = selectors.campaign_get(scope=scope, campaign_id=campaign_id)
    return campaign_out(
        campaign, selectors.campaign_response_counts(scope=scope, campaign=campaign)
    )


@router.post("/campaigns/{campaign_id}/status", response=CampaignOut)
@access("officer")
def transition_campaign(
    request: HttpRequest, campaign_id: int, payload: TransitionIn
) -> CampaignOut:
    user = _user(request)
    scope = scope_for(user)
    campaign = selectors.campaign_get(scope=scope, campaign_id=campaign_id)
    campaign = services.campaign_transition(
        scope=scope, actor=user, campaign=campaign, to=payload.status
    )
    return campaign_out(campaign)


class NamedIn(Schema):
    named: bool


class NamedOut(Schema):
    id: int
    publish_named: bool


@router.post(
    "/campaigns/{campaign_id}/named",
    response=NamedOut,
    summary="Publish an agency campaign's verified results by name (owner's choice, audited)",
)
@access("officer")
def set_named_publication(request: HttpRequest, campaign_id: int, payload: NamedIn) -> NamedOut:
    user = _user(request)
    scope = scope_for(user)
    campaign = selectors.campaign_get(scope=scope, campaign_id=campaign_id)
    campaign = services.campaign_set_named_publication(
        scope=scope, actor=user, campaign=campaign, named=payload.named
    )
    return NamedOut(id=campaign.pk, publish_named=campaign.publish_named)


@router.post("/campaigns/{campaign_id}/strata", response=StrataOut)
@access("officer")
def import_strata(
    request: HttpRequest, campaign_id: int, file: File[UploadedFile]
) -> dict[str, int]:
    user = _user(request)
    scope = scope_for(user)
    campaign = selectors.campaign_get(scope=scope, campaign_id=campaign_id)
    if (file.size or 0) > services.campaigns.STRATA_MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than 5 MB.")]})
    try:
        return services.campaign_strata_import(
            scope=scope, actor=user, campaign=campaign, data=file.read()
        )
    except services.StrataImportError as exc:
        raise ValidationError(
            {f"file.row{r.row}.{r.column}" if r.row else "file": [r.message] for r in exc.rows}
        ) from None


# ---------------------------------------------------------------- responses


class ResponseFilter(Schema):
    campaign: int | None = None
    status: str | None = Field(None, max_length=10)
    commune: str | None = Field(None, max_length=10)
    channel: str | None = Field(None, max_length=10)
    q: str | None = Field(None, max_length=100)


@router.get("/responses", response=ResponsePage, summary="Responses in my reach")
@access("authenticated")
def list_responses(
    request: HttpRequest, filters: Query[ResponseFilter], paging: Query[Paging]
) -> dict[str, Any]:
    qs = selectors.response_list(
        scope=scope_for(_user(request)),
        campaign_id=filters.campaign,
        status=filters.status,
        commune=filters.commune,
        channel=filters.channel,
        q=filters.q,
    ).select_related("framework", "submitted_by")
    items, meta = _page(qs.defer("framework__definition", "framework__yaml_text"), paging)
    return {**meta, "items": [response_out(r) for r in items]}


@router.post(
    "/responses",
    response={200: ResponseOut, 201: ResponseOut},
    summary="Submit (or save as draft) a response; retries with the same Idempotency-Key are safe",
)
@access("respondent")
def submit_response(
    request: HttpRequest,
    payload: ResponseIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=100),
) -> Status:
    user = _user(request)
    scope = scope_for(user)
    if payload.organisation_new is None and payload.organisation_id is not None:
        # the usual API call: both rows in one round trip
        campaign, found = selectors.campaign_and_organisation_for_answering(
            payload.campaign_id, payload.organisation_id
        )
        org = _known(found)
    else:
        campaign = selectors.campaign_for_answering(payload.campaign_id)
        if idempotency_key and payload.organisation_new is not None:
            # a retried offline send: answer before registering the organisation again
            first = selectors.response_for_key(campaign=campaign, key=idempotency_key)
            if first is not None:
                selectors.response_get(scope=scope, response_id=first.pk)  # still in reach
                return Status(200, response_out(first, replayed=True))
        if payload.organisation_new is not None:
            # a new organisation is registered together with its first answers, or not at
            # all (answers refused, or the connection lost before the commit)
            with transaction.atomic():
                org = _organisation_for(payload, user, campaign)
                return _answer(payload, user, scope, campaign, org, idempotency_key)
        org = _organisation_for(payload, user, campaign)
    return _answer(payload, user, scope, campaign, org, idempotency_key)


def _answer(
    payload: ResponseIn,
    user: User,
    scope: Scope,
    campaign: Campaign,
    org: Organisation,
    idempotency_key: str | None,
) -> Status:
    if payload.status == "draft":
        draft = services.response_save_draft(
            scope=scope,
            actor=user,
            campaign=campaign,
            organisation=org,
            answers=payload.answers,
            channel=payload.channel or "api",
            evidence=payload.evidence,
        )
        draft.organisation = org
        return Status(200, response_out(draft, version=campaign.framework))
    result = services.response_submit(
        scope=scope,
        actor=user,
        campaign=campaign,
        organisation=org,
        answers=payload.answers,
        channel=payload.channel or "api",
        idempotency_key=idempotency_key,
        evidence=payload.evidence,
    )
    r = result.response
    if not result.replayed:
        r.organisation = org
        r.submitted_by = user
    return Status(
        201 if result.created else 200,
        response_out(r, replayed=result.replayed, version=campaign.framework),
    )


def _organisation_for(payload: ResponseIn, user: User, campaign: Campaign) -> Organisation:
    from thuocdo.assessments.domain import identity

    org: Organisation | None = None
    if payload.organisation_new is not None:
        data = {k: v for k, v in payload.organisation_new.model_dump().items() if v is not None}
        try:
            return services.organisation_create(
                scope=scope_for(user), actor=user, data=data, via_campaign=campaign
            )
        except services.DuplicateOrganisationError as exc:
            return exc.existing
    if payload.organisation_id is not None:
        org = selectors.organisation_for_answering(payload.organisation_id)
    elif payload.organisation_tax_code:
        try:
            code = identity.normalise_identifier(payload.organisation_tax_code)[1]
        except identity.InvalidIdentifierError:
            raise ValidationError(
                {"organisation_tax_code": [_("This is not a valid tax code.")]}
            ) from None
        org = Organisation.objects.filter(tax_code=code).first()
    else:
        raise ValidationError(
            {"organisation_id": [_("Give organisation_id or organisation_tax_code.")]}
        )
    return _known(org)


def _known(org: Organisation | None) -> Organisation:
    if org is None:
        raise ValidationError({"organisation_id": [_("No such organisation.")]})
    return org


@router.get("/responses/{response_id}", response=ResponseOut)
@access("respondent")
def get_response(request: HttpRequest, response_id: int) -> ResponseOut:
    r = selectors.response_get(scope=scope_for(_user(request)), response_id=response_id)
    return response_out(r)


@router.post("/responses/{response_id}/verify", response=ResponseOut)
@access("officer")
def verify_response(request: HttpRequest, response_id: int) -> ResponseOut:
    user = _user(request)
    scope = scope_for(user)
    r = selectors.response_get(scope=scope, response_id=response_id)
    services.response_verify(scope=scope, actor=user, response=r)
    return response_out(selectors.response_get(scope=scope, response_id=response_id))


@router.post("/responses/{response_id}/reject", response=ResponseOut)
@access("officer")
def reject_response(request: HttpRequest, response_id: int, payload: RejectIn) -> ResponseOut:
    user = _user(request)
    scope = scope_for(user)
    r = selectors.response_get(scope=scope, response_id=response_id)
    services.response_reject(scope=scope, actor=user, response=r, reason=payload.reason)
    return response_out(selectors.response_get(scope=scope, response_id=response_id))
