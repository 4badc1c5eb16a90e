"""Models of the assessments app."""

from __future__ import annotations
