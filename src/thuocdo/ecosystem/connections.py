"""Writes of connection requests: an organisation (or an officer for it) asks for a solution;
the provider moves it requested → contacted → trial → adopted, or declined at any open step.
Skips and reversals are refused. Stale requests raise e-mail reminders to the provider."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import PROVIDER, RESPONDENT, Scope
from thuocdo.accounts.services import audit_record
from thuocdo.assessments.models import Organisation, Response
from thuocdo.assessments.selectors import member_organisation
from thuocdo.core.text import nfc
from thuocdo.ecosystem.models import (
    ConnectionEvent,
    ConnectionRequest,
    ConnectionStatus,
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
    open_one = ConnectionRequest.objects.filter(
        organisation=organisation, solution=solution, status__in=OPEN
    ).first()
    if open_one is not None:
        return open_one  # asking again does not duplicate an open request
    now = timezone.now()
    c = ConnectionRequest.objects.create(
        organisation=organisation,
        solution=solution,
        provider_id=solution.provider_id,
        response=response,
        message=nfc(message or "").strip()[:5000],
        on_behalf=scope.is_officer,
        requested_by=actor,
        commune_id=organisation.commune_id,
        unit_path=organisation.unit_path,
        sector=organisation.sector,
        status_changed_at=now,
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
