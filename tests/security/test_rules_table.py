"""The rules are one source: every operation has one, and docs/security.md shows them as
they are in the code."""

from __future__ import annotations

import json
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import path
from tests.security.routes import page_routes

from thuocdo.core import rules
from thuocdo.core.access import access

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_and_api_operation_has_a_rule() -> None:
    assert rules.unruled() == []
    assert len(rules.rules()) == len(rules.all_routes()) >= 190


def test_every_operation_of_the_published_openapi_has_a_rule() -> None:
    schema = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    documented = {
        f"{method.upper()} {p}"
        for p, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    ruled = {r.name for r in rules.rules() if r.route.kind == "api"}
    assert documented == ruled


@access("officer")
def _item(request: HttpRequest, gadget_id: int) -> HttpResponse:
    return HttpResponse("x")


def _open(request: HttpRequest) -> HttpResponse:
    return HttpResponse("y")


urlpatterns = [path("gadgets/<int:gadget_id>/", _item), path("open/", _open, name="open")]


def test_a_new_operation_without_a_rule_is_named() -> None:
    with override_settings(ROOT_URLCONF=__name__):
        missing = rules.unruled(page_routes())
    assert "/gadgets/{gadget_id}/: no object rule for {gadget_id}" in missing
    assert "open: no @access policy" in missing


def test_the_rules_table_in_docs_security_md_is_current() -> None:
    document = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert rules.splice(document) == document, (
        "docs/security.md is stale: run python -m thuocdo.core.rules --write"
    )
    assert (
        "`PATCH /api/v1/ecosystem/solutions/{solution_id}` | changes | `provider_only`" in document
    )
