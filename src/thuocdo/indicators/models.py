"""Models of the indicators app."""

from __future__ import annotations
