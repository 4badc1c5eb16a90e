"""The one versioned API (``/api/v1``); each app contributes a router."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from thuocdo.api.auth import ApiAuthError
from thuocdo.api.errors import field_errors

api = NinjaAPI(
    title="Thước đo API",
    version="1",
    description="Đo lường chuyển đổi số và kinh tế số — Measuring digital transformation and the digital economy.",
    urls_namespace="api-1",
)


@api.exception_handler(NinjaValidationError)
def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": _("The request is not valid."), "errors": field_errors(list(exc.errors))},
        status=422,
    )


@api.exception_handler(ValidationError)
def _django_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": field, "message": str(msg), "type": "invalid"}
            for field, messages in exc.message_dict.items()
            for msg in messages
        ]
    else:
        errors = [{"field": "", "message": str(msg), "type": "invalid"} for msg in exc.messages]
    return api.create_response(
        request, {"detail": _("The request is not valid."), "errors": errors}, status=422
    )


@api.exception_handler(ApiAuthError)
def _auth_error(request: HttpRequest, exc: ApiAuthError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=401)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": _("Authentication required: send a bearer token or log in.")},
        status=401,
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or _("You do not have permission to do this.")
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = str(exc) or _("Not found.")
    return api.create_response(request, {"detail": message}, status=404)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(request, {"detail": _("The request body is too large.")}, status=413)


@api.exception_handler(DataError)
def _unstorable(request: HttpRequest, exc: DataError) -> HttpResponse:
    # A value the database cannot store (e.g. a NUL character in text on PostgreSQL).
    return api.create_response(
        request,
        {
            "detail": _("The request is not valid."),
            "errors": [{"field": "", "message": _("Invalid value."), "type": "invalid"}],
        },
        status=422,
    )


@api.exception_handler(OverflowError)
def _too_large(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # A whole number beyond what the database stores (an id of 10**20 on SQLite).
    return api.create_response(
        request,
        {
            "detail": _("The request is not valid."),
            "errors": [{"field": "", "message": _("Value is too large."), "type": "invalid"}],
        },
        status=422,
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


# (prefix, module): each module has a ``router``. The public portal's read-only API is
# mounted at /api/v1/public.
ROUTERS = (
    ("/geo", "thuocdo.geo.api"),
    ("/accounts", "thuocdo.accounts.api"),
    ("/frameworks", "thuocdo.frameworks.api"),
    ("/assessments", "thuocdo.assessments.api"),
    ("/analytics", "thuocdo.analytics.api"),
    ("/public", "thuocdo.publishing.api"),
    ("/ecosystem", "thuocdo.ecosystem.api"),
    ("/indicators", "thuocdo.indicators.api"),
    ("/plans", "thuocdo.plans.api"),
    ("/dti", "thuocdo.dti.api"),
)


def _mount() -> None:
    import importlib

    for prefix, module in ROUTERS:
        api.add_router(prefix, importlib.import_module(module).router)


_mount()
