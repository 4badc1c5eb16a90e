"""Effect of an adopted solution: the organisation's score before adoption against its next
assessment with the same criteria set (a later submitted response)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from thuocdo.accounts.services import audit_record
from thuocdo.assessments.models import Response, ResponseStatus
from thuocdo.ecosystem.models import AdoptionEffect, ConnectionRequest, ConnectionStatus

DONE = (ResponseStatus.SUBMITTED, ResponseStatus.VERIFIED)


def province_path(unit_path: str) -> str:
    """``2025/01/00004/`` → ``2025/01/``."""
    parts = [p for p in unit_path.split("/") if p]
    return "/".join(parts[:2]) + "/" if len(parts) >= 2 else unit_path


def _scored(qs: object) -> object:
    return qs.filter(status__in=DONE, overall__isnull=False, submitted_at__isnull=False)  # type: ignore[attr-defined]


def _before(c: ConnectionRequest) -> Response | None:
    if c.response is not None and c.response.status in DONE and c.response.overall is not None:
        return c.response
    qs = _scored(Response.objects.filter(organisation_id=c.organisation_id))
    return (
        qs.filter(submitted_at__lte=c.adopted_at)  # type: ignore[attr-defined]
        .select_related("framework")
        .order_by("-submitted_at", "-id")
        .first()
    )


@transaction.atomic
def effects_record(*, connection_ids: Iterable[int] | None = None) -> int:
    """Record the effect of every adopted connection whose organisation has re-assessed."""
    qs = ConnectionRequest.objects.filter(
        status=ConnectionStatus.ADOPTED, adopted_at__isnull=False, effect__isnull=True
    ).select_related("solution", "response__framework")
    if connection_ids is not None:
        qs = qs.filter(pk__in=list(connection_ids))
    recorded = 0
    for c in qs:
        before = _before(c)
        if before is None:
            continue
        after = (
            _scored(
                Response.objects.filter(
                    organisation_id=c.organisation_id,
                    framework__code=before.framework.code,
                    submitted_at__gt=max(c.adopted_at, before.submitted_at),  # type: ignore[type-var]
                )
            )
            .exclude(pk=before.pk)  # type: ignore[attr-defined]
            .order_by("submitted_at", "id")
            .first()
        )
        if after is None:
            continue
        effect = AdoptionEffect.objects.create(
            connection=c,
            before_response=before,
            after_response=after,
            framework_code=before.framework.code,
            category=c.solution.category,
            province_path=province_path(after.unit_path),
            unit_path=after.unit_path,
            before_overall=float(before.overall or 0.0),
            after_overall=float(after.overall or 0.0),
            before_level=int(before.level or 0),
            after_level=int(after.level or 0),
        )
        audit_record(
            actor=None,
            action="ecosystem.effect_record",
            object_type="ecosystem.effect",
            object_id=effect.pk,
            after={
                "connection": c.pk,
                "before": effect.before_overall,
                "after": effect.after_overall,
            },
            unit_path=effect.unit_path,
        )
        recorded += 1
    return recorded
