"""Import pages: upload form per campaign, job progress (polled with HTMX), downloads."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from thuocdo.accounts.selectors import scope_for
from thuocdo.core.access import access

from . import jobs, selectors
from .messages import Lang
from .report import report_csv, report_xlsx
from .template import campaign_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (CSV, XLSX or a KoboToolbox/ODK export)"))
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=[
            ("all-or-nothing", _("All or nothing: any error and nothing is written")),
            ("valid-rows", _("Valid rows only: rows with errors are skipped")),
        ],
        initial="all-or-nothing",
    )
    on_edit = forms.ChoiceField(
        label=_("Submissions imported before, now edited"),
        choices=[
            ("update", _("Update the response and keep its previous version")),
            ("conflict", _("Report a conflict and leave the response as it is")),
        ],
        initial="update",
        required=False,
        help_text=_(
            "A KoboToolbox/ODK submission already imported (the same meta/instanceID, _uuid or"
            " KEY) whose content changed."
        ),
    )


def _lang() -> Lang:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


@access("officer")
@require_http_methods(["GET", "POST"])
def import_form(request: HttpRequest, campaign_id: int) -> HttpResponse:
    scope = scope_for(request.user)
    campaign = selectors.campaign_for_import(scope=scope, campaign_id=campaign_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = jobs.import_job_create(
                    scope=scope,
                    actor=request.user,  # type: ignore[arg-type]
                    campaign=campaign,
                    upload=form.cleaned_data["file"],
                    mode=form.cleaned_data["mode"],
                    on_edit=form.cleaned_data.get("on_edit") or "update",
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                return redirect("assessments:importing:job", job_id=job.pk)
        status = 400
    context = {
        "campaign": campaign,
        "form": form,
        "jobs": selectors.import_jobs_of(scope=scope, campaign=campaign),
    }
    return render(request, "assessments/import_form.html", context, status=status)


@access("officer")
@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.import_job_get(scope=scope_for(request.user), job_id=job_id)
    template = (
        "assessments/import_progress.html"
        if request.headers.get("HX-Request")
        else "assessments/import_job.html"
    )
    problems = jobs.job_problems(job)[:200] if job.finished else []
    context = {
        "job": job,
        "campaign": job.campaign,
        "progress": jobs.job_progress(job),
        "problems": [p.to_dict(_lang()) for p in problems],
    }
    return render(request, template, context)


@access("officer")
@require_GET
def job_report(request: HttpRequest, job_id: int, fmt: str) -> HttpResponse:
    job = selectors.import_job_get(scope=scope_for(request.user), job_id=job_id)
    problems = jobs.job_problems(job)
    if fmt == "xlsx":
        response = HttpResponse(report_xlsx(problems, _lang()), content_type=XLSX)
    else:
        response = HttpResponse(report_csv(problems, _lang()), content_type="text/csv")
        fmt = "csv"
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.{fmt}"'
    return response


@access("officer")
@require_GET
def template_download(request: HttpRequest, campaign_id: int, fmt: str) -> HttpResponse:
    campaign = selectors.campaign_for_import(scope=scope_for(request.user), campaign_id=campaign_id)
    fmt = "csv" if fmt == "csv" else "xlsx"
    content_type = "text/csv" if fmt == "csv" else XLSX
    response = HttpResponse(campaign_template(campaign, fmt), content_type=content_type)
    name = f"campaign-{campaign.pk}-template.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@access("officer")
@require_GET
def xlsform_download(request: HttpRequest, campaign_id: int) -> HttpResponse:
    from thuocdo.assessments.xlsform import xlsform_bytes

    campaign = selectors.campaign_for_import(scope=scope_for(request.user), campaign_id=campaign_id)
    data = xlsform_bytes(
        campaign.framework.engine(),
        title=f"{campaign.name} ({campaign.year})",
        campaign_id=campaign.pk,
        entity_types=tuple(campaign.entity_types or ()),
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-xlsform.xlsx"'
    return response
