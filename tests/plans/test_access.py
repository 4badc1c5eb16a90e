"""Every plans page and API operation declares its access policy; the OpenAPI schema builds."""

from __future__ import annotations

import pytest
from django.test import Client

from thuocdo.core.access import policy_of
from thuocdo.plans import urls
from thuocdo.plans.api import router


def test_every_page_declares_a_policy() -> None:
    for pattern in urls.urlpatterns:
        assert policy_of(pattern.callback) == "officer", pattern.name


def test_every_api_operation_declares_a_policy() -> None:
    operations = [
        op for path_view in router.path_operations.values() for op in path_view.operations
    ]
    assert len(operations) >= 10
    for op in operations:
        assert policy_of(op.view_func) == "officer", op.view_func.__name__


@pytest.mark.django_db
def test_openapi_lists_the_plans_operations() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    for path in (
        "/api/v1/plans/plans",
        "/api/v1/plans/plans/{plan_id}",
        "/api/v1/plans/tasks",
        "/api/v1/plans/tasks/{task_id}",
        "/api/v1/plans/tasks/{task_id}/evidence",
        "/api/v1/plans/overdue",
    ):
        assert path in paths, path
