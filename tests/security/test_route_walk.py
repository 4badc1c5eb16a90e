"""The route walk sees an undecorated page and reports it by name (so the matrix fails)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import include, path
from tests.security.routes import ALLOWED, OFFICERS, page_routes

from thuocdo.core.access import access


def undeclared(request: HttpRequest) -> HttpResponse:
    return HttpResponse("x")


@access("officer")
def declared(request: HttpRequest, item_id: int) -> HttpResponse:
    return HttpResponse("y")


urlpatterns = [
    path("open/", undeclared, name="open"),
    path("inner/", include(([path("items/<int:item_id>/", declared, name="item")], "inner"))),
]


def test_an_undecorated_view_has_no_policy_and_is_named() -> None:
    with override_settings(ROOT_URLCONF=__name__):
        routes = {r.name: r for r in page_routes()}
    assert routes["open"].policy is None
    assert routes["inner:item"].policy == "officer"
    assert routes["inner:item"].params == ("item_id",)
    assert routes["inner:item"].url({"item_id": 7}) == "/inner/items/7/"


def test_policies_allow_what_the_access_module_says() -> None:
    assert ALLOWED["officer"] == OFFICERS
    assert "anonymous" not in ALLOWED["authenticated"]
    assert ALLOWED["admin"] == {"admin"}
    assert "respondent" in ALLOWED["respondent"] and "provider" not in ALLOWED["respondent"]
