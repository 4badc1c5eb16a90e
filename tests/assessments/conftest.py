"""Fixtures of the assessments tests: criteria sets, campaigns and organisations."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from typing import Any

import pytest
from tests.assessments.factories import HANOI_COMMUNES, tax_code

from thuocdo.accounts.scopes import Scope


@pytest.fixture(scope="module")
def builtins_after_module(django_db_blocker: Any) -> Any:
    """For modules whose tests use real transactions (``transactional_db``, ``live_server``):
    the database is flushed after each such test, so the built-in data is loaded again when
    the module ends, for the tests that follow."""
    yield
    with django_db_blocker.unblock():
        from thuocdo.core.builtins import load_builtins

        load_builtins()


@pytest.fixture
def sme(db: Any) -> Any:
    from thuocdo.frameworks.models import FrameworkVersion

    return FrameworkVersion.objects.get(code="sme-dx", version="2025.1")


@pytest.fixture
def household(db: Any) -> Any:
    from thuocdo.frameworks.models import FrameworkVersion

    return FrameworkVersion.objects.get(code="household-dx", version="2025.1")


@pytest.fixture
def admin_scope() -> Scope:
    return Scope(role="admin")


@pytest.fixture
def hanoi_officer(make_user: Callable[..., Any]) -> Any:
    return make_user("province", unit="01")


@pytest.fixture
def make_campaign(db: Any, sme: Any, admin_scope: Scope) -> Callable[..., Any]:
    from thuocdo.assessments import services

    def make(framework: Any = None, area: str = "01", status: str = "open", **extra: Any) -> Any:
        campaign = services.campaign_create(
            scope=admin_scope,
            actor=None,
            framework=framework or sme,
            area_code=area,
            year=extra.pop("year", 2025),
            name=extra.pop("name", "Khảo sát chuyển đổi số doanh nghiệp 2025"),
            **extra,
        )
        steps = {"draft": [], "open": ["open"], "closed": ["open", "closed"]}
        for step in steps.get(status, ["open", "closed", "published"]):
            campaign = services.campaign_transition(
                scope=admin_scope, actor=None, campaign=campaign, to=step
            )
        return campaign

    return make


@pytest.fixture
def make_org(db: Any, admin_scope: Scope) -> Callable[..., Any]:
    from thuocdo.assessments import services

    counter = itertools.count(1)

    def make(**data: Any) -> Any:
        n = next(counter)
        values = {
            "name": f"Công ty TNHH Thử nghiệm Số {n}",
            "tax_code": tax_code(),
            "entity_type": "enterprise",
            "commune_code": HANOI_COMMUNES[0],
            "vsic": "4711",
            "size_class": "small",
            **data,
        }
        return services.organisation_create(scope=admin_scope, actor=None, data=values)

    return make


@pytest.fixture
def good_answers(sme: Any) -> dict[str, Any]:
    from thuocdo.assessments.domain.synthetic import synthetic_answers

    return synthetic_answers(sme.engine(), random.Random(3), 0.6)
