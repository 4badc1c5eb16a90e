"""The demo data: three provinces with progress, loaded once."""

from __future__ import annotations

import pytest

from thuocdo.plans import demo
from thuocdo.plans.models import Plan, Task

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_has_progress() -> None:
    first = demo.load_demo()
    assert first["plans"] == 5
    assert first["updates"] > 0
    assert demo.load_demo() == {"plans": 0, "updates": 0}
    plans = Plan.objects.filter(framework_code="province-dx")
    assert sorted(p.unit.code for p in plans if p.unit) == ["01", "31", "48", "66", "79"]
    for plan in plans:
        statuses = set(plan.tasks.values_list("status", flat=True))
        assert "done" in statuses, plan
        assert plan.tasks.count() == 36
    done = {p.unit.code: p.tasks.filter(status="done").count() for p in plans if p.unit}
    assert done["01"] > done["79"]
    assert not Task.objects.filter(plan__in=plans, status="done").exclude(progress=100).exists()
