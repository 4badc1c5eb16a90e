"""The self-assessment form behind a campaign's public link.

``/assessments/c/<token>/``: find the organisation by tax code (or register it), then answer
one pillar per page at ``/assessments/c/<token>/r/<resume code>/<n>/``; the resume code in the
address is what lets a respondent without an account come back to its draft. Answers save
on every change (HTMX) and on every page change; conditions show and hide questions at once
in the browser (``relevance.js``) and are recomputed here on every page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from thuocdo.accounts.scopes import ANONYMOUS_SCOPE, RESPONDENT, Scope
from thuocdo.accounts.selectors import scope_for
from thuocdo.assessments import selectors, services
from thuocdo.assessments.domain import agency
from thuocdo.assessments.models import (
    Campaign,
    CampaignStatus,
    EntityType,
    Organisation,
    OrganisationMember,
    Response,
    ResponseStatus,
    ResumeCode,
)
from thuocdo.assessments.services.common import lang
from thuocdo.assessments.views import form
from thuocdo.core.access import access
from thuocdo.core.clientip import client_ip
from thuocdo.geo.models import Level, Unit

OPEN_FOR_EDIT = (ResponseStatus.DRAFT, ResponseStatus.REJECTED)


def answer_scope(request: HttpRequest, org: Organisation) -> Scope:
    """The scope the form answers with: an officer covering the organisation, a member
    respondent, or else a visitor holding the resume code."""
    scope = scope_for(request.user)
    if scope.is_officer and scope.covers_path(org.unit_path):
        return scope
    if (
        scope.role == RESPONDENT
        and scope.user_id is not None
        and OrganisationMember.objects.filter(user_id=scope.user_id, organisation=org).exists()
    ):
        return scope
    return ANONYMOUS_SCOPE


def _actor(request: HttpRequest) -> Any:
    return request.user if request.user.is_authenticated else None


def _resume_url(campaign: Campaign, code: str, page: int = 1) -> str:
    return reverse("assessments:pillar", args=[campaign.public_token, code, page])


class ResumeThrottledError(Exception):
    """Too many wrong resume codes from this address in this campaign."""


def _load(request: HttpRequest, token: str, code: str) -> tuple[Campaign, Response]:
    """The campaign and the response of a resume code; wrong codes are counted per campaign
    and client address, and past RESUME_FAILURE_LIMIT an hour the address is refused."""
    campaign = selectors.campaign_by_token(token)
    ip = client_ip(request)
    if selectors.resume_throttled(campaign=campaign, ip=ip):
        raise ResumeThrottledError
    try:
        response = selectors.response_by_resume_code(campaign=campaign, code=code)
    except PermissionDenied:
        services.responses.resume_failure_record(campaign=campaign, ip=ip)
        raise
    return campaign, response


def _resume_guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer 429 (a page that says why) when the address is throttled."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ResumeThrottledError:
            from thuocdo.core.views import too_many_requests

            return too_many_requests(
                request,
                _(
                    "Too many wrong resume codes were tried from your address in this "
                    "campaign. Try again in an hour, or ask the campaign's officers for "
                    "your code."
                ),
            )

    return wrapped


def _ensure_code(response: Response) -> str:
    code = selectors.resume_code_of(response)
    if code is None:
        code = services.responses._new_resume_code(response)
    return code


def _start_draft(request: HttpRequest, campaign: Campaign, org: Organisation) -> HttpResponse:
    existing = selectors.response_for(campaign, org)
    scope = answer_scope(request, org)
    if existing is not None:
        if scope.is_anonymous:
            messages.error(
                request,
                _(
                    "%(name)s has already started this assessment: enter its resume code to "
                    "continue."
                )
                % {"name": org.name},
            )
            return redirect("assessments:start", campaign.public_token)
        code = _ensure_code(existing)
        if existing.status not in OPEN_FOR_EDIT:
            return redirect("assessments:result", campaign.public_token, code)
        return redirect(_resume_url(campaign, code))
    try:
        draft = services.response_save_draft(
            scope=scope, actor=_actor(request), campaign=campaign, organisation=org, answers={}
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("assessments:start", campaign.public_token)
    return redirect(_resume_url(campaign, _ensure_code(draft)))


@access("public")
@require_http_methods(["GET", "POST"])
@_resume_guard
def start(request: HttpRequest, token: str) -> HttpResponse:
    campaign = selectors.campaign_by_token(token)
    context: dict[str, Any] = {"campaign": campaign, "identifier": "", "error": None}
    if request.method == "POST" and campaign.status == CampaignStatus.OPEN:
        if request.POST.get("action") == "resume":
            code = (request.POST.get("code") or "").strip().upper()[:16]
            ip = client_ip(request)
            if selectors.resume_throttled(campaign=campaign, ip=ip):
                raise ResumeThrottledError
            if ResumeCode.objects.filter(code=code, response__campaign=campaign).exists():
                return redirect(_resume_url(campaign, code))
            services.responses.resume_failure_record(campaign=campaign, ip=ip)
            context["resume_error"] = _("This resume code is not valid for this campaign.")
        else:
            identifier = (request.POST.get("identifier") or "").strip()[:30]
            context["identifier"] = identifier
            try:
                org = selectors.organisation_lookup(campaign=campaign, identifier=identifier)
            except ValueError:
                context["error"] = (
                    _(
                        "%(value)s is not a valid electronic identifier code of an agency: "
                        "3 digits.2 digits.2 digits.a capital letter and 2 digits (for example "
                        "000.00.31.H26)."
                    )
                    if agency.looks_like_agency_code(identifier)
                    else _(
                        "%(value)s is not a valid tax code: 10 digits, 13 with the branch "
                        "suffix, or the owner's 12-digit citizen-ID number."
                    )
                ) % {"value": identifier}
            else:
                if org is not None:
                    return _start_draft(request, campaign, org)
                context["not_found"] = True
    return render(request, "assessments/start.html", context)


def _communes(campaign: Campaign) -> list[Unit]:
    return list(
        Unit.objects.filter(path__startswith=campaign.unit_path, level=Level.COMMUNE).order_by(
            "sort_key"
        )
    )


@access("public")
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, token: str) -> HttpResponse:
    campaign = selectors.campaign_by_token(token)
    types = [(v, label) for v, label in EntityType.choices if v in (campaign.entity_types or [v])]
    data: dict[str, Any] = {"tax_code": request.GET.get("tax_code", "")[:30]}
    errors: dict[str, list[str]] = {}
    existing = None
    if request.method == "POST" and campaign.status == CampaignStatus.OPEN:
        fields = (
            "name",
            "tax_code",
            "agency_code",
            "parent_code",
            "entity_type",
            "commune_code",
            "vsic",
            "employees",
            "address",
            "contact_name",
            "phone",
            "email",
        )
        data = {k: (request.POST.get(k) or "").strip()[:300] for k in fields}
        values: dict[str, Any] = {k: v for k, v in data.items() if v}
        values.setdefault("entity_type", "")
        values.setdefault("commune_code", "")
        values.setdefault("name", "")
        if values.get("entity_type") and values["entity_type"] not in dict(types):
            errors["entity_type"] = [_("This campaign is not for this type of organisation.")]
        else:
            scope = scope_for(request.user)
            try:
                org = services.organisation_create(
                    scope=scope
                    if scope.is_officer and scope.covers_path(campaign.unit_path)
                    else (scope if scope.role == RESPONDENT else ANONYMOUS_SCOPE),
                    actor=_actor(request),
                    data=values,
                    via_campaign=campaign,
                )
            except services.DuplicateOrganisationError as exc:
                existing = exc.existing
                errors = exc.message_dict
            except ValidationError as exc:
                errors = exc.message_dict
            except PermissionDenied as exc:
                errors = {"commune_code": [str(exc)]}
            else:
                return _start_draft(request, campaign, org)
    context = {
        "campaign": campaign,
        "types": types,
        "agency_campaign": any(t in agency.AGENCY_TYPES for t, _label in types),
        "communes": _communes(campaign),
        "data": data,
        "errors": errors,
        "existing": existing,
    }
    return render(request, "assessments/register.html", context, status=422 if errors else 200)


def _page_context(
    request: HttpRequest, campaign: Campaign, response: Response, code: str, n: int
) -> dict[str, Any]:
    fw = campaign.framework.engine()
    language = lang()
    pillars = list(fw.pillars)
    pillar = pillars[n - 1]
    items = form.page_items(fw, pillar, response.answers, language)
    takes_evidence = services.responses.campaign_takes_evidence(campaign)
    for item in items:
        item["evidence_name"] = form.evidence_name(item["code"])
        item["evidence"] = (response.evidence_links or {}).get(item["code"], "")
        if request.method == "POST" and item["evidence_name"] in request.POST:
            item["evidence"] = (request.POST.get(item["evidence_name"]) or "").strip()[:600]
    return {
        "campaign": campaign,
        "response": response,
        "organisation": response.organisation,
        "code": code,
        "n": n,
        "count": len(pillars),
        "steps": [
            {"n": i + 1, "name": p.name.get(language), "current": i + 1 == n}
            for i, p in enumerate(pillars)
        ],
        "pillar": {"code": pillar.code, "name": pillar.name.get(language)},
        "items": items,
        "takes_evidence": takes_evidence,
        "schema": form.compact_schema(fw),
        "answers": response.answers,
        "on_behalf": scope_for(request.user).is_officer,
        "resume_link": request.build_absolute_uri(_resume_url(campaign, code, n)),
        "problems": [],
    }


def _save(
    request: HttpRequest, campaign: Campaign, response: Response, code: str, n: int
) -> tuple[Response, dict[str, str]]:
    fw = campaign.framework.engine()
    pillar = list(fw.pillars)[n - 1]
    page_answers, errors = form.parse_pillar(pillar, request.POST)
    answers = form.merge(response.answers, page_answers)
    evidence = (
        form.parse_evidence(pillar, request.POST, response.evidence_links or {})
        if services.responses.campaign_takes_evidence(campaign)
        else None
    )
    org = response.organisation
    try:
        response = services.response_save_draft(
            scope=answer_scope(request, org),
            actor=_actor(request),
            campaign=campaign,
            organisation=org,
            answers=answers,
            resume_code=code,
            evidence=evidence,
        )
    except services.AnswersRejectedError as exc:
        for p in exc.problems:
            errors[p.criterion] = p.message(lang())  # type: ignore[arg-type]
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        for field, msgs in exc.message_dict.items():
            errors[field] = " ".join(msgs)
    return response, errors


def _check_page(campaign: Campaign, n: int) -> None:
    from django.http import Http404

    if not 1 <= n <= len(campaign.framework.engine().pillars):
        raise Http404(_("No such page."))


@access("public")
@require_http_methods(["GET", "POST"])
@_resume_guard
def pillar_page(request: HttpRequest, token: str, code: str, n: int) -> HttpResponse:
    campaign, response = _load(request, token, code)
    _check_page(campaign, n)
    if response.status not in OPEN_FOR_EDIT:
        return redirect("assessments:result", token, code)
    if campaign.status != CampaignStatus.OPEN:
        messages.error(request, _("The campaign is not open for answers any more."))
        return redirect("assessments:start", token)
    errors: dict[str, str] = {}
    if request.method == "POST":
        response, errors = _save(request, campaign, response, code, n)
        action = request.POST.get("action", "next")
        if not errors and action == "submit":
            try:
                services.response_submit(
                    scope=answer_scope(request, response.organisation),
                    actor=_actor(request),
                    campaign=campaign,
                    organisation=response.organisation,
                    answers=response.answers,
                    resume_code=code,
                )
            except services.AnswersRejectedError as exc:
                context = _page_context(request, campaign, response, code, n)
                context["problems"] = _problems(campaign, exc)
                return render(request, "assessments/pillar.html", context, status=422)
            return redirect("assessments:result", token, code)
        if not errors:
            target = n - 1 if action == "prev" else n + 1
            target = max(1, min(target, len(campaign.framework.engine().pillars)))
            return redirect(_resume_url(campaign, code, target))
    context = _page_context(request, campaign, response, code, n)
    for item in context["items"]:
        item["error"] = errors.get(item["code"], "")
        item["evidence_error"] = errors.get(f"evidence.{item['code']}", "")
    return render(request, "assessments/pillar.html", context, status=422 if errors else 200)


def _problems(campaign: Campaign, exc: services.AnswersRejectedError) -> list[dict[str, Any]]:
    fw = campaign.framework.engine()
    index = {c.code: i + 1 for i, p in enumerate(fw.pillars) for c in p.criteria}
    language = lang()
    out = []
    for p in exc.problems:
        if p.criterion in index:
            out.append(
                {
                    "page": index[p.criterion],
                    "code": p.criterion,
                    "name": fw.criterion(p.criterion).name.get(language),
                    "message": p.message(language),  # type: ignore[arg-type]
                }
            )
    return out


@access("public")
@require_POST
@_resume_guard
def autosave(request: HttpRequest, token: str, code: str, n: int) -> HttpResponse:
    campaign, response = _load(request, token, code)
    _check_page(campaign, n)
    if response.status not in OPEN_FOR_EDIT or campaign.status != CampaignStatus.OPEN:
        return render(request, "assessments/_save_status.html", {"error": _("Not saved: closed.")})
    response, errors = _save(request, campaign, response, code, n)
    context = {"saved_at": timezone.localtime(), "errors": errors}
    return render(request, "assessments/_save_status.html", context)


@access("public")
@require_POST
@_resume_guard
def reopen(request: HttpRequest, token: str, code: str) -> HttpResponse:
    campaign, response = _load(request, token, code)
    try:
        services.response_reopen(
            scope=answer_scope(request, response.organisation),
            actor=_actor(request),
            campaign=campaign,
            organisation=response.organisation,
            resume_code=code,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("assessments:result", token, code)
    return redirect(_resume_url(campaign, code))


@access("public")
@_resume_guard
def result(request: HttpRequest, token: str, code: str) -> HttpResponse:
    campaign, response = _load(request, token, code)
    if response.status in (ResponseStatus.DRAFT,):
        return redirect(_resume_url(campaign, code))
    return render(request, "assessments/result.html", _result_context(campaign, response, code))


def _result_context(campaign: Campaign, response: Response, code: str) -> dict[str, Any]:
    view = selectors.result_view(response, lang())
    chart = {
        "pillars": [p["name"] for p in view["pillars"]],
        "scores": [
            round(p["score"], 1) if p["score"] is not None else None for p in view["pillars"]
        ],
    }
    token = campaign.public_token
    return {
        "campaign": campaign,
        "response": response,
        "organisation": response.organisation,
        "view": view,
        "chart": chart,
        "code": code,
        "can_reopen": campaign.status == CampaignStatus.OPEN,
        "certificate_url": reverse("assessments:certificate", args=[token, code]),
        "evidence": selectors.evidence_view(response, lang()),
        **_ecosystem_advice(response),
        "contact_url": reverse("assessments:contact", args=[token, code]),
    }


def _ecosystem_advice(response: Response) -> dict[str, Any]:
    """The next-level plan and the matching solutions of the digital-solutions catalogue
    (the context of ``ecosystem/_recommendations.html``)."""
    from thuocdo.ecosystem.recommend import advice_for_response
    from thuocdo.ecosystem.views import ecosystem_context

    return ecosystem_context(advice_for_response(response, lang=lang()), response)


@access("public")
@require_POST
@_resume_guard
def contact(request: HttpRequest, token: str, code: str) -> HttpResponse:
    """A respondent without an account asks a solution's provider to contact it: the resume
    code of the address (and the response named in the form, which must be that code's) is
    the proof; a wrong code counts as a wrong resume code (``_load``)."""
    from thuocdo.core.views import too_many_requests
    from thuocdo.ecosystem import connections
    from thuocdo.ecosystem.models import Solution

    campaign, response = _load(request, token, code)
    post = request.POST
    if (post.get("response") or str(response.pk)).strip() != str(response.pk):
        raise PermissionDenied(_("This resume code is not the code of this response."))
    solution = (
        Solution.objects.select_related("provider")
        .filter(pk=int(post["solution"]) if (post.get("solution") or "").isdigit() else 0)
        .first()
    )
    if solution is None:
        raise Http404(_("No such solution in the catalogue."))
    try:
        done = connections.connection_request_contact(
            response=response,
            resume_code=code,
            solution=solution,
            name=post.get("contact_name", "")[:200],
            phone=post.get("phone", "")[:40],
            email=post.get("email", "")[:254],
            consent=post.get("consent") in ("1", "on", "yes", "true"),
            message=post.get("message", "")[:5000],
            ip=client_ip(request),
        )
    except connections.ContactThrottledError as exc:
        return too_many_requests(request, exc.message, retry_after=3600)
    except ValidationError as exc:
        context = _result_context(campaign, response, code)
        context["contact_form"] = {
            "solution": solution.pk,
            "data": {k: post.get(k, "")[:254] for k in ("contact_name", "phone", "email")},
            "consent": bool(post.get("consent")),
            "errors": exc.message_dict,
        }
        return render(request, "assessments/result.html", context, status=422)
    messages.success(
        request,
        _("Your request was sent to %(provider)s, who will contact you at the details you gave.")
        % {"provider": solution.provider.name}
        if done.created
        else _("Your open request to %(provider)s now has the contact details you gave.")
        % {"provider": solution.provider.name},
    )
    return redirect(reverse("assessments:result", args=[token, code]) + "#eco-advice-title")


@access("public")
@require_http_methods(["GET"])
def certificate(request: HttpRequest, token: str, code: str) -> HttpResponse:
    """The certificate (PDF) of the respondent's submitted result."""
    from thuocdo.assessments.certificates import certificate_issue, certificate_pdf

    _campaign, response = _load(request, token, code)
    cert = certificate_issue(response)
    if cert is None:
        raise Http404(_("There is no certificate yet: the result has not been submitted."))
    reply = HttpResponse(certificate_pdf(cert), content_type="application/pdf")
    reply["Content-Disposition"] = f'inline; filename="giay-chung-nhan-{cert.code}.pdf"'
    reply["Cache-Control"] = "private, no-store"
    return reply


@access("public")
@require_http_methods(["GET"])
def verify_certificate(request: HttpRequest, code: str) -> HttpResponse:
    """The public check of a certificate's code: name, level, date and criteria-set version
    (never an answer); a withdrawn, expired or unknown code finds nothing (404)."""
    from thuocdo.assessments import certificates as certs

    check = certs.certificate_check(code)
    context: dict[str, Any] = {"code": code[:40], "check": check}
    if check is None or check.status in (certs.WITHDRAWN, certs.EXPIRED):
        context["reason"] = check.status if check is not None else "unknown"
        return render(request, "assessments/verify_missing.html", context, status=404)
    cert = check.certificate
    context.update(
        {
            "cert": cert,
            "submitted_on": timezone.localtime(cert.submitted_at).date(),
            "reassessed": check.status == certs.REASSESSED,
            "newer_on": check.newer_on,
        }
    )
    return render(request, "assessments/verify.html", context)
