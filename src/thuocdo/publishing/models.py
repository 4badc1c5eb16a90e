"""Models of the publishing app."""

from __future__ import annotations
