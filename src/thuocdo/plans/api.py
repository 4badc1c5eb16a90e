"""API router of the plans app, mounted at /api/v1/plans."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["plans"])
