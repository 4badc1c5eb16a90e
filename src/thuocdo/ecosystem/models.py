"""Models of the ecosystem app."""

from __future__ import annotations
