"""DTI pages: structures and published history; a province's or ministry's scorecard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from thuocdo.accounts.selectors import scope_for
from thuocdo.core.access import access
from thuocdo.dti import selectors


@access("public")
def index(request: HttpRequest) -> HttpResponse:
    context = {"structures": selectors.structures_list(), "history": selectors.history()}
    return render(request, "dti/index.html", context)


@login_required
@access("officer")
def card(request: HttpRequest, kind: str, code: str, year: int) -> HttpResponse:
    structure = request.GET.get("structure", "dti-province@405-2025")[:90]
    geo = request.GET.get("geo", "")[:10]
    scope = scope_for(request.user)
    try:
        data = selectors.scorecard(
            scope=scope, structure=structure, kind=kind, code=code, year=year, geo_structure=geo
        )
    except ValidationError as exc:  # no such province, ministry or structure: nothing to show
        raise Http404(" ".join(exc.messages)) from exc
    ranking = selectors.ranking(
        structure=structure, year=year, geo_structure=data["subject"]["structure"]
    )
    return render(request, "dti/card.html", {"card": data, "ranking": ranking})
