"""Races on PostgreSQL: real transactions in threads (skipped on SQLite)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from thuocdo.accounts.scopes import Scope
from thuocdo.assessments import services
from thuocdo.assessments.models import Response, SubmissionKey

pytestmark = pytest.mark.usefixtures("builtins_after_module")


def test_concurrent_identical_submissions_give_one_response(
    transactional_db: None,
    make_campaign: Callable[..., Any],
    make_org: Callable[..., Any],
    admin_scope: Scope,
    good_answers: dict[str, Any],
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    campaign = make_campaign()
    org = make_org()
    barrier = threading.Barrier(4)
    results: list[Any] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait()
            results.append(
                services.response_submit(
                    scope=admin_scope,
                    actor=None,
                    campaign=campaign,
                    organisation=org,
                    answers=good_answers,
                    idempotency_key="same-key",
                )
            )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({r.response.pk for r in results}) == 1
    assert sum(1 for r in results if not r.replayed) == 1
    assert Response.objects.filter(campaign=campaign).count() == 1
    assert SubmissionKey.objects.filter(campaign=campaign).count() == 1
