"""API router of the analytics app, mounted at /api/v1/analytics."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["analytics"])
