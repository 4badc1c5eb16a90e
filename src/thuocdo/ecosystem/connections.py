"""Writes of connection requests: an organisation (or an officer for it) asks for a solution;
the provider moves it requested → contacted → trial → adopted, or declined at any open step.
Skips and reversals are refused. Stale requests raise e-mail reminders to the provider."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import PROVIDER, RESPONDENT, Scope
from thuocdo.accounts.services import audit_record
from thuocdo.assessments.models import Organisation, Response, ResponseStatus, ResumeCode
from thuocdo.assessments.selectors import member_organisation
from thuocdo.core.text import nfc
from thuocdo.ecosystem.builtins import platform_of
from thuocdo.ecosystem.domain.contact import looks_like_email, normalise_phone
from thuocdo.ecosystem.models import (
    ConnectionEvent,
    ConnectionRequest,
    ConnectionStatus,
    ContactAttempt,
    Solution,
    SolutionStatus,
)

S = ConnectionStatus
NEXT: dict[str, tuple[str, ...]] = {
    S.REQUESTED: (S.CONTACTED, S.DECLINED),
    S.CONTACTED: (S.TRIAL, S.DECLINED),
    S.TRIAL: (S.ADOPTED, S.DECLINED),
    S.ADOPTED: (),
    S.DECLINED: (),
}
OPEN = (S.REQUESTED, S.CONTACTED, S.TRIAL)
STALE_DAYS = 14


def snapshot(c: ConnectionRequest) -> dict[str, Any]:
    return {
        "organisation": c.organisation_id,
        "solution": c.solution_id,
        "provider": c.provider_id,
        "status": c.status,
        "on_behalf": c.on_behalf,
        "without_account": c.without_account,
    }


def _may_act_for(scope: Scope, organisation: Organisation) -> bool:
    if scope.is_officer:
        return scope.covers_path(organisation.unit_path)
    if scope.role == RESPONDENT and scope.user_id is not None:
        member = member_organisation(scope)
        if member is not None and member.pk == organisation.pk:
            return True
        return Response.objects.filter(
            organisation=organisation, submitted_by_id=scope.user_id
        ).exists()
    return False


@transaction.atomic
def connection_request(
    *,
    scope: Scope,
    actor: User | None,
    organisation: Organisation,
    solution: Solution,
    response: Response | None = None,
    message: str = "",
) -> ConnectionRequest:
    """Ask for a solution for an organisation (its own user, or an officer on its behalf)."""
    if not _may_act_for(scope, organisation):
        raise PermissionDenied(
            _("Only the organisation itself or an officer of its area may ask for a solution.")
        )
    if solution.status != SolutionStatus.APPROVED:
        raise ValidationError({"solution": [_("This solution is not approved for the catalogue.")]})
    if response is not None and response.organisation_id != organisation.pk:
        raise ValidationError({"response": [_("This response belongs to another organisation.")]})
    open_one = _open_request(organisation, solution)
    if open_one is not None:
        return open_one  # asking again does not duplicate an open request
    return _create(
        organisation=organisation,
        solution=solution,
        response=response,
        actor=actor,
        on_behalf=scope.is_officer,
        message=message,
    )


def _open_request(organisation: Organisation, solution: Solution) -> ConnectionRequest | None:
    return (
        ConnectionRequest.objects.select_for_update()
        .filter(organisation=organisation, solution=solution, status__in=OPEN)
        .first()
    )


def _create(
    *,
    organisation: Organisation,
    solution: Solution,
    response: Response | None,
    actor: User | None,
    on_behalf: bool,
    message: str,
    **contact: Any,
) -> ConnectionRequest:
    now = timezone.now()
    c = ConnectionRequest.objects.create(
        organisation=organisation,
        solution=solution,
        provider_id=solution.provider_id,
        response=response,
        message=nfc(message or "").strip()[:5000],
        on_behalf=on_behalf,
        requested_by=actor,
        commune_id=organisation.commune_id,
        unit_path=organisation.unit_path,
        sector=organisation.sector,
        status_changed_at=now,
        **contact,
    )
    ConnectionEvent.objects.create(request=c, from_status="", to_status=S.REQUESTED, by=actor)
    audit_record(
        actor=actor,
        action="ecosystem.connection_request",
        object_type="ecosystem.connection",
        object_id=c.pk,
        after=snapshot(c),
        unit_path=c.unit_path,
    )
    return c


# ---------------------------------------------------------------- without an account

# The wording a respondent agrees to, by version; a changed wording gets a new version, and
# each request records the version agreed to and when.
CONSENT_VERSION = "2026-12"


def consent_text() -> str:
    return _(
        "I agree that the name, phone and e-mail given here, with my organisation's name, "
        "commune and sector, are passed to the provider of this solution so that it contacts "
        "me about it, and kept with the request."
    )


class ContactThrottledError(Exception):
    """Too many requests to be contacted for one response or from one address."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ContactResult:
    connection: ConnectionRequest
    created: bool  # False: the open request for the same solution was given the new details


def contact_throttled(*, response: Response, ip: str) -> str | None:
    """Why a request to be contacted is refused now (the limits of the settings), or None."""
    now = timezone.now()
    per_response = int(settings.CONTACT_LIMIT_PER_RESPONSE)
    per_address = int(settings.CONTACT_LIMIT_PER_ADDRESS)
    day = ContactAttempt.objects.filter(response=response, at__gte=now - timedelta(days=1))
    if per_response > 0 and day[:per_response].count() >= per_response:
        return _(
            "This response has already asked %(n)s times today to be contacted. Try again "
            "tomorrow, or wait for the providers to call."
        ) % {"n": per_response}
    hour = ContactAttempt.objects.filter(ip=ip[:45], at__gte=now - timedelta(hours=1))
    if per_address > 0 and hour[:per_address].count() >= per_address:
        return _(
            "Too many requests to be contacted were sent from your address in the last hour. "
            "Try again in an hour."
        )
    return None


def _contact_fields(
    *, name: str, phone: str, email: str, consent: bool
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    phone = nfc(phone or "").strip()[:40]
    email = nfc(email or "").strip()[:254]
    national = ""
    if phone:
        found = normalise_phone(phone)
        if found is None:
            errors["phone"] = [
                _(
                    "%(value)s is not a Vietnamese phone number: a mobile number has 10 digits "
                    "starting with 03, 05, 07, 08 or 09 (e.g. 0912 345 678), a fixed line 11 "
                    "digits starting with 02; +84 may replace the first 0."
                )
                % {"value": phone}
            ]
        else:
            national = found
    if email:
        try:
            validate_email(email)
            if not looks_like_email(email):
                raise ValidationError("")
        except ValidationError:
            errors["email"] = [
                _("%(value)s is not an e-mail address (e.g. ten@congty.vn).") % {"value": email}
            ]
    if not phone and not email:
        errors["phone"] = [_("Give a phone number or an e-mail address (at least one).")]
    if not consent:
        errors["consent"] = [
            _(
                "Tick the consent box: the provider can only be given your contact details "
                "with your agreement."
            )
        ]
    fields = {
        "contact_name": nfc(name or "").strip()[:200],
        "contact_phone": national,
        "contact_email": email.lower() if email else "",
    }
    return fields, errors


def code_matches(response: Response, code: str) -> bool:
    """Whether ``code`` is the resume code of ``response`` (compared in constant time)."""
    stored = ResumeCode.objects.filter(response=response).values_list("code", flat=True).first()
    given = (code or "").strip().upper()[:16]
    return stored is not None and hmac.compare_digest(stored.encode(), given.encode())


@transaction.atomic
def connection_request_contact(
    *,
    response: Response,
    resume_code: str,
    solution: Solution,
    name: str = "",
    phone: str = "",
    email: str = "",
    consent: bool = False,
    message: str = "",
    ip: str = "",
) -> ContactResult:
    """A respondent without an account asks the provider of ``solution`` to contact it about
    ``response``'s organisation. The resume code is the proof; the contact details (a phone
    number or an e-mail, at least one) and the consent (the wording's version and the time)
    are kept with the request. Asking again while a request for the same solution is open
    gives that request the new details. Limited per response and per client address
    (``ContactThrottledError``)."""
    if not code_matches(response, resume_code):
        raise PermissionDenied(_("This resume code is not the code of this response."))
    if response.status == ResponseStatus.DRAFT:
        raise ValidationError(
            {"response": [_("Submit the assessment first: a draft has no result to act on.")]}
        )
    if solution.status != SolutionStatus.APPROVED:
        raise ValidationError({"solution": [_("This solution is not approved for the catalogue.")]})
    if platform_of(solution.code, solution.builtin) is not None:
        raise ValidationError(
            {
                "solution": [
                    _(
                        "A national platform is used directly, not through a provider: see "
                        "its lead agency and how to use it on the platform's page."
                    )
                ]
            }
        )
    fields, errors = _contact_fields(name=name, phone=phone, email=email, consent=consent)
    if errors:
        raise ValidationError(errors)
    why = contact_throttled(response=response, ip=ip)
    if why is not None:
        raise ContactThrottledError(why)
    organisation: Organisation = response.organisation
    fields.update(consent_at=timezone.now(), consent_version=CONSENT_VERSION)
    c = _open_request(organisation, solution)
    created = c is None
    if c is None:
        c = _create(
            organisation=organisation,
            solution=solution,
            response=response,
            actor=None,
            on_behalf=False,
            message=message,
            without_account=True,
            **fields,
        )
    else:  # the open request (made with or without an account) gets the new details
        for key, value in fields.items():
            setattr(c, key, value)
        if c.response_id is None:
            c.response = response
        c.save()
        audit_record(
            actor=None,
            action="ecosystem.connection_contact",
            object_type="ecosystem.connection",
            object_id=c.pk,
            after=snapshot(c),
            unit_path=c.unit_path,
        )
    # rows older than the longest window (a day) are dropped on the way
    ContactAttempt.objects.filter(at__lt=timezone.now() - timedelta(days=1)).delete()
    ContactAttempt.objects.create(response=response, ip=ip[:45])
    recipients = [
        e
        for e in [solution.provider.email, *solution.provider.users.values_list("email", flat=True)]
        if e
    ]
    if recipients and created:
        lines = [
            f"{organisation.name} — {solution.name_vi}",
            _("Contact: %(name)s %(phone)s %(email)s")
            % {"name": c.contact_name, "phone": c.contact_phone, "email": c.contact_email},
        ]
        transaction.on_commit(
            _mailer(
                _("A new connection request (#%(id)s)") % {"id": c.pk}, "\n".join(lines), recipients
            )
        )
    return ContactResult(connection=c, created=created)


def _may_move(scope: Scope, c: ConnectionRequest) -> bool:
    if scope.role == PROVIDER and scope.user_id is not None:
        return c.provider.users.filter(pk=scope.user_id).exists()
    # officers of the area; a ministry officer limited to sectors moves the requests of those
    # sectors (and of no particular sector), the ones it can read (``connection_list``)
    if scope.sectors is not None and c.sector not in {*scope.sectors, "general", ""}:
        return False
    return scope.is_officer and scope.covers_path(c.unit_path)


@transaction.atomic
def connection_move(
    *, scope: Scope, actor: User | None, connection: ConnectionRequest, to: str, note: str = ""
) -> ConnectionRequest:
    """Move a request one step along the workflow (the provider, or an officer of the area)."""
    c = (
        ConnectionRequest.objects.select_for_update()
        .select_related("provider")
        .get(pk=connection.pk)
    )
    if not _may_move(scope, c):
        raise PermissionDenied(
            _("Only the provider addressed or an officer of the area may do this.")
        )
    if to not in S.values:
        raise ValidationError(
            {
                "status": [
                    _("Unknown status %(to)s; use one of: %(all)s.")
                    % {"to": to, "all": ", ".join(S.values)}
                ]
            }
        )
    allowed = NEXT[c.status]
    if to not in allowed:
        if not allowed:
            message = _("The request is already “%(from)s” and can no longer change.")
        elif to in OPEN and OPEN.index(S(to)) < OPEN.index(S(c.status)):
            message = _("A request cannot go back from “%(from)s” to “%(to)s”.")
        else:
            message = _(
                "A request cannot go from “%(from)s” to “%(to)s”: the next step is “%(next)s”."
            )
        raise ValidationError(
            {
                "status": [
                    message
                    % {
                        "from": S(c.status).label,
                        "to": S(to).label,
                        "next": " / ".join(str(S(a).label) for a in allowed),
                    }
                ]
            }
        )
    before = snapshot(c)
    now = timezone.now()
    ConnectionEvent.objects.create(
        request=c, from_status=c.status, to_status=to, by=actor, note=nfc(note or "").strip()
    )
    c.status = to
    c.status_changed_at = now
    c.reminded_at = None
    if to == S.ADOPTED:
        c.adopted_at = now
    c.save()
    audit_record(
        actor=actor,
        action="ecosystem.connection_move",
        object_type="ecosystem.connection",
        object_id=c.pk,
        before=before,
        after=snapshot(c),
        unit_path=c.unit_path,
    )
    if to == S.ADOPTED:
        from thuocdo.ecosystem.effects import effects_record

        transaction.on_commit(lambda: effects_record(connection_ids=[c.pk]))
    return c


def _mailer(subject: str, body: str, recipients: list[str]) -> Callable[[], None]:
    def send() -> None:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)

    return send


def stale_requests(*, days: int | None = None) -> Any:
    limit = timezone.now() - timedelta(days=days if days is not None else STALE_DAYS)
    return (
        ConnectionRequest.objects.filter(status__in=OPEN, status_changed_at__lt=limit)
        .exclude(reminded_at__gte=limit)
        .select_related("provider", "solution", "organisation")
    )


@transaction.atomic
def connection_remind_stale(*, days: int | None = None) -> int:
    """E-mail each provider its stale open requests (once per stale period); returns the count."""
    by_provider: dict[int, list[ConnectionRequest]] = {}
    for c in stale_requests(days=days):
        by_provider.setdefault(c.provider_id, []).append(c)
    now = timezone.now()
    sent = 0
    for items in by_provider.values():
        provider = items[0].provider
        recipients = [
            e for e in [provider.email, *provider.users.values_list("email", flat=True)] if e
        ]
        lines = [
            f"- #{c.pk} {c.organisation.name}: {c.solution.name_vi} ({S(c.status).label}, "
            f"{c.status_changed_at:%d/%m/%Y})"
            for c in items
        ]
        subject = _("%(n)s connection requests are waiting for you") % {"n": len(items)}
        body = "\n".join([_("These requests have not moved for a while:"), *lines])
        if recipients:
            transaction.on_commit(_mailer(subject, body, recipients))
        ConnectionRequest.objects.filter(pk__in=[c.pk for c in items]).update(reminded_at=now)
        for c in items:
            audit_record(
                actor=None,
                action="ecosystem.connection_remind",
                object_type="ecosystem.connection",
                object_id=c.pk,
                unit_path=c.unit_path,
            )
        sent += len(items)
    return sent
