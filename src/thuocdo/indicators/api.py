"""API router of the indicators app, mounted at /api/v1/indicators."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["indicators"])
