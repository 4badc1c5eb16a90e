"""Demo loader (idempotent) and the periodic jobs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from thuocdo.ecosystem import demo, tasks
from thuocdo.ecosystem.models import ConnectionRequest, Promotion, Solution, SolutionStatus

from . import factories as f

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_connects_demo_organisations() -> None:
    fv = f.framework("shop-dx")
    camp = f.campaign(fv)
    for _ in range(3):
        f.response(f.organisation(entity_type="shop", sector="retail"), camp)
    first = demo.load_demo()
    assert first["providers"] == 3 and first["solutions"] == len(demo.SOLUTIONS)
    assert first["connections"] == 3
    assert first["effects"] == 0  # no national survey to follow up
    assert Solution.objects.filter(code="sv-ban-hang", status=SolutionStatus.APPROVED).exists()
    assert Promotion.objects.filter(solution__code="sv-ban-hang", free_trial_months=6).exists()
    again = demo.load_demo()
    assert again == {
        "providers": 0,
        "solutions": 0,
        "promotions": 0,
        "connections": 0,
        "effects": 0,
    }
    assert ConnectionRequest.objects.count() == 3


def test_periodic_jobs_remind_and_record(
    make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sol = f.solution(f.provider(), tags=["crm"])
    from thuocdo.ecosystem import connections

    c = connections.connection_request(
        scope=f.ADMIN, actor=None, organisation=f.organisation(), solution=sol
    )
    ConnectionRequest.objects.filter(pk=c.pk).update(
        status_changed_at=timezone.now() - timedelta(days=40)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_stale_connections.call_local() == 1
    assert tasks.record_effects.call_local() == 0
