"""Built-in and demo data loading, in dependency order. Each step is idempotent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _steps() -> list[tuple[str, Callable[[], Any]]]:
    from thuocdo.geo.services import geo_load_builtins

    return [("geo", geo_load_builtins)]


def load_builtins() -> dict[str, Any]:
    return {name: step() for name, step in _steps()}


def load_demo_data() -> dict[str, Any]:
    """Realistic synthetic data for the demo (filled in by the capabilities that have some)."""
    return {}
