"""Template context shared by every page: the navigation and the viewer's scope."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from thuocdo.accounts.selectors import scope_for
from thuocdo.core.capabilities import navigation


def demo_data_present() -> bool:
    """Whether this database holds the demo's synthetic data (read when a page asks)."""
    from thuocdo.core.models import DemoData

    return DemoData.objects.exists()


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "viewer_scope": None,
            "nav_capabilities": navigation(),
            "demo_data": demo_data_present,
        }
    scope = scope_for(user)
    return {
        "viewer_scope": scope,
        "nav_capabilities": navigation(signed_in=True, officer=scope.is_officer),
        "demo_data": demo_data_present,
    }
