"""API router of the ecosystem app, mounted at /api/v1/ecosystem."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["ecosystem"])
