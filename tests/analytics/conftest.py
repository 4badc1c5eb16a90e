"""Each test gets its own columnar store directory and an empty result cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.assessments.test_browser import phone  # noqa: F401  (360 px phone emulation)


@pytest.fixture(autouse=True)
def _analytics_store(tmp_path: Path, settings: Any) -> None:
    from django.core.cache import cache

    settings.ANALYTICS_STORE_DIR = tmp_path / "analytics-store"
    cache.clear()
