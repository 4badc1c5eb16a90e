"""The submission path's precompiled inserts write exactly the rows the ORM would write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from thuocdo.core import rowsql

pytestmark = pytest.mark.django_db


def _row(model: Any, pk: int, *skip: str) -> dict[str, Any]:
    row = model.objects.filter(pk=pk).values().get()
    return {k: v for k, v in row.items() if k not in ("id", *skip)}


def test_insert_matches_an_orm_save(make_user: Callable[..., Any]) -> None:
    from thuocdo.accounts.models import AuditEvent

    actor = make_user("province", unit="01")
    fields = {
        "actor": actor,
        "actor_label": "Nguyễn Văn A (province)",
        "action": "response.submit",
        "object_type": "assessments.response",
        "object_id": "42",
        "before": None,
        "after": {"điểm": 61.5, "chưa đạt": ["S1", "S2"], "mức": 3},
        "unit_path": "2025/01/00004/",
    }
    by_orm = AuditEvent.objects.create(**fields)
    by_sql = rowsql.insert(AuditEvent(**fields))
    assert by_sql.pk is not None and by_sql.pk != by_orm.pk
    assert not by_sql._state.adding
    assert _row(AuditEvent, by_sql.pk, "at") == _row(AuditEvent, by_orm.pk, "at")
    stored = AuditEvent.objects.get(pk=by_sql.pk)
    assert stored.at is not None and stored.at == by_sql.at  # auto_now_add, as the ORM sets it
    assert stored.after == fields["after"]


def test_insert_refuses_an_object_that_already_has_a_key(make_user: Callable[..., Any]) -> None:
    from thuocdo.accounts.models import AuditEvent

    event = rowsql.insert(AuditEvent(action="x", object_type="y", object_id="1"))
    with pytest.raises(AssertionError):
        rowsql.insert(event)


def test_insert_linked_writes_both_rows_and_a_clash_writes_neither(
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    good_answers: dict[str, Any],
) -> None:
    from thuocdo.assessments.models import Response, SubmissionKey

    campaign = make_campaign()
    first, second = make_org(), make_org()

    def response(org: Any, key: str) -> Response:
        return Response(
            campaign=campaign,
            organisation=org,
            framework_id=campaign.framework_id,
            status="submitted",
            answers=good_answers,
            overall=55.0,
            level=2,
            pillar_scores={"P1": 50.0},
            commune=org.commune,
            unit_path=org.unit_path,
            entity_type=org.entity_type,
            idempotency_key=key,
        )

    r = response(first, "khoá-1")
    key = SubmissionKey(campaign_id=campaign.pk, key="khoá-1")
    rowsql.insert_linked(r, key, "response_id")
    assert r.pk is not None and key.pk is not None and key.response_id == r.pk
    stored = Response.objects.get(pk=r.pk)
    assert stored.answers == good_answers and stored.overall == 55.0 and stored.unmet == []
    assert stored.created_at is not None and stored.updated_at is not None
    assert SubmissionKey.objects.get(pk=key.pk).response_id == r.pk

    # the same key again in the same campaign: the key's unique constraint fails and the
    # new response is not kept either
    with pytest.raises(IntegrityError), transaction.atomic():
        rowsql.insert_linked(
            response(second, "khoá-2"),
            SubmissionKey(campaign_id=campaign.pk, key="khoá-1"),
            "response_id",
        )
    assert Response.objects.filter(campaign=campaign).count() == 1
    assert SubmissionKey.objects.filter(campaign_id=campaign.pk).count() == 1
