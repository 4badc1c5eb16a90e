"""Officers' pages: campaigns with response counts, responses with filters, verification;
a respondent's home with its organisation and responses."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thuocdo.accounts.models import User
from thuocdo.accounts.selectors import require_officer, scope_for
from thuocdo.assessments import selectors, services
from thuocdo.assessments.domain import agency
from thuocdo.assessments.models import Channel, ResponseStatus
from thuocdo.assessments.services.common import lang
from thuocdo.core.access import access


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@access("public")
def index(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if scope.is_officer:
        campaigns = selectors.campaign_list(scope=scope).annotate(
            n_total=Count("responses"),
            n_submitted=Count("responses", filter=Q(responses__status=ResponseStatus.SUBMITTED)),
            n_verified=Count("responses", filter=Q(responses__status=ResponseStatus.VERIFIED)),
        )
        return render(request, "assessments/index.html", {"campaigns": campaigns})
    context: dict[str, Any] = {"campaigns": [], "responses": [], "organisation": None}
    if request.user.is_authenticated:
        context["organisation"] = selectors.member_organisation(scope)
        context["campaigns"] = selectors.campaign_list(scope=scope, status="open")
        context["responses"] = selectors.response_list(scope=scope)[:20]
    return render(request, "assessments/home.html", context)


@access("officer")
@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    require_officer(scope)
    campaign = selectors.campaign_get(scope=scope, campaign_id=pk)
    counts = selectors.campaign_response_counts(scope=scope, campaign=campaign)
    context = {
        "campaign": campaign,
        "counts": counts,
        "statuses": ResponseStatus.choices,
        "can_manage": scope.covers_path(campaign.unit_path),
        "public_link": request.build_absolute_uri(f"/assessments/c/{campaign.public_token}/"),
        "strata": campaign.strata.count(),
        "pillar_levels": selectors.campaign_pillar_levels(
            scope=scope, campaign=campaign, lang=lang()
        ),
        "agency_campaign": any(t in agency.AGENCY_TYPES for t in campaign.entity_types),
        "next": services.campaigns.NEXT_STATUS.get(campaign.status),  # type: ignore[call-overload]
    }
    return render(request, "assessments/campaign.html", context)


@access("officer")
@login_required
@require_POST
def campaign_status(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    campaign = selectors.campaign_get(scope=scope, campaign_id=pk)
    try:
        services.campaign_transition(
            scope=scope, actor=_user(request), campaign=campaign, to=request.POST.get("to", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("assessments:campaign", pk)


@access("officer")
@login_required
@require_POST
def campaign_strata(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    campaign = selectors.campaign_get(scope=scope, campaign_id=pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a CSV file."))
        return redirect("assessments:campaign", pk)
    try:
        result = services.campaign_strata_import(
            scope=scope,
            actor=_user(request),
            campaign=campaign,
            data=upload.read(services.campaigns.STRATA_MAX_BYTES + 1),
        )
    except services.StrataImportError as exc:
        for message in exc.messages[:20]:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(n)d strata imported (population %(pop)d).")
            % {"n": result["strata"], "pop": result["population"]},
        )
    return redirect("assessments:campaign", pk)


@access("officer")
@login_required
def response_list(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    require_officer(scope)
    campaign = selectors.campaign_get(scope=scope, campaign_id=pk)
    filters = {
        "status": request.GET.get("status", "")[:10],
        "commune": request.GET.get("commune", "")[:10],
        "channel": request.GET.get("channel", "")[:10],
        "q": request.GET.get("q", "")[:100],
    }
    qs = selectors.response_list(
        scope=scope,
        campaign_id=campaign.pk,
        status=filters["status"] or None,
        commune=filters["commune"] or None,
        channel=filters["channel"] or None,
        q=filters["q"] or None,
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    context = {
        "campaign": campaign,
        "page": page,
        "filters": filters,
        "query": query,
        "statuses": ResponseStatus.choices,
        "channels": Channel.choices,
    }
    return render(request, "assessments/responses.html", context)


@access("respondent")
@login_required
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    response = selectors.response_get(scope=scope, response_id=pk)
    language = lang()
    fw = response.framework.engine()
    answers = []
    for p in fw.pillars:
        for c in p.criteria:
            value = response.answers.get(c.code)
            if value is None:
                shown = "—"
            elif c.question.options:
                codes = value if isinstance(value, list) else [value]
                texts = {o.code: o.text.get(language) for o in c.question.options}
                shown = "; ".join(texts.get(str(v), str(v)) for v in codes)
            elif isinstance(value, bool):
                shown = _("Yes") if value else _("No")
            else:
                shown = str(value)
            answers.append(
                {
                    "pillar": p.name.get(language),
                    "code": c.code,
                    "name": c.name.get(language),
                    "answer": shown,
                    "score": response.criterion_scores.get(c.code),
                    "evidence": (response.evidence_links or {}).get(c.code, ""),
                }
            )
    context = {
        "response": response,
        "answers": answers,
        "view": selectors.result_view(response, language) if response.overall is not None else None,
        "can_verify": scope.is_officer and scope.covers_path(response.unit_path),
        "has_evidence": bool(response.evidence_links),
    }
    return render(request, "assessments/response.html", context)


@access("officer")
@login_required
@require_POST
def response_decide(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    response = selectors.response_get(scope=scope, response_id=pk)
    try:
        if request.POST.get("decision") == "verify":
            services.response_verify(scope=scope, actor=_user(request), response=response)
            messages.success(request, _("Response verified."))
        else:
            services.response_reject(
                scope=scope,
                actor=_user(request),
                response=response,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("Response rejected."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise
    return redirect("assessments:response", pk)


@access("officer")
@login_required
def agency_results(request: HttpRequest, pk: int) -> HttpResponse:
    """Each agency's result in a campaign over agencies, and the owner's choice of named
    publication."""
    scope = scope_for(request.user)
    require_officer(scope)
    campaign = selectors.campaign_get(scope=scope, campaign_id=pk)
    rows = selectors.agency_results(scope=scope, campaign=campaign)
    fw = campaign.framework.engine()
    context = {
        "campaign": campaign,
        "rows": rows,
        "pillars": [p.name.get(lang()) for p in fw.pillars],
        "can_choose": scope.role == "admin" or campaign.created_by_id == request.user.pk,
    }
    return render(request, "assessments/agency_results.html", context)


@access("officer")
@login_required
@require_POST
def named_publication(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    campaign = selectors.campaign_get(scope=scope, campaign_id=pk)
    try:
        services.campaign_set_named_publication(
            scope=scope,
            actor=_user(request),
            campaign=campaign,
            named=request.POST.get("named") == "1",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("assessments:agency-results", pk)
