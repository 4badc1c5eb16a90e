"""Fixtures of the ops tests (defined in ``fresh.py``, shared with the security tests)."""

from tests.ops.fresh import fresh_db

__all__ = ["fresh_db"]
