"""Models of the frameworks app."""

from __future__ import annotations
