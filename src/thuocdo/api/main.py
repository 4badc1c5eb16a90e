"""The one versioned API (``/api/v1``); each app contributes a router."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from thuocdo.api.auth import ApiAuthError
from thuocdo.api.errors import field_errors


class ErrorOut(Schema):
    """The body of every refusal: what is wrong, in the request's language."""

    detail: str


class FieldErrorOut(Schema):
    field: str  # where: "body.name", "query.limit", or "" for the request as a whole
    message: str
    type: str


class ValidationErrorOut(Schema):
    """The body of a 422: the request as a whole, then each field that is wrong."""

    detail: str
    errors: list[FieldErrorOut]


# The refusals the shared handlers below (and ``core.middleware``) answer, documented on every
# operation they can reach: (status, description, body schema, when it applies).
_ERROR = "#/components/schemas/ErrorOut"
_INVALID = "#/components/schemas/ValidationErrorOut"
ERROR_RESPONSES: tuple[tuple[int, str, str, str], ...] = (
    (400, "Bad request: the address or a query value cannot be read", _ERROR, "all"),
    (401, "No credentials, or a token that is not valid", _ERROR, "secured"),
    (403, "Not allowed for this account, or outside its reach", _ERROR, "all"),
    (404, "No such object, or not one the caller may see", _ERROR, "all"),
    (413, "The request body is too large", _ERROR, "body"),
    (415, "The request body is not in a format the operation reads", _ERROR, "body"),
    (422, "The request is not valid: each wrong field named", _INVALID, "all"),
)


class ThuocdoAPI(NinjaAPI):
    """The API whose OpenAPI document lists the error answers of every operation, with the
    body each one carries, beside the success answers django-ninja documents."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ErrorOut, FieldErrorOut, ValidationErrorOut):
            out = model.model_json_schema(ref_template="#/components/schemas/{model}")
            out.pop("$defs", None)
            components[model.__name__] = out
        for item in schema["paths"].values():
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                # a body the schema names, or one read as it comes (a YAML upload)
                has_body = "requestBody" in operation or method in ("post", "put", "patch")
                for status, description, ref, when in ERROR_RESPONSES:
                    if when == "secured" and not operation.get("security"):
                        continue
                    if when == "body" and not has_body:
                        continue
                    responses.setdefault(
                        status,
                        {
                            "description": description,
                            "content": {"application/json": {"schema": {"$ref": ref}}},
                        },
                    )
        return schema


api = ThuocdoAPI(
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
