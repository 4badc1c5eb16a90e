"""Fixtures of the plans tests: province plans made by the wizard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from thuocdo.plans.models import Plan
from thuocdo.plans.services import plan_instantiate


@pytest.fixture
def make_plan(db: Any) -> Callable[..., Plan]:
    def make(unit: str = "01", year: int = 2025, framework: str = "province-dx", **kw: Any) -> Plan:
        return plan_instantiate(actor=None, framework=framework, unit_code=unit, year=year, **kw)

    return make
