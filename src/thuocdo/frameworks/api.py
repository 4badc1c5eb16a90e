"""API router of the frameworks app, mounted at /api/v1/frameworks."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["frameworks"])
