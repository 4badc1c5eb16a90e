"""API router of the assessments app, mounted at /api/v1/assessments."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["assessments"])
