"""Fixtures of the ops tests (defined in ``fresh.py``, shared with the security tests)."""

from tests.ops.fresh import builtin_db, builtins_template, fresh_db

__all__ = ["builtin_db", "builtins_template", "fresh_db"]
