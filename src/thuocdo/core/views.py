"""The home page and friendly error pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

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


def too_many_requests(request: HttpRequest, message: str, retry_after: int = 3600) -> HttpResponse:
    response = _error(request, 429, _("Too many attempts"), message)
    response["Retry-After"] = str(retry_after)
    return response


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


def _masked(address: str) -> str:
    name, _at, domain = address.partition("@")
    return (name[:1] + "•" * max(len(name) - 1, 2)) + "@" + domain


@csrf_exempt  # the token is the authority; mail clients POST here without a page (RFC 8058)
@access("public")
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe: the page asks once (a link scanner's GET changes nothing); a POST,
    from its button or from the mail client's own button, unsubscribes the address."""
    from thuocdo.core.mail import recipient_unsubscribe
    from thuocdo.core.models import MailRecipient

    lang = request.GET.get("lang", "")
    if lang not in {code for code, _name in settings.LANGUAGES}:
        lang = translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(lang):
        if request.method == "POST":
            recipient = recipient_unsubscribe(token=token)
        else:
            recipient = MailRecipient.objects.filter(token=token).first()
        if recipient is None:
            return _error(
                request,
                404,
                _("Not found"),
                _("This unsubscribe link is not valid. Check that it was copied whole."),
            )
        return render(
            request,
            "core/unsubscribe.html",
            {
                "address": _masked(recipient.address),
                "done": recipient.unsubscribed_at is not None,
                "lang": lang,
            },
        )
