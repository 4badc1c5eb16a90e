"""Pages to browse and search administrative units."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from thuocdo.core.access import access
from thuocdo.geo import selectors
from thuocdo.geo.models import Structure


@access("public")
def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    structure = request.GET.get("structure", Structure.CURRENT)
    if structure not in Structure.values:
        structure = Structure.CURRENT
    results = selectors.unit_search(query, structure=structure, limit=50) if query else None
    context = {
        "query": query,
        "structure": structure,
        "results": results,
        "provinces": selectors.provinces(structure=structure),
        "counts": selectors.unit_counts(),
        "structures": Structure.choices,
    }
    template = "geo/_results.html" if request.headers.get("HX-Request") else "geo/index.html"
    return render(request, template, context)


@access("public")
def unit_detail(request: HttpRequest, structure: str, code: str) -> HttpResponse:
    unit = selectors.unit_get(code, structure=structure)
    context = {
        "unit": unit,
        "ancestors": selectors.unit_ancestors(unit),
        "children": selectors.unit_children(unit),
        "current": selectors.legacy_to_current(unit) if structure == Structure.LEGACY else [],
        "legacy": selectors.current_to_legacy(unit) if structure == Structure.CURRENT else [],
    }
    return render(request, "geo/unit.html", context)
