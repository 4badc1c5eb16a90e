"""URLs of the browser test: the product's URLs plus a one-time login link for Chromium.

Chromium started from the command line cannot log in through a form, so the browser test
serves this URL configuration (``ROOT_URLCONF`` is read on every request) and opens
``/__browser-login__/<token>/?next=…`` first. Only the tokens the test registers work.
"""

from __future__ import annotations

from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path

from thuocdo.accounts.models import User
from thuocdo.config import urls as product_urls

#: token → user id, filled by the test.
TOKENS: dict[str, int] = {}


def browser_login(request: HttpRequest, token: str) -> HttpResponse:
    user_id = TOKENS.pop(token, None)
    if user_id is None:
        raise Http404
    login(
        request, User.objects.get(pk=user_id), backend="django.contrib.auth.backends.ModelBackend"
    )
    target = request.GET.get("next", "/")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "/")


urlpatterns = [
    path("__browser-login__/<str:token>/", browser_login),
    *product_urls.urlpatterns,
]
handler400 = product_urls.handler400
handler403 = product_urls.handler403
handler404 = product_urls.handler404
handler500 = product_urls.handler500
