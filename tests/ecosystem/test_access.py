"""Every ecosystem page and API operation declares its access policy."""

from __future__ import annotations

from thuocdo.core.access import POLICIES, policy_of
from thuocdo.ecosystem import api, urls


def test_every_page_declares_a_policy() -> None:
    for pattern in urls.urlpatterns:
        assert policy_of(pattern.callback) in POLICIES, pattern.name


def test_every_api_operation_declares_a_policy() -> None:
    count = 0
    for path_view in api.router.path_operations.values():
        for operation in path_view.operations:
            assert policy_of(operation.view_func) in POLICIES, operation.view_func.__name__
            count += 1
    assert count >= 15
