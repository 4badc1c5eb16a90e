"""Public portal: published campaigns, dashboards (suppressed), open-data downloads."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from thuocdo.accounts.scopes import ANONYMOUS_SCOPE
from thuocdo.analytics import selectors
from thuocdo.analytics.dashboard import CHARTS, chart_table, dashboard_context, to_csv
from thuocdo.analytics.views import bad_request
from thuocdo.core.access import access
from thuocdo.publishing import opendata

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


@access("public")
def index(request: HttpRequest) -> HttpResponse:
    campaigns = selectors.campaign_list(scope=ANONYMOUS_SCOPE, public=True)
    return render(
        request,
        "publishing/index.html",
        {
            "campaigns": campaigns,
            "public": True,
            "datasets": list(opendata.DATASETS),
            "formats": opendata.FORMATS,
        },
    )


@access("public")
def dashboard(request: HttpRequest, campaign_id: int) -> HttpResponse:
    try:
        ctx = dashboard_context(
            scope=ANONYMOUS_SCOPE, campaign_id=campaign_id, params=request.GET, public=True
        )
    except ValidationError as exc:
        return bad_request(request, exc)
    ctx["tables"] = {name: chart_table(ctx, name) for name in CHARTS}
    ctx["query"] = request.GET.urlencode()
    ctx["csv_url_name"] = "publishing:csv"
    ctx["report_url_name"] = "publishing:report"
    ctx["datasets"] = list(opendata.DATASETS)
    ctx["formats"] = opendata.FORMATS
    return render(request, "publishing/dashboard.html", ctx)


@access("public")
def chart_csv(request: HttpRequest, campaign_id: int, chart: str) -> HttpResponse:
    if chart not in CHARTS:
        raise Http404(_("Unknown chart %(chart)s.") % {"chart": chart})
    try:
        ctx = dashboard_context(
            scope=ANONYMOUS_SCOPE, campaign_id=campaign_id, params=request.GET, public=True
        )
    except ValidationError as exc:
        return bad_request(request, exc)
    header, rows = chart_table(ctx, chart)
    response = HttpResponse(to_csv(header, rows), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign_id}-{chart}.csv"'
    return response


@access("public")
def download(request: HttpRequest, campaign_id: int, dataset: str, fmt: str) -> HttpResponse:
    if dataset not in opendata.DATASETS or fmt not in opendata.FORMATS:
        raise Http404(_("Unknown dataset or format."))
    columns, rows = opendata.dataset_rows(campaign_id, dataset)
    response = HttpResponse(opendata.render(columns, rows, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="thuocdo-{campaign_id}-{dataset}.{fmt}"'
    )
    return response


@access("public")
def dictionary(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(opendata.dictionary_csv(), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = 'attachment; filename="thuocdo-data-dictionary.csv"'
    return response


@access("public")
def report(request: HttpRequest, campaign_id: int) -> HttpResponse:
    from thuocdo.analytics.report import build_report

    fmt = request.GET.get("format", "pdf")
    area = request.GET.get("province") or None
    try:
        for key in request.GET:
            if key not in ("format", "province"):
                # the public report is released for the nation and each province only
                raise ValidationError(
                    {
                        key[:40]: _("Unknown parameter %(name)s: use %(known)s.")
                        % {"name": repr(key)[:40], "known": "format, province"}
                    }
                )
        if fmt not in ("pdf", "xlsx"):
            raise ValidationError(
                {"format": _("Unknown format %(value)s: use pdf or xlsx.") % {"value": fmt[:10]}}
            )
        data = build_report(
            scope=ANONYMOUS_SCOPE, campaign_id=campaign_id, area=area, fmt=fmt, public=True
        )
    except ValidationError as exc:
        return bad_request(request, exc)
    ctype = "application/pdf" if fmt == "pdf" else CONTENT_TYPES["xlsx"]
    response = HttpResponse(data, content_type=ctype)
    response["Content-Disposition"] = (
        f'attachment; filename="report-{campaign_id}-{area or "VN"}.{fmt}"'
    )
    return response


@access("public")
def agency_results(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Named results of a published campaign over state agencies whose owner chose named
    publication: an explicit exception to the suppressed public outputs, kept on its own page."""
    from thuocdo.assessments.selectors import named_results_public

    campaign, rows = named_results_public(campaign_id)
    fw = campaign.framework.engine()
    lang = "en" if (request.LANGUAGE_CODE or "vi").startswith("en") else "vi"
    return render(
        request,
        "publishing/agency_results.html",
        {"campaign": campaign, "rows": rows, "pillars": [p.name.get(lang) for p in fw.pillars]},
    )


@access("public")
def national(request: HttpRequest) -> HttpResponse:
    """The public national roll-up: released cells only."""
    from thuocdo.analytics.views import national_page

    return national_page(request, public=True)
