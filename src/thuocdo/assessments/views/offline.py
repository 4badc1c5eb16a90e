"""The installable offline form for door-to-door collection.

``/assessments/offline/`` is a small app (``offline.js``) that keeps answers on the device
(localStorage) and sends them, when back online, to ``POST /api/v1/assessments/responses``
with an ``Idempotency-Key`` made on the device, so a retry never duplicates. The service
worker (``/assessments/sw.js``, scope ``/assessments/``) caches the form, its scripts and
the criteria of the open campaigns (``/assessments/offline/campaigns.json``).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse

from thuocdo.accounts.selectors import require_officer, scope_for
from thuocdo.assessments import selectors
from thuocdo.assessments.domain.relevance import form_schema
from thuocdo.assessments.services.common import lang
from thuocdo.core.access import access

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "thuocdo" / "assessments"
CACHE_VERSION = "td-offline-v1"


@access("officer")
@login_required
def offline_form(request: HttpRequest) -> HttpResponse:
    require_officer(scope_for(request.user))
    get_token(request)
    return render(request, "assessments/offline.html", {})


@access("officer")
@login_required
def offline_campaigns(request: HttpRequest) -> JsonResponse:
    scope = scope_for(request.user)
    require_officer(scope)
    language = lang()
    out = []
    for campaign in selectors.campaign_list(scope=scope, status="open")[:20]:
        fw = campaign.framework.engine()
        out.append(
            {
                "id": campaign.pk,
                "name": campaign.name,
                "year": campaign.year,
                "area": campaign.area_name,
                "entity_types": list(campaign.entity_types),
                "form": form_schema(fw, language),
            }
        )
    return JsonResponse({"campaigns": out, "csrf": get_token(request)})


@access("public")
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": "Thước đo — Phiếu đánh giá ngoại tuyến",
        "short_name": "Thước đo",
        "lang": "vi",
        "start_url": reverse("assessments:offline"),
        "scope": "/assessments/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5394",
        "icons": [
            {"src": static("thuocdo/assessments/icon.svg"), "sizes": "any", "type": "image/svg+xml"}
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )


@access("public")
def service_worker(request: HttpRequest) -> HttpResponse:
    assets = [
        reverse("assessments:offline"),
        reverse("assessments:offline-campaigns"),
        static("thuocdo/app.css"),
        static("thuocdo/assessments/assessments.css"),
        static("thuocdo/assessments/relevance.js"),
        static("thuocdo/assessments/offline.js"),
        static("thuocdo/assessments/icon.svg"),
    ]
    body = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    body = body.replace("__CACHE__", CACHE_VERSION).replace("__ASSETS__", json.dumps(assets))
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/assessments/"
    response["Cache-Control"] = "no-cache"
    return response
