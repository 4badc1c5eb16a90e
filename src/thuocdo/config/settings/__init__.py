"""Settings entry point: picks production or development settings from THUOCDO_ENV."""

import os

if os.environ.get("THUOCDO_ENV", "development") == "production":
    from .production import *  # noqa: F403
else:
    from .development import *  # noqa: F403
