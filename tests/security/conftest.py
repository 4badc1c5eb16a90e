"""Fixtures of the security tests (fresh databases from ``tests/ops/fresh.py``; campaigns,
organisations and answers from the assessments tests)."""

from tests.assessments.conftest import admin_scope, good_answers, make_campaign, make_org, sme
from tests.ops.fresh import fresh_db

__all__ = ["admin_scope", "fresh_db", "good_answers", "make_campaign", "make_org", "sme"]
