"""Built-in and demo data loading, in dependency order. Each step is idempotent.

Every capability contributes a ``builtins.load()`` (data that ships with the product) and a
``demo.load_demo()`` (realistic synthetic data for ``thuocdo demo``); this module only fixes
the order in which they run.
"""

from __future__ import annotations

import importlib
from typing import Any

# (name, "module:function"), in dependency order.
BUILTIN_STEPS: tuple[tuple[str, str], ...] = (
    ("geo", "thuocdo.geo.services:geo_load_builtins"),
    ("frameworks", "thuocdo.frameworks.builtins:load"),
    ("indicators", "thuocdo.indicators.builtins:load"),
    ("plans", "thuocdo.plans.builtins:load"),
    ("dti", "thuocdo.dti.services:load"),
    ("ecosystem", "thuocdo.ecosystem.builtins:load"),
)

DEMO_STEPS: tuple[tuple[str, str], ...] = (
    ("assessments", "thuocdo.assessments.demo:load_demo"),
    ("national", "thuocdo.assessments.demo_national:load_demo"),
    ("analytics", "thuocdo.analytics.demo:load_demo"),
    ("ecosystem", "thuocdo.ecosystem.demo:load_demo"),
    ("indicators", "thuocdo.indicators.demo:load_demo"),
    ("plans", "thuocdo.plans.demo:load_demo"),
)


def _run(steps: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, target in steps:
        module, func = target.split(":")
        results[name] = getattr(importlib.import_module(module), func)()
    return results


def load_builtins() -> dict[str, Any]:
    return _run(BUILTIN_STEPS)


def load_demo_data() -> dict[str, Any]:
    """Realistic synthetic data for the demo (after the built-ins and the demo users); marks
    the database as holding demo data, so every page shows the "Illustrative data" badge."""
    from thuocdo.core.models import DemoData

    results = _run(DEMO_STEPS)
    if not DemoData.objects.exists():
        DemoData.objects.create()
    return results
