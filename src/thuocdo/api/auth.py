"""API authentication: bearer tokens (``Authorization: Bearer td_…``) or the browser session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

from thuocdo.accounts.services import TokenError, token_authenticate


class ApiAuthError(Exception):
    """Authentication failed with a reason the client should see."""


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            user = token_authenticate(token)
        except TokenError as exc:
            raise ApiAuthError(str(exc)) from exc
        request.user = user
        return user

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization")
        if header is not None and not header.lower().startswith("bearer "):
            raise ApiAuthError(_("The Authorization header must be: Bearer <token>."))
        return super().__call__(request)


class SessionAuth(APIKeyCookie):
    """The logged-in browser session; state-changing calls also need the CSRF token."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


token_auth = TokenAuth()
session_auth = SessionAuth(csrf=True)
AUTH = [token_auth, session_auth]
