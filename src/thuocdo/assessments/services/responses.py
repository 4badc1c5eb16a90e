"""Writes for responses: drafts, submission (scored by the engine), verification.

Who may answer for an organisation:
- an officer whose scope covers the organisation's commune (channel ``on_behalf`` unless
  another channel is given: ``offline`` for the installable form, ``api``);
- a respondent account linked to the organisation (``OrganisationMember``);
- a visitor of the campaign's public link, for an organisation that has no response yet in
  the campaign, or with the response's resume code.

Idempotency: a submission with an ``Idempotency-Key`` records the key with the response it
produced (``SubmissionKey``, unique per campaign); a retry with the same key returns that
response and writes nothing, even when two identical requests race. The key is looked up
in the same query that locks the organisation's response; a new response also carries its
key under a unique constraint, so a racing duplicate fails the insert and the first result
is returned from there.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.services import audit_record
from thuocdo.assessments.compiled import fetch_row
from thuocdo.assessments.domain import agency
from thuocdo.assessments.models import (
    Campaign,
    CampaignStatus,
    Channel,
    Organisation,
    OrganisationMember,
    Response,
    ResponseStatus,
    ResumeCode,
    SubmissionKey,
)
from thuocdo.assessments.services.common import lang, require_covers
from thuocdo.core import rowsql
from thuocdo.core.text import nfc
from thuocdo.frameworks.engine import AnswerProblem, check_answers, score, validate_answers

MAX_KEY_LENGTH = 100
RESUME_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class SubmitResult:
    response: Response
    created: bool
    replayed: bool


class AnswersRejectedError(ValidationError):
    """Answers with problems; ``problems`` are the engine's, each naming its criterion."""

    def __init__(self, problems: list[AnswerProblem]) -> None:
        language = lang()
        messages: dict[str, list[str]] = {}
        for p in problems:
            field = f"answers.{p.criterion}" if p.criterion else "answers"
            messages.setdefault(field, []).append(p.message(language))  # type: ignore[arg-type]
        super().__init__(messages)
        self.problems = problems


def response_snapshot(r: Response) -> dict[str, Any]:
    return {
        "status": r.status,
        "answers": dict(r.answers),
        "evidence": dict(r.evidence_links or {}),
        "overall": r.overall,
        "level": r.level,
        "channel": r.channel,
        "organisation": r.organisation_id,
        "rejection_reason": r.rejection_reason,
    }


def _audit(
    actor: User | None, action: str, response: Response, before: dict[str, Any] | None
) -> None:
    """The audit event of a change to a response, with its state before and after."""
    audit_record(
        actor=actor,
        action=action,
        object_type="assessments.response",
        object_id=response.pk,
        before=before,
        after=response_snapshot(response),
        unit_path=response.unit_path,
    )
    # analytics: the dashboards' columnar copy counts submitted and verified responses
    if {response.status, (before or {}).get("status")} & {"submitted", "verified"}:
        from thuocdo.analytics.tasks import queue_refresh

        queue_refresh(response.campaign_id)


def _resolve_channel(scope: Scope, channel: str | None) -> str:
    if channel is not None and channel not in Channel.values:
        raise ValidationError(
            {
                "channel": [
                    _("Unknown channel %(value)s; allowed: %(allowed)s.")
                    % {"value": channel, "allowed": ", ".join(Channel.values)}
                ]
            }
        )
    if scope.is_officer:
        return channel if channel and channel != Channel.WEB else Channel.ON_BEHALF
    if channel == Channel.ON_BEHALF:
        raise ValidationError(
            {"channel": [_("Only officers submit on behalf of an organisation.")]}
        )
    return channel or Channel.WEB


def check_can_answer(
    *,
    scope: Scope,
    campaign: Campaign,
    organisation: Organisation,
    existing: Response | None,
    resume_code: str | None = None,
) -> None:
    """Refuse answering when the campaign is not open, the organisation is outside it, or the
    user may not answer for the organisation (see the module docstring)."""
    if campaign.status != CampaignStatus.OPEN:
        raise ValidationError(
            _("The campaign is not open for answers (status: %(status)s).")
            % {"status": CampaignStatus(campaign.status).label}
        )
    if organisation.merged_into_id is not None:
        raise ValidationError(
            _("This organisation was merged into another one; answer for that one.")
        )
    if not organisation.unit_path.startswith(campaign.unit_path):
        raise ValidationError(
            {"organisation": [_("The organisation is outside the campaign area.")]}
        )
    if campaign.entity_types and organisation.entity_type not in campaign.entity_types:
        raise ValidationError(
            {
                "organisation": [
                    _("This campaign is for %(types)s, not for %(type)s.")
                    % {"types": ", ".join(campaign.entity_types), "type": organisation.entity_type}
                ]
            }
        )
    if scope.is_officer:
        require_covers(scope, organisation.unit_path)
        return
    if scope.user_id is not None and scope.role == "respondent":
        if OrganisationMember.objects.filter(
            user_id=scope.user_id, organisation_id=organisation.pk
        ).exists():
            return
        raise PermissionDenied(_("Your account does not belong to this organisation."))
    if scope.is_anonymous:
        if existing is None:
            return
        code = getattr(existing, "_resume_code", None)
        if code is None:
            code = (
                ResumeCode.objects.filter(response=existing).values_list("code", flat=True).first()
            )
        if code and resume_code and secrets.compare_digest(code, resume_code.strip().upper()):
            return
        raise PermissionDenied(
            _(
                "This organisation has already started answering this campaign: enter its "
                "resume code to continue."
            )
        )
    raise PermissionDenied(_("You may not answer for this organisation."))


def _normalise(answers: Any) -> dict[str, Any]:
    if not isinstance(answers, Mapping):
        raise AnswersRejectedError(
            [AnswerProblem("", "answer.not_mapping", None, {"got": type(answers).__name__})]
        )
    out: dict[str, Any] = {}
    for key, value in answers.items():
        k = nfc(str(key)).strip()
        if isinstance(value, str):
            value = nfc(value).strip()
        elif isinstance(value, list):
            value = [nfc(v).strip() if isinstance(v, str) else v for v in value]
        out[k] = value
    return out


MAX_EVIDENCE_URL_LENGTH = 500
_EVIDENCE_URL = URLValidator(schemes=["http", "https"])


def campaign_takes_evidence(campaign: Campaign) -> bool:
    """A campaign over agencies only (every entity type an agency's) keeps evidence links."""
    types = campaign.entity_types or []
    return bool(types) and all(t in agency.AGENCY_TYPES for t in types)


def clean_evidence(campaign: Campaign, evidence: Any) -> dict[str, str]:
    """The evidence links of a response, checked and NFC-normalised: ``{criterion code: url}``
    with an http(s) address of at most 500 characters for a criterion of the campaign's
    criteria set; an empty link removes the criterion's. A campaign over businesses takes no
    evidence: a non-empty mapping is refused. Each problem names its ``evidence.<code>``."""
    if evidence is None:
        return {}
    if not isinstance(evidence, Mapping):
        raise ValidationError(
            {"evidence": [_("Evidence must map criterion codes to links of evidence files.")]}
        )
    links: dict[str, str] = {}
    for key, value in evidence.items():
        code = nfc(str(key)).strip()
        url = nfc(value).strip() if isinstance(value, str) else value
        if url in (None, ""):
            continue
        links[code] = url
    if not links:
        return {}
    if not campaign_takes_evidence(campaign):
        raise ValidationError(
            {
                "evidence": [
                    _(
                        "Evidence links are kept only for campaigns over agencies; this "
                        "campaign is for %(types)s."
                    )
                    % {"types": ", ".join(campaign.entity_types or []) or "—"}
                ]
            }
        )
    known = {c.code for c in campaign.framework.engine().criteria()}
    errors: dict[str, list[str]] = {}
    for code, url in links.items():
        field = f"evidence.{code}"
        if code not in known:
            errors[field] = [
                _("%(code)s is not a criterion of this criteria set; evidence belongs to one.")
                % {"code": code}
            ]
        elif not isinstance(url, str):
            errors[field] = [
                _("The evidence link of criterion %(code)s must be text (a web address).")
                % {"code": code}
            ]
        elif len(url) > MAX_EVIDENCE_URL_LENGTH:
            errors[field] = [
                _("The evidence link of criterion %(code)s is longer than %(max)s characters.")
                % {"code": code, "max": MAX_EVIDENCE_URL_LENGTH}
            ]
        else:
            try:
                _EVIDENCE_URL(url)
            except ValidationError:
                errors[field] = [
                    _(
                        "The evidence link of criterion %(code)s must be a web address "
                        "starting with http:// or https://."
                    )
                    % {"code": code}
                ]
    if errors:
        raise ValidationError(errors)
    return links


def _copy_strata(response: Response, org: Organisation) -> None:
    response.commune_id = org.commune_id
    response.unit_path = org.unit_path
    response.entity_type = org.entity_type
    response.size_class = org.size_class
    response.sector = org.sector


# 13 characters of a 32-letter alphabet: 65 bits. Codes given out before (8 characters, 40
# bits) keep working: a code is looked up as it is written.
RESUME_CODE_LENGTH = 13


def _new_resume_code(response: Response) -> str:
    while True:
        code = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_CODE_LENGTH))
        try:
            with transaction.atomic():
                ResumeCode.objects.create(response=response, code=code)
            return code
        except IntegrityError:
            existing = ResumeCode.objects.filter(response=response).first()
            if existing is not None:
                return existing.code


_CAMPAIGN, _ORGANISATION, _KEY = -1, -2, "\x00key"  # placeholders of the compiled lock query


def _locked_row(
    campaign: Campaign, org: Organisation, key: str | None = None
) -> tuple[int | None, int | None]:
    """The id of the organisation's response in the campaign, locked, and (with a key) the
    id of the response the key already produced: one narrow query."""
    if key is None:
        return (
            Response.objects.select_for_update()
            .filter(campaign_id=campaign.pk, organisation_id=org.pk)
            .order_by()
            .values_list("id", flat=True)
            .first()
        ), None
    row = fetch_row(
        "response_lock_with_key",
        lambda: (
            Response.objects.select_for_update(of=("self",))
            .filter(campaign_id=_CAMPAIGN, organisation_id=_ORGANISATION)
            .order_by()
            .annotate(
                replay_id=Subquery(
                    SubmissionKey.objects.filter(campaign_id=_CAMPAIGN, key=_KEY)
                    .order_by()
                    .values("response_id")[:1]
                )
            )
            .values_list("id", "replay_id")[:1]
        ),
        {_CAMPAIGN: campaign.pk, _ORGANISATION: org.pk, _KEY: key},
    )
    return (row[0], row[1]) if row is not None else (None, None)


def _locked_response(campaign: Campaign, org: Organisation) -> Response | None:
    """The organisation's response in the campaign, locked; a new submission (the usual case)
    costs one narrow query."""
    response_id = _locked_row(campaign, org)[0]
    if response_id is None:
        return None
    return Response.objects.get(pk=response_id)


@transaction.atomic
def response_save_draft(
    *,
    scope: Scope,
    actor: User | None,
    campaign: Campaign,
    organisation: Organisation,
    answers: Mapping[str, Any],
    channel: str | None = None,
    resume_code: str | None = None,
    evidence: Mapping[str, Any] | None = None,
) -> Response:
    """Save answers so far (incomplete answers allowed; wrong values refused, each named).
    Only a draft or a rejected response takes a draft; a submitted one is submitted again.
    ``evidence`` (campaigns over agencies) replaces the evidence links; ``None`` keeps them."""
    values = _normalise(answers)
    links = clean_evidence(campaign, evidence) if evidence is not None else None
    fw = campaign.framework.engine()
    problems = validate_answers(fw, values)
    if problems:
        raise AnswersRejectedError(problems)
    existing = _locked_response(campaign, organisation)
    check_can_answer(
        scope=scope,
        campaign=campaign,
        organisation=organisation,
        existing=existing,
        resume_code=resume_code,
    )
    resolved = _resolve_channel(scope, channel)
    if existing is not None and existing.status not in (
        ResponseStatus.DRAFT,
        ResponseStatus.REJECTED,
    ):
        raise ValidationError(
            _("This response was already submitted; submit it again to change its answers.")
        )
    before = response_snapshot(existing) if existing else None
    response = existing or Response(
        campaign=campaign, organisation=organisation, framework_id=campaign.framework_id
    )
    response.answers = values
    if links is not None:
        response.evidence_links = links
    response.status = ResponseStatus.DRAFT
    response.channel = resolved
    response.submitted_by = actor
    _copy_strata(response, organisation)
    response.save()
    if existing is None:
        _new_resume_code(response)
    _audit(actor, "response.save_draft", response, before)
    return response


@transaction.atomic
def response_reopen(
    *,
    scope: Scope,
    actor: User | None,
    campaign: Campaign,
    organisation: Organisation,
    resume_code: str | None = None,
) -> Response:
    """Turn a submitted, verified or rejected response back into a draft so that the
    organisation changes its answers and submits again (only while the campaign is open).
    Its scores stay until the new submission replaces them."""
    existing = _locked_response(campaign, organisation)
    if existing is None:
        raise ValidationError(_("There is no response to change."))
    check_can_answer(
        scope=scope,
        campaign=campaign,
        organisation=organisation,
        existing=existing,
        resume_code=resume_code,
    )
    if existing.status == ResponseStatus.DRAFT:
        return existing
    before = response_snapshot(existing)
    existing.status = ResponseStatus.DRAFT
    existing.save(update_fields=["status", "updated_at"])
    _audit(actor, "response.reopen", existing, before)
    return existing


def _replay_response(response_id: int, scope: Scope) -> Response:
    """The response a key produced, for a retry: checked like a fresh read (the actor's
    scope must reach it), so a key cannot reveal another organisation's response."""
    response = Response.objects.select_related("organisation", "submitted_by").get(pk=response_id)
    if scope.is_officer:
        readable = scope.covers_path(response.unit_path)
    else:
        readable = (
            scope.user_id is not None
            and OrganisationMember.objects.filter(
                user_id=scope.user_id, organisation_id=response.organisation_id
            ).exists()
        )
    if not readable:
        raise ValidationError(
            {
                "idempotency_key": [
                    _("This Idempotency-Key was used for another submission; send a new key.")
                ]
            }
        )
    return response


def _replay(campaign: Campaign, key: str, scope: Scope) -> Response | None:
    response_id = (
        SubmissionKey.objects.filter(campaign_id=campaign.pk, key=key)
        .order_by()
        .values_list("response_id", flat=True)
        .first()
    )
    if response_id is None:
        return None
    return _replay_response(response_id, scope)


def response_submit(
    *,
    scope: Scope,
    actor: User | None,
    campaign: Campaign,
    organisation: Organisation,
    answers: Mapping[str, Any],
    channel: str | None = None,
    idempotency_key: str | None = None,
    resume_code: str | None = None,
    evidence: Mapping[str, Any] | None = None,
) -> SubmitResult:
    """Validate and score the answers with the campaign's exact criteria-set version and store
    the response as submitted. Re-submission while the campaign is open updates the same
    response. The same ``idempotency_key`` never writes twice: the first result is returned."""
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > MAX_KEY_LENGTH:
        raise ValidationError(
            {"idempotency_key": [_("The Idempotency-Key is longer than 100 characters.")]}
        )
    try:
        return _submit(
            scope=scope,
            actor=actor,
            campaign=campaign,
            organisation=organisation,
            answers=answers,
            channel=channel,
            key=key,
            resume_code=resume_code,
            evidence=evidence,
        )
    except IntegrityError:
        # A concurrent request with the same key (or for the same new response) won the race.
        if key is not None:
            first = _replay(campaign, key, scope)
            if first is not None:
                return SubmitResult(first, created=False, replayed=True)
        return _submit(
            scope=scope,
            actor=actor,
            campaign=campaign,
            organisation=organisation,
            answers=answers,
            channel=channel,
            key=key,
            resume_code=resume_code,
            evidence=evidence,
        )


@transaction.atomic
def _submit(
    *,
    scope: Scope,
    actor: User | None,
    campaign: Campaign,
    organisation: Organisation,
    answers: Mapping[str, Any],
    channel: str | None,
    key: str | None,
    resume_code: str | None,
    evidence: Mapping[str, Any] | None = None,
) -> SubmitResult:
    # the key of a retry is found with the organisation's response (a key reused for another
    # organisation is found when the submission is refused or fails the unique insert)
    existing_id, replay_id = _locked_row(campaign, organisation, key)
    if replay_id is not None:
        # a retry: the key's first result, whatever the answers are now
        first = _replay_response(replay_id, scope)
        return SubmitResult(first, created=False, replayed=True)
    existing = Response.objects.get(pk=existing_id) if existing_id is not None else None
    values = _normalise(answers)
    links = clean_evidence(campaign, evidence) if evidence is not None else None
    fw = campaign.framework.engine()
    # one validation and one scoring pass on the happy path; the full check names every
    # bad or missing answer otherwise
    problems = bool(validate_answers(fw, values))
    result = None if problems else score(fw, values, validate=False)
    if result is None or result.missing:
        earlier = _replay(campaign, key, scope) if key is not None else None
        if earlier is not None:
            return SubmitResult(earlier, created=False, replayed=True)
        raise AnswersRejectedError(check_answers(fw, values))
    try:
        check_can_answer(
            scope=scope,
            campaign=campaign,
            organisation=organisation,
            existing=existing,
            resume_code=resume_code,
        )
    except (ValidationError, PermissionDenied):
        earlier = _replay(campaign, key, scope) if key is not None else None
        if earlier is not None:
            return SubmitResult(earlier, created=False, replayed=True)
        raise
    resolved = _resolve_channel(scope, channel)
    before = response_snapshot(existing) if existing else None
    response = existing or Response(
        campaign=campaign, organisation=organisation, framework_id=campaign.framework_id
    )
    now = timezone.now()
    response.framework_id = campaign.framework_id
    response.answers = values
    if links is not None:
        response.evidence_links = links
    response.status = ResponseStatus.SUBMITTED
    response.overall = result.overall
    response.level = result.level
    response.pillar_scores = dict(result.pillars)
    response.pillar_levels = dict(result.pillar_levels)
    response.criterion_scores = dict(result.criteria)
    response.unmet = list(result.unmet)
    response.channel = resolved
    response.submitted_by = actor
    response.submitted_at = now
    response.verified_at = None
    response.verified_by = None
    response.rejection_reason = ""
    if existing is None and key is not None:
        response.idempotency_key = key
    _copy_strata(response, organisation)
    if existing is not None:
        response.save()
        if key is not None:
            SubmissionKey.objects.create(campaign_id=campaign.pk, key=key, response=response)
    elif key is not None:  # the usual API submission: both rows in one statement
        rowsql.insert_linked(
            response, SubmissionKey(campaign_id=campaign.pk, key=key), "response_id"
        )
    else:
        rowsql.insert(response)
    _audit(actor, "response.submit" if existing is None else "response.resubmit", response, before)
    if organisation.email:
        _queue_followup(response.pk)
    return SubmitResult(response, created=existing is None, replayed=False)


def _queue_followup(response_id: int) -> None:
    """After the commit: the result e-mail and the re-assessment reminder, in the language
    the respondent is using (``assessments.followup``)."""
    language = translation.get_language() or ""

    def queue() -> None:
        from thuocdo.assessments.tasks import followup_task

        followup_task(response_id, language)

    transaction.on_commit(queue, robust=True)


def _officer_change(scope: Scope, response: Response, allowed: tuple[str, ...]) -> Response:
    if not scope.is_officer:
        raise PermissionDenied(_("Only officers verify responses."))
    r = Response.objects.select_for_update().get(pk=response.pk)
    require_covers(scope, r.unit_path)
    if r.status not in allowed:
        raise ValidationError(
            _("A %(status)s response cannot be changed this way.")
            % {"status": ResponseStatus(r.status).label}
        )
    return r


@transaction.atomic
def response_verify(*, scope: Scope, actor: User | None, response: Response) -> Response:
    """Mark a submitted (or rejected) response verified."""
    r = _officer_change(scope, response, (ResponseStatus.SUBMITTED, ResponseStatus.REJECTED))
    before = response_snapshot(r)
    r.status = ResponseStatus.VERIFIED
    r.verified_at = timezone.now()
    r.verified_by = actor
    r.rejection_reason = ""
    r.save(update_fields=["status", "verified_at", "verified_by", "rejection_reason", "updated_at"])
    _audit(actor, "response.verify", r, before)
    return r


@transaction.atomic
def response_reject(
    *, scope: Scope, actor: User | None, response: Response, reason: str
) -> Response:
    """Reject a submitted or verified response; the reason is required and shown to the
    organisation, which may submit again while the campaign is open."""
    text = nfc(reason or "").strip()
    if not text:
        raise ValidationError({"reason": [_("Give the reason for rejecting the response.")]})
    if len(text) > 2000:
        raise ValidationError({"reason": [_("At most %(n)d characters.") % {"n": 2000}]})
    r = _officer_change(scope, response, (ResponseStatus.SUBMITTED, ResponseStatus.VERIFIED))
    before = response_snapshot(r)
    r.status = ResponseStatus.REJECTED
    r.rejection_reason = text
    r.verified_at = timezone.now()
    r.verified_by = actor
    r.save(update_fields=["status", "verified_at", "verified_by", "rejection_reason", "updated_at"])
    _audit(actor, "response.reject", r, before)
    return r


def resume_failure_record(*, campaign: Campaign, ip: str) -> None:
    """Remember a wrong resume code tried in ``campaign`` from ``ip`` (see
    ``selectors.resume_throttled``); rows older than an hour are dropped on the way."""
    from datetime import timedelta

    from django.utils import timezone

    from thuocdo.assessments.models import ResumeFailure

    with transaction.atomic():
        ResumeFailure.objects.filter(at__lt=timezone.now() - timedelta(hours=1)).delete()
        ResumeFailure.objects.create(campaign=campaign, ip=ip[:45])
