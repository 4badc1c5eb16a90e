"""Models of the ops app."""

from __future__ import annotations
