"""API router of the publishing app, mounted at /api/v1/publishing."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["publishing"])
