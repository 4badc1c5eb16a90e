"""Pages of the ecosystem app: the public catalogue, the provider dashboard, the officers'
approval queue, connections, effect report and gap map, and the recommendations fragment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thuocdo.accounts.selectors import require_officer, scope_for
from thuocdo.assessments.models import Organisation
from thuocdo.core.access import access
from thuocdo.ecosystem import connections, recommend, reports, selectors, services, vocabulary
from thuocdo.ecosystem.builtins import platform_of, platforms
from thuocdo.ecosystem.connections import NEXT
from thuocdo.ecosystem.models import ConnectionStatus, PriceModel, Provider, SolutionStatus


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for m in exc.messages:
        messages.error(request, m)


def categories() -> dict[str, str]:
    lang = get_language() or "vi"
    names = platforms().get("categories", {})
    return {k: (v.get(lang) or v.get("vi", k)) for k, v in names.items()}


def sector_choices() -> dict[str, str]:
    """The sectors of the catalogue's filter (code → name); "general" is every sector."""
    from thuocdo.frameworks.labels import SECTORS

    return {code: str(label) for code, label in SECTORS.items() if code != "general"}


@access("public")
def index(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    q = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "")[:50]
    sector = request.GET.get("sector", "")[:50]
    sectors = sector_choices()
    if sector not in sectors:
        sector = ""
    filters: dict[str, Any] = {
        "scope": scope,
        "q": q or None,
        "category": category or None,
        "sector": sector or None,
        "status": SolutionStatus.APPROVED,
    }
    qs = selectors.solution_list(**filters, national=False)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    promos = recommend.best_promotions(timezone.localdate())
    lang = get_language() or "vi"
    national = []
    for s in selectors.solution_list(**filters, national=True):
        info = platform_of(s.code, s.builtin)
        if info is not None:
            national.append({"s": s, "platform": info, "how_to_use": info.how_to_use(lang)})
    context = {
        "page": page,
        "q": q,
        "category": category,
        "categories": categories(),
        "sector": sector,
        "sectors": sectors,
        "national_platforms": national,
        "promotions": {pk: promos[pk] for pk in (s.pk for s in page) if pk in promos},
    }
    template = (
        "ecosystem/_list.html" if request.headers.get("HX-Request") else "ecosystem/index.html"
    )
    return render(request, template, context)


@access("public")
def solution_detail(request: HttpRequest, solution_id: int) -> HttpResponse:
    scope = scope_for(request.user)
    s = selectors.solution_get(scope=scope, solution_id=solution_id)
    platform = platform_of(s.code, s.builtin)
    context = {
        "s": s,
        "platform": platform,
        "how_to_use": platform.how_to_use(get_language() or "vi") if platform else "",
        "promotions": selectors.promotion_list(scope=scope, solution_id=s.pk),
        "categories": categories(),
        "can_review": services.can_review_catalogue(scope) and s.status == SolutionStatus.PENDING,
    }
    return render(request, "ecosystem/solution.html", context)


@login_required
@access("provider_only")
def provider_dashboard(request: HttpRequest) -> HttpResponse:  # GET, or re-shown after errors
    scope = scope_for(request.user)
    if scope.role != "provider":
        raise PermissionDenied(_("This page is for solution providers."))
    requests = list(selectors.connection_list(scope=scope).order_by("-status_changed_at")[:200])
    context = {
        "providers": selectors.my_providers(scope=scope),
        "listings": selectors.solution_list(scope=scope, mine=True),
        "requests": [(c, NEXT[c.status]) for c in requests],
        "statuses": dict(ConnectionStatus.choices),
        "categories": categories(),
        "price_models": PriceModel.choices,
        "tags": sorted(vocabulary.tag_names().items()),
        "form": request.POST if request.method == "POST" else {},
    }
    return render(request, "ecosystem/provider.html", context)


@login_required
@require_POST
@access("provider")
def solution_new(request: HttpRequest) -> HttpResponse:
    """A provider's new listing (a draft) from the dashboard form."""
    scope = scope_for(request.user)
    post = request.POST
    try:
        provider = selectors.my_providers(scope=scope).get(pk=int(post.get("provider", "0")))
    except (ValueError, Provider.DoesNotExist):
        raise PermissionDenied(
            _("Only this provider's own users or an officer may do this.")
        ) from None
    data: dict[str, Any] = {
        key: post.get(key, "")[:20000]
        for key in (
            "name_vi",
            "name_en",
            "category",
            "description_vi",
            "price_model",
            "price",
            "url",
        )
    }
    data["solution_tags"] = post.getlist("solution_tags")
    for key in ("criteria", "sectors", "entity_types"):
        data[key] = post.get(key, "")[:5000]
    try:
        services.solution_create(
            scope=scope,
            actor=request.user,  # type: ignore[arg-type]
            provider=provider,
            code=post.get("code", "").strip()[:80],
            data=data,
        )
    except ValidationError as exc:
        _errors(request, exc)
        return provider_dashboard(request)
    messages.success(request, _("The listing was saved as a draft."))
    return redirect("ecosystem:provider")


@login_required
@require_POST
@access("provider")
def connection_transition(request: HttpRequest, connection_id: int) -> HttpResponse:
    scope = scope_for(request.user)
    c = selectors.connection_get(scope=scope, connection_id=connection_id)
    try:
        connections.connection_move(
            scope=scope,
            actor=request.user,  # type: ignore[arg-type]
            connection=c,
            to=request.POST.get("to", ""),
            note=request.POST.get("note", "")[:5000],
        )
        messages.success(request, _("The request was updated."))
    except ValidationError as exc:
        _errors(request, exc)
    target = "ecosystem:provider" if scope.role == "provider" else "ecosystem:connections"
    return redirect(target)


@login_required
@require_POST
@access("provider")
def solution_submit(request: HttpRequest, solution_id: int) -> HttpResponse:
    scope = scope_for(request.user)
    s = selectors.solution_get(scope=scope, solution_id=solution_id)
    try:
        services.solution_submit(scope=scope, actor=request.user, solution=s)  # type: ignore[arg-type]
        messages.success(request, _("The listing was sent for approval."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("ecosystem:provider")


@login_required
@access("officer")
def approvals(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    return render(
        request,
        "ecosystem/approvals.html",
        {
            "queue": selectors.approval_queue(scope=scope),
            "promotions": selectors.promotion_queue(scope=scope),
            "can_review_catalogue": services.can_review_catalogue(scope),
            "categories": categories(),
        },
    )


@login_required
@require_POST
@access("officer")
def review(request: HttpRequest, solution_id: int) -> HttpResponse:
    scope = scope_for(request.user)
    s = selectors.solution_get(scope=scope, solution_id=solution_id)
    return _decide(request, lambda **kw: services.solution_review(scope=scope, solution=s, **kw))


def _decide(request: HttpRequest, review_with: Any) -> HttpResponse:
    """Apply an officer's approve/reject decision from the approvals form."""
    try:
        review_with(
            actor=request.user,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", "")[:5000],
        )
        messages.success(request, _("The decision was recorded."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("ecosystem:approvals")


@login_required
@require_POST
@access("officer")
def promotion_review(request: HttpRequest, promotion_id: int) -> HttpResponse:
    scope = scope_for(request.user)
    p = selectors.promotion_get(scope=scope, promotion_id=promotion_id)
    return _decide(request, lambda **kw: services.promotion_review(scope=scope, promotion=p, **kw))


@login_required
@access("officer")
def connections_view(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    require_officer(scope)
    by = request.GET.get("by", "commune")
    if by not in ("commune", "sector", "provider"):
        by = "commune"
    context = {
        "by": by,
        "summary": selectors.connection_summary(scope=scope, by=by),
        "statuses": ConnectionStatus.choices,
        "recent": selectors.connection_list(scope=scope).order_by("-status_changed_at")[:100],
    }
    return render(request, "ecosystem/connections.html", context)


@login_required
@access("officer")
def effect_view(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    by = request.GET.get("by", "category")
    if by not in ("category", "province"):
        by = "category"
    rows = reports.effect_report(scope=scope, by=by)
    chart = {
        "labels": [r.label for r in rows],
        "mean": [round(r.change.mean_change, 2) for r in rows],
        "low": [None if r.change.low is None else round(r.change.low, 2) for r in rows],
        "high": [None if r.change.high is None else round(r.change.high, 2) for r in rows],
    }
    return render(request, "ecosystem/effect.html", {"by": by, "rows": rows, "chart": chart})


@login_required
@access("officer")
def gaps_view(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    cells = reports.gap_map(scope=scope, top=5)
    return render(request, "ecosystem/gaps.html", {"cells": cells})


@login_required
@access("respondent")
def recommendations(request: HttpRequest, response_id: int) -> HttpResponse:
    scope = scope_for(request.user)
    response = selectors.response_get(scope=scope, response_id=response_id)
    advice = recommend.advice_for_response(response, lang=get_language() or "vi")
    context = ecosystem_context(advice, response)
    template = (
        "ecosystem/_recommendations.html"
        if request.headers.get("HX-Request")
        else "ecosystem/recommendations.html"
    )
    return render(request, template, context)


def ecosystem_context(advice: recommend.ResponseAdvice, response: Any) -> dict[str, Any]:
    """The context variables of ``ecosystem/_recommendations.html``: the matches split into
    products (with a "connect" button) and national platforms (with their lead agency and how
    to use them)."""
    lang = get_language() or "vi"
    products, national = [], []
    for m in advice.matches:
        info = platform_of(m.entry.extra.code) if m.entry.extra.national else None
        if info is None:
            products.append(m)
        else:
            national.append({"match": m, "platform": info, "how_to_use": info.how_to_use(lang)})
    return {
        "advice": advice,
        "response": response,
        "statuses": dict(ConnectionStatus.choices),
        "products": products,
        "national_platforms": national,
        "consent_text": connections.consent_text(),
    }


@login_required
@require_POST
@access("respondent")
def request_solution(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    try:
        response = selectors.response_get(
            scope=scope, response_id=int(request.POST.get("response", "0"))
        )
        solution = selectors.solution_get(
            scope=scope, solution_id=int(request.POST.get("solution", "0"))
        )
    except ValueError:
        raise PermissionDenied(_("The request is not valid.")) from None
    org: Organisation = response.organisation
    try:
        connections.connection_request(
            scope=scope,
            actor=request.user,  # type: ignore[arg-type]
            organisation=org,
            solution=solution,
            response=response,
            message=request.POST.get("message", "")[:5000],
        )
        messages.success(request, _("Your request was sent to the provider."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("ecosystem:recommendations", response_id=response.pk)
