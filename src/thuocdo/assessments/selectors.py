"""Reads of the assessments capability, always filtered by the viewer's scope.

- Officers see organisations and responses whose commune lies in their area, and the
  campaigns whose area overlaps theirs (a commune officer sees the province's campaign, to
  answer on behalf of organisations of its commune).
- A respondent sees its own organisation (``OrganisationMember``) and its responses, and the
  open or published campaigns covering it.
- Visitors reach a campaign only through its public token.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from thuocdo.accounts.scopes import RESPONDENT, Scope
from thuocdo.assessments.compiled import fetch_row, fetch_rows_side_by_side
from thuocdo.assessments.domain import agency, identity
from thuocdo.assessments.models import (
    Campaign,
    CampaignStatus,
    Organisation,
    OrganisationMember,
    Response,
    ResponseStatus,
    ResumeCode,
    SubmissionKey,
)
from thuocdo.core.text import fold
from thuocdo.frameworks.engine import pillar_level
from thuocdo.frameworks.models import FrameworkVersion
from thuocdo.geo.models import Unit

# the columns of the organisation the submission path reads
ORG_ANSWERING_FIELDS = (
    "id",
    "name",
    "tax_code",
    "registry_id",
    "commune_id",
    "unit_path",
    "entity_type",
    "size_class",
    "sector",
    "email",
    "merged_into_id",
)


def _member_org_id(scope: Scope) -> int | None:
    if scope.role != RESPONDENT or scope.user_id is None:
        return None
    return (
        OrganisationMember.objects.filter(user_id=scope.user_id)
        .values_list("organisation_id", flat=True)
        .first()
    )


def member_organisation(scope: Scope) -> Organisation | None:
    org_id = _member_org_id(scope)
    return (
        Organisation.objects.select_related("commune").filter(pk=org_id).first() if org_id else None
    )


def organisation_list(
    *,
    scope: Scope,
    q: str | None = None,
    commune: str | None = None,
    entity_type: str | None = None,
    include_merged: bool = False,
) -> QuerySet[Organisation]:
    qs = Organisation.objects.select_related("commune", "parent", "admin_unit")
    if scope.is_officer:
        if scope.unit_path is not None:
            qs = qs.filter(unit_path__startswith=scope.unit_path)
        if scope.sectors is not None:
            qs = qs.filter(sector__in=sorted({*scope.sectors, "general"}))
    else:
        org_id = _member_org_id(scope)
        if org_id is None:
            return qs.none()
        qs = qs.filter(pk=org_id)
    if not include_merged:
        qs = qs.filter(merged_into__isnull=True)
    if q:
        folded = fold(q)
        try:
            code = identity.normalise_identifier(q)[1]
        except identity.InvalidIdentifierError:
            code = None
        try:
            agency_code = agency.parse_agency_code(q).text
        except agency.InvalidAgencyCodeError:
            agency_code = None
        match = Q(name_folded__contains=folded) | Q(registry_id=q.strip())
        if code is not None:
            match |= Q(tax_code=code)
        if agency_code is not None:
            match |= Q(agency_code=agency_code)
        qs = qs.filter(match)
    if commune:
        qs = qs.filter(commune__code=commune)
    if entity_type:
        qs = qs.filter(entity_type=entity_type)
    return qs


def organisation_get(*, scope: Scope, organisation_id: int) -> Organisation:
    org = organisation_list(scope=scope, include_merged=True).filter(pk=organisation_id).first()
    if org is None:
        raise Http404(_("No organisation with id %(id)s in your reach.") % {"id": organisation_id})
    return org


def organisation_lookup(*, campaign: Campaign, identifier: str) -> Organisation | None:
    """Public lookup for the self-assessment form: the organisation with this tax code,
    citizen-ID number or registry id inside the campaign's area (merged ones resolve to the
    survivor). Raises ValueError for a malformed tax code."""
    value = identifier.strip()
    qs = Organisation.objects.select_related("commune").filter(
        unit_path__startswith=campaign.unit_path
    )
    if value.upper().startswith("TD-"):
        org = qs.filter(registry_id=value.upper()).first()
    elif agency.looks_like_agency_code(value):
        try:
            org = qs.filter(agency_code=agency.parse_agency_code(value).text).first()
        except agency.InvalidAgencyCodeError as exc:
            raise ValueError(str(exc)) from None
    else:
        code = identity.normalise_identifier(value)[1]
        org = qs.filter(tax_code=code).first()
        if org is None:
            org = qs.filter(merged__tax_code=code).first()
    while org is not None and org.merged_into_id is not None:
        org = Organisation.objects.select_related("commune").filter(pk=org.merged_into_id).first()
    return org


def campaign_list(
    *,
    scope: Scope,
    status: str | None = None,
    year: int | None = None,
    within: Unit | None = None,
) -> QuerySet[Campaign]:
    """Campaigns the viewer may see, newest year first; ``within`` keeps those whose area lies
    in that unit's subtree."""
    qs = Campaign.objects.select_related("framework", "area").defer(
        "framework__definition", "framework__yaml_text"
    )
    if scope.is_officer:
        if scope.unit_path is not None:
            path = scope.unit_path
            prefixes = [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]
            qs = qs.filter(Q(unit_path__startswith=path) | Q(unit_path__in=prefixes))
    else:
        org = member_organisation(scope)
        if org is None:
            return qs.none()
        prefixes = [org.unit_path[: i + 1] for i, ch in enumerate(org.unit_path) if ch == "/"]
        qs = qs.filter(
            unit_path__in=prefixes, status__in=[CampaignStatus.OPEN, CampaignStatus.PUBLISHED]
        )
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    if within is not None:
        qs = qs.filter(unit_path__startswith=within.path)
    return qs


def campaign_get(*, scope: Scope, campaign_id: int) -> Campaign:
    campaign = campaign_list(scope=scope).filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404(_("No campaign with id %(id)s in your reach.") % {"id": campaign_id})
    return campaign


# The submission path reads one campaign and one organisation per request, with SQL compiled
# once per process (``compiled.fetch_row``); the rows become model instances whose other
# fields load on access.


def _in_model_order(model: Any, names: tuple[str, ...]) -> tuple[str, ...]:
    """Column names in the model's field order (what ``Model.from_db`` expects)."""
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in names)


_CAMPAIGN_COLUMNS = _in_model_order(
    Campaign,
    (
        "id",
        "name",
        "framework_id",
        "unit_path",
        "year",
        "entity_types",
        "pilot",
        "status",
        "public_token",
    ),
)
_ENTITY_TYPES = _CAMPAIGN_COLUMNS.index("entity_types")
_PILOT = _CAMPAIGN_COLUMNS.index("pilot")
_FRAMEWORK_COLUMNS = _in_model_order(
    FrameworkVersion, ("id", "code", "version", "status", "content_hash")
)
_ORG_COLUMNS = _in_model_order(Organisation, ORG_ANSWERING_FIELDS)
_CAMPAIGN_ROW = len(_CAMPAIGN_COLUMNS) + len(_FRAMEWORK_COLUMNS)  # then the organisation's


def _campaign_query() -> QuerySet[Any]:
    return (
        Campaign.objects.filter(pk=0)
        .order_by()
        .values_list(*_CAMPAIGN_COLUMNS, *(f"framework__{f}" for f in _FRAMEWORK_COLUMNS))[:1]
    )


def _organisation_query() -> QuerySet[Any]:
    return Organisation.objects.filter(pk=0).order_by().values_list(*_ORG_COLUMNS)[:1]


def _campaign_from_row(row: tuple[Any, ...] | None, campaign_id: int) -> Campaign:
    if row is None:
        raise Http404(_("No campaign with id %(id)s.") % {"id": campaign_id})
    values = list(row[: len(_CAMPAIGN_COLUMNS)])
    types = values[_ENTITY_TYPES]
    values[_ENTITY_TYPES] = json.loads(types) if isinstance(types, str | bytes) else types
    values[_PILOT] = bool(values[_PILOT])
    campaign = Campaign.from_db(connection.alias, list(_CAMPAIGN_COLUMNS), values)
    campaign.framework = FrameworkVersion.from_db(
        connection.alias,
        list(_FRAMEWORK_COLUMNS),
        list(row[len(_CAMPAIGN_COLUMNS) : _CAMPAIGN_ROW]),
    )
    return campaign


def _organisation_from_row(row: tuple[Any, ...]) -> Organisation | None:
    if row[0] is None:
        return None
    return Organisation.from_db(connection.alias, list(_ORG_COLUMNS), list(row))


def campaign_for_answering(campaign_id: int) -> Campaign:
    """The campaign with what a submission needs, always read fresh (its status decides
    whether answers are taken); the criteria-set definition is loaded only when the engine
    for that version is not cached yet."""
    row = fetch_row("campaign_for_answering", _campaign_query, {0: campaign_id})
    return _campaign_from_row(row, campaign_id)


def organisation_for_answering(organisation_id: int) -> Organisation | None:
    """The organisation with the fields a submission copies (no scope: services check it)."""
    row = fetch_row("organisation_for_answering", _organisation_query, {0: organisation_id})
    return None if row is None else _organisation_from_row(row)


def campaign_and_organisation_for_answering(
    campaign_id: int, organisation_id: int
) -> tuple[Campaign, Organisation | None]:
    """``campaign_for_answering`` and ``organisation_for_answering`` in one round trip."""
    row = fetch_rows_side_by_side(
        ("campaign_for_answering", _campaign_query, {0: campaign_id}),
        ("organisation_for_answering", _organisation_query, {0: organisation_id}),
    )
    campaign = _campaign_from_row(row, campaign_id)
    assert row is not None  # _campaign_from_row raised otherwise
    return campaign, _organisation_from_row(row[_CAMPAIGN_ROW:])


def campaign_by_token(token: str) -> Campaign:
    campaign = (
        Campaign.objects.select_related("framework", "area").filter(public_token=token).first()
    )
    if campaign is None:
        raise Http404(_("This campaign link is not valid."))
    return campaign


def campaign_response_counts(*, scope: Scope, campaign: Campaign) -> dict[str, int]:
    """``{"total": n, "<status>": n, ...}`` over the responses the viewer may see."""
    counts: dict[str, int] = {"total": 0, **dict.fromkeys(ResponseStatus.values, 0)}
    rows = (
        response_list(scope=scope, campaign_id=campaign.pk)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[row["status"]] = row["n"]
        counts["total"] += row["n"]
    return counts


def campaign_pillar_levels(*, scope: Scope, campaign: Campaign, lang: str = "vi") -> dict[str, Any]:
    """How many submitted and verified responses (of those the viewer may see) reached each
    level in each pillar: ``{"levels": [(code, name)], "pillars": [{"code", "name",
    "counts": [n per level], "none": n}]}`` (``none``: pillar null or not yet stored). One
    grouped query per pillar."""
    from django.db.models.fields.json import KT

    fw = campaign.framework.engine()
    levels = [(lv.code, lv.name.get(lang)) for lv in fw.levels]
    qs = response_list(scope=scope, campaign_id=campaign.pk).filter(
        status__in=[ResponseStatus.SUBMITTED, ResponseStatus.VERIFIED]
    )
    pillars = []
    for p in fw.pillars:
        counts = dict.fromkeys([code for code, _ in levels], 0)
        none = 0
        rows = (
            qs.order_by()
            .annotate(plevel=KT(f"pillar_levels__{p.code}"))
            .values("plevel")
            .annotate(n=Count("id"))
        )
        for row in rows:
            value = row["plevel"]
            if value is not None and str(value).isdigit() and int(value) in counts:
                counts[int(value)] += row["n"]
            else:
                none += row["n"]
        pillars.append(
            {
                "code": p.code,
                "name": p.name.get(lang),
                "counts": list(counts.values()),
                "none": none,
            }
        )
    return {"levels": levels, "pillars": pillars}


def campaign_response_counts_many(
    *, scope: Scope, campaign_ids: list[int]
) -> dict[int, dict[str, int]]:
    """:func:`campaign_response_counts` of several campaigns in one query."""
    out: dict[int, dict[str, int]] = {
        pk: {"total": 0, **dict.fromkeys(ResponseStatus.values, 0)} for pk in campaign_ids
    }
    rows = (
        response_list(scope=scope)
        .filter(campaign_id__in=campaign_ids)
        .order_by()
        .values("campaign_id", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts = out[row["campaign_id"]]
        counts[row["status"]] = row["n"]
        counts["total"] += row["n"]
    return out


def response_list(
    *,
    scope: Scope,
    campaign_id: int | None = None,
    status: str | None = None,
    commune: str | None = None,
    channel: str | None = None,
    q: str | None = None,
) -> QuerySet[Response]:
    qs = Response.objects.select_related("organisation", "campaign", "commune")
    if scope.is_officer:
        if scope.unit_path is not None:
            qs = qs.filter(unit_path__startswith=scope.unit_path)
        if scope.sectors is not None:
            qs = qs.filter(sector__in=sorted({*scope.sectors, "general"}))
    else:
        org_id = _member_org_id(scope)
        if org_id is None:
            return qs.none()
        qs = qs.filter(organisation_id=org_id)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if status:
        qs = qs.filter(status=status)
    if commune:
        qs = qs.filter(commune__code=commune)
    if channel:
        qs = qs.filter(channel=channel)
    if q:
        qs = qs.filter(
            Q(organisation__name_folded__contains=fold(q)) | Q(organisation__tax_code=q.strip())
        )
    return qs


def response_get(*, scope: Scope, response_id: int) -> Response:
    response = response_list(scope=scope).filter(pk=response_id).first()
    if response is None:
        raise Http404(_("No response with id %(id)s in your reach.") % {"id": response_id})
    return response


def response_for_key(*, campaign: Campaign, key: str) -> Response | None:
    """The response a submission with this Idempotency-Key produced in the campaign."""
    row = (
        SubmissionKey.objects.filter(campaign_id=campaign.pk, key=key.strip())
        .select_related("response", "response__organisation", "response__framework")
        .defer("response__framework__definition", "response__framework__yaml_text")
        .first()
    )
    return row.response if row is not None else None


def response_by_resume_code(*, campaign: Campaign, code: str) -> Response:
    row = (
        ResumeCode.objects.select_related("response", "response__organisation")
        .filter(code=code.strip().upper(), response__campaign=campaign)
        .first()
    )
    if row is None:
        raise PermissionDenied(_("This resume code is not valid for this campaign."))
    response = row.response
    response._resume_code = row.code  # type: ignore[attr-defined]
    return response


def resume_throttled(*, campaign: Campaign, ip: str) -> bool:
    """Whether ``ip`` tried RESUME_FAILURE_LIMIT wrong resume codes in ``campaign`` within the
    last hour: its next tries are refused without looking at the code."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from thuocdo.assessments.models import ResumeFailure

    limit = int(settings.RESUME_FAILURE_LIMIT)
    recent = ResumeFailure.objects.filter(
        campaign=campaign, ip=ip[:45], at__gte=timezone.now() - timedelta(hours=1)
    )
    return limit > 0 and recent[:limit].count() >= limit


def resume_code_of(response: Response) -> str | None:
    return ResumeCode.objects.filter(response=response).values_list("code", flat=True).first()


def response_for(campaign: Campaign, organisation: Organisation) -> Response | None:
    """The organisation's response in the campaign (no scope: callers check access)."""
    return Response.objects.filter(campaign=campaign, organisation=organisation).first()


def result_view(response: Response, lang: str = "vi") -> dict[str, Any]:
    """What the result page shows: overall, level name, pillars with names, unmet criteria
    in plain language (the question's text)."""
    fw = response.framework.engine()
    levels = {lv.code: lv.name.get(lang) for lv in fw.levels}
    stored = pillar_levels_of(response)
    total_weight = sum(p.weight for p in fw.pillars)
    pillars = []
    for p in fw.pillars:
        pscore = response.pillar_scores.get(p.code)
        # responses scored before pillar levels were stored: the same rule, from the score
        plevel = stored[p.code] if p.code in stored else pillar_level(fw.levels, pscore)
        pmax = fw.points * p.weight / total_weight if fw.points is not None else None
        pillars.append(
            {
                "code": p.code,
                "name": p.name.get(lang),
                "score": pscore,
                "level": plevel,
                "level_name": levels.get(plevel, "") if plevel is not None else "",
                "points": points_in(pscore, pmax),
                "max_points": points_in(100.0, pmax),
            }
        )
    unmet = []
    for code in response.unmet:
        c = fw.criterion(code)
        unmet.append(
            {
                "code": code,
                "name": c.name.get(lang),
                "score": response.criterion_scores.get(code),
                "target": c.target,
                "pillar": fw.pillar_of(code).name.get(lang),
            }
        )
    return {
        "overall": response.overall,
        "level": response.level,
        "level_name": levels.get(response.level or 0, ""),
        "max_level": max(levels) if levels else 0,
        "points": points_in(response.overall, fw.points),
        "max_points": points_in(100.0, fw.points),
        "pillars": pillars,
        "unmet": unmet,
    }


def pillar_levels_of(response: Response) -> dict[str, int | None]:
    """The response's pillar levels: as stored, or (a response scored before pillar levels were
    stored) from its pillar scores by the same rule."""
    if response.pillar_levels or not response.pillar_scores:
        return dict(response.pillar_levels or {})
    fw = response.framework.engine()
    return {p.code: pillar_level(fw.levels, response.pillar_scores.get(p.code)) for p in fw.pillars}


def points_in(score: float | None, total: float | None) -> float | None:
    """A 0–100 score in points out of ``total`` (rounded against float noise), or None."""
    if score is None or total is None:
        return None
    return round(score * total / 100.0, 6)


def evidence_view(response: Response, lang: str = "vi") -> list[dict[str, Any]]:
    """The evidence links of a response in criteria order (code, criterion name, url), for the
    officers' response page and the respondent's result page only (never published)."""
    links = response.evidence_links or {}
    if not links:
        return []
    fw = response.framework.engine()
    return [
        {"code": c.code, "name": c.name.get(lang), "url": links[c.code]}
        for c in fw.criteria()
        if c.code in links
    ]


def _agency_rows(campaign: Campaign, qs: QuerySet[Response]) -> list[dict[str, Any]]:
    fw = campaign.framework.engine()
    pillars = [(p.code, p.name) for p in fw.pillars]
    rows: list[dict[str, Any]] = []
    for r in qs.select_related("organisation", "organisation__admin_unit").order_by(
        "organisation__sort_key", "organisation_id"
    ):
        org = r.organisation
        rows.append(
            {
                "name": org.name,
                "agency_code": org.agency_code,
                "entity_type": org.entity_type,
                "admin_unit": org.admin_unit.name if org.admin_unit is not None else "",
                "status": r.status,
                "overall": r.overall,
                "level": r.level,
                "pillars": [(code, (r.pillar_scores or {}).get(code)) for code, _name in pillars],
            }
        )
    return rows


def agency_results(*, scope: Scope, campaign: Campaign) -> list[dict[str, Any]]:
    """Each agency's result in a campaign over agencies, for officers covering the campaign's
    area (submitted and verified responses; the status says which)."""
    if not scope.is_officer or not scope.covers_path(campaign.unit_path):
        raise PermissionDenied(_("This lies outside your administrative area."))
    qs = Response.objects.filter(
        campaign=campaign,
        organisation__entity_type__in=sorted(agency.AGENCY_TYPES),
        status__in=[ResponseStatus.SUBMITTED, ResponseStatus.VERIFIED],
    )
    return _agency_rows(campaign, qs)


def named_results_public(campaign_id: int) -> tuple[Campaign, list[dict[str, Any]]]:
    """The named public results of a campaign over agencies: only when the campaign is
    published and its owner chose named publication, only verified responses of agencies.
    Anything else is not found (the suppressed dashboards stay the only public output)."""
    campaign = (
        Campaign.objects.select_related("framework", "area")
        .filter(pk=campaign_id, status=CampaignStatus.PUBLISHED, publish_named=True)
        .first()
    )
    if campaign is None or any(t not in agency.AGENCY_TYPES for t in campaign.entity_types):
        raise Http404(_("No campaign with named results %(id)s.") % {"id": campaign_id})
    qs = Response.objects.filter(
        campaign=campaign,
        organisation__entity_type__in=sorted(agency.AGENCY_TYPES),
        status=ResponseStatus.VERIFIED,
    )
    return campaign, _agency_rows(campaign, qs)
