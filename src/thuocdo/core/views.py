"""The home page and friendly error pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from thuocdo.accounts.selectors import scope_for
from thuocdo.core.access import access
from thuocdo.core.capabilities import for_viewer


@access("public")
def home(request: HttpRequest) -> HttpResponse:
    signed_in = request.user.is_authenticated
    officer = signed_in and scope_for(request.user).is_officer
    caps = for_viewer(signed_in=signed_in, officer=officer)
    return render(request, "core/home.html", {"capabilities": caps})


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(
        request, 400, _("Bad request"), _("The request could not be understood or was too large.")
    )


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    message = (
        str(exception)
        if exception and str(exception)
        else _("You do not have permission to see this page.")
    )
    return _error(request, 403, _("Not allowed"), message)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    message = (
        str(exception)
        if exception and str(exception) and "Resolver404" not in repr(exception)
        else _("This page does not exist.")
    )
    return _error(request, 404, _("Not found"), message)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request, 500, _("Something went wrong"), _("The error was logged. Please try again later.")
    )


@access("public")
def health(request: HttpRequest) -> JsonResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
