"""Login and logout pages, and officers' views of users and the audit log in their scope."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from thuocdo.accounts import selectors, services
from thuocdo.accounts.forms import LoginForm
from thuocdo.core.access import access
from thuocdo.core.clientip import client_ip


@access("public")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = None
    status = 200
    retry_after = 0
    if request.method == "POST":
        if form.is_valid():
            result = services.login_attempt(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
                request=request,
            )
            if result.user is not None:
                login(request, result.user)
                target = request.GET.get("next", "")
                if not url_has_allowed_host_and_scheme(
                    target, {request.get_host()}, request.is_secure()
                ):
                    target = "/"
                return redirect(target or "/")
            error = result.error
            status = 429 if result.locked else 401
            retry_after = result.retry_after
        else:
            status = 400
    response = render(request, "accounts/login.html", {"form": form, "error": error}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@access("public")
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        assert isinstance(request.user, services.User)
        services.logout_record(user=request.user, ip=client_ip(request))
    logout(request)
    return redirect("core:home")


@access("accounts")
@login_required
def users_view(request: HttpRequest) -> HttpResponse:
    scope = selectors.scope_for(request.user)
    page = Paginator(selectors.user_list(scope=scope), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/users.html", {"page": page})


@access("accounts")
@login_required
def user_detail_view(request: HttpRequest, user_id: int) -> HttpResponse:
    scope = selectors.scope_for(request.user)
    target = selectors.user_get(scope=scope, user_id=user_id)
    events = selectors.audit_list(
        scope=scope, object_type="accounts.user", object_id=str(target.pk)
    )[:50]
    return render(request, "accounts/user_detail.html", {"target": target, "events": events})


@access("officer")
@login_required
def audit_view(request: HttpRequest) -> HttpResponse:
    scope = selectors.scope_for(request.user)
    page = Paginator(selectors.audit_list(scope=scope), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit.html", {"page": page})
