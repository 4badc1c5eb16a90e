"""Embedded default: SQLite in ./var, debug pages, console e-mail."""

from .base import *  # noqa: F403

DEBUG = True
WHITENOISE_USE_FINDERS = True
