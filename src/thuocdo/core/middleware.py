"""Security headers that Django does not set by itself."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Adds a strict Content-Security-Policy (no inline scripts) and a permissions policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/v1/docs"):
            # The interactive API explorer loads its scripts from files (no inline script) but
            # sets inline styles.
            response.headers.setdefault(
                "Content-Security-Policy",
                CONTENT_SECURITY_POLICY.replace(
                    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
                ),
            )
        else:
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"
        )
        return response


class Utf8QueryMiddleware:
    """Refuses a query string whose bytes are not UTF-8 with a 400 that says so (Django would
    otherwise replace them and pass on text the request never held)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = str(request.META.get("QUERY_STRING", ""))
        if raw:
            try:
                unquote_to_bytes(raw.encode("latin-1")).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                message = _("The address holds bytes that are not UTF-8 text.")
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=400)
                return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class IdleSessionMiddleware:
    """Ends a logged-in session after ``SESSION_IDLE_MINUTES`` without a request. The time of
    the last request is kept in the session and written at most once a minute."""

    KEY = "thuocdo_last_seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        import time

        from django.conf import settings
        from django.contrib.auth import logout

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            seen = request.session.get(self.KEY)
            idle = int(settings.SESSION_IDLE_MINUTES) * 60
            if isinstance(seen, int) and idle > 0 and now - seen > idle:
                from thuocdo.accounts.services import session_expired

                session_expired(user=user)
                logout(request)
            elif not isinstance(seen, int) or now - seen >= 60:
                request.session[self.KEY] = now
        return self.get_response(request)
