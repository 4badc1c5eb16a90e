"""Fixtures of the security tests (fresh databases from ``tests/ops/fresh.py``)."""

from tests.ops.fresh import fresh_db

__all__ = ["fresh_db"]
