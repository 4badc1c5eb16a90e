"""Officer dashboards: campaign list, drill-down dashboard, chart CSV downloads, report."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from thuocdo.accounts.selectors import require_officer, scope_for
from thuocdo.analytics import selectors
from thuocdo.analytics.dashboard import CHARTS, chart_table, dashboard_context, to_csv
from thuocdo.core.access import access


def bad_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A 400 page naming each bad parameter."""
    if hasattr(exc, "error_dict"):
        problems = [f"{field}: {m}" for field, msgs in exc.message_dict.items() for m in msgs]
    else:
        problems = list(exc.messages)
    match = request.resolver_match
    back = request.path
    if match is not None and "campaign_id" in match.kwargs:
        # a report or a download names its dashboard, not itself, as the way back
        back = reverse(f"{match.namespace}:dashboard", args=[match.kwargs["campaign_id"]])
    return render(
        request,
        "analytics/bad_request.html",
        {"title": _("The filters are not valid"), "problems": problems, "back": back},
        status=400,
    )


@access("officer")
def index(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    scope = scope_for(request.user)
    require_officer(scope)
    campaigns = selectors.campaign_list(scope=scope)
    return render(
        request,
        "analytics/index.html",
        {"campaigns": campaigns, "public": False, "national": scope.unit_path is None},
    )


@access("officer")
def dashboard(request: HttpRequest, campaign_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    scope = scope_for(request.user)
    require_officer(scope)
    try:
        ctx = dashboard_context(scope=scope, campaign_id=campaign_id, params=request.GET)
    except ValidationError as exc:
        return bad_request(request, exc)
    ctx["tables"] = {name: chart_table(ctx, name) for name in CHARTS}
    ctx["query"] = request.GET.urlencode()
    ctx["csv_url_name"] = "analytics:csv"
    ctx["report_url_name"] = "analytics:report"
    return render(request, "analytics/dashboard.html", ctx)


@access("officer")
def chart_csv(request: HttpRequest, campaign_id: int, chart: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if chart not in CHARTS:
        raise Http404(_("Unknown chart %(chart)s.") % {"chart": chart})
    scope = scope_for(request.user)
    require_officer(scope)
    try:
        ctx = dashboard_context(scope=scope, campaign_id=campaign_id, params=request.GET)
    except ValidationError as exc:
        return bad_request(request, exc)
    header, rows = chart_table(ctx, chart)
    response = HttpResponse(to_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign_id}-{chart}.csv"'
    return response


@access("officer")
def report(request: HttpRequest, campaign_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    from thuocdo.analytics.report import build_report

    scope = scope_for(request.user)
    require_officer(scope)
    fmt = request.GET.get("format", "xlsx")
    area = request.GET.get("province") or None
    try:
        if fmt not in ("pdf", "xlsx"):
            raise ValidationError(
                {"format": _("Unknown format %(value)s: use pdf or xlsx.") % {"value": fmt[:10]}}
            )
        data = build_report(scope=scope, campaign_id=campaign_id, area=area, fmt=fmt)
    except ValidationError as exc:
        return bad_request(request, exc)
    ctype = (
        "application/pdf"
        if fmt == "pdf"
        else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    response = HttpResponse(data, content_type=ctype)
    response["Content-Disposition"] = (
        f'attachment; filename="report-{campaign_id}-{area or "VN"}.{fmt}"'
    )
    return response


def national_page(request: HttpRequest, *, public: bool) -> HttpResponse:
    """The national roll-up page (public: released cells only; officers: live)."""
    from thuocdo.accounts.scopes import ANONYMOUS_SCOPE
    from thuocdo.analytics import national

    scope = ANONYMOUS_SCOPE if public else scope_for(request.user)
    if not public:
        national.require_national(scope)
    code = request.GET.get("set", "")
    version = request.GET.get("version", "")
    year_text = request.GET.get("year", "")
    ctx: dict[str, object] = {"public": public, "choices": national.choices(), "result": None}
    if code or version or year_text:
        try:
            if not year_text.isdigit():
                raise ValidationError({"year": _("The year must be between 2000 and 2100.")})
            result = national.national(
                scope=scope, code=code, version=version, year=int(year_text), public=public
            )
            ctx["result"] = result
            ctx["map"] = national.map_tiles(result["map"])
        except ValidationError as exc:
            return bad_request(request, exc)
    return render(request, "analytics/national.html", ctx)


@access("ministry")
def national_officers(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return national_page(request, public=False)
