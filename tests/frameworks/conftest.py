"""Fixtures for the frameworks tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.frameworks.sets import set_text


@pytest.fixture
def write_set(tmp_path: Path) -> Callable[..., Path]:
    def write(filename: str = "set.yaml", **kw: object) -> Path:
        path = tmp_path / filename
        path.write_text(set_text(**kw), encoding="utf-8")  # type: ignore[arg-type]
        return path

    return write
