"""Reads of criteria sets through the viewer's scope: lists, filters, get, previous, diff."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404
from tests.frameworks.sets import set_text

from thuocdo.accounts.scopes import ANONYMOUS_SCOPE, Scope
from thuocdo.accounts.selectors import scope_for
from thuocdo.core.text import vi_sort_key
from thuocdo.frameworks import selectors, services
from thuocdo.frameworks.builtins import builtin_files

pytestmark = pytest.mark.django_db


def labels(rows: list[Any]) -> list[str]:
    return [v.label for v in rows]


def test_builtins_are_published_and_listed_for_everyone() -> None:
    rows = selectors.framework_version_list(scope=ANONYMOUS_SCOPE)
    assert len(builtin_files()) == 13
    assert {v.code for v in rows} >= {
        "sme-dx", "retail-dx", "household-dx", "shop-dx", "market-dx", "destination-dx",
        "farm-dx", "cooperative-dx", "manufacturing-readiness", "logistics-dx", "dbi-1970",
    }  # fmt: skip
    assert all(v.status == "published" for v in rows if v.builtin)
    names = [v.name_vi for v in rows]
    assert names == sorted(names, key=vi_sort_key)


def test_filters() -> None:
    anyone = ANONYMOUS_SCOPE
    retail = selectors.framework_version_list(scope=anyone, sector="retail")
    assert {v.code for v in retail} == {"retail-dx", "household-dx", "shop-dx", "market-dx"}
    farms = selectors.framework_version_list(scope=anyone, entity_type="farm")
    assert labels(farms) == ["farm-dx@2025.1"]
    assert labels(selectors.framework_version_list(scope=anyone, code="sme-dx")) == [
        "sme-dx@2025.1"
    ]
    assert selectors.framework_version_list(scope=anyone, status="draft") == []
    facets = selectors.framework_version_facets(scope=anyone)
    assert {"general", "retail", "tourism"} <= set(facets["sectors"])
    assert "household_business" in facets["entity_types"]


def test_drafts_are_for_officers_in_sector(make_user: Any) -> None:
    services.framework_version_load(actor=None, text=set_text(sector="tourism"))
    tourism = scope_for(make_user("ministry", sectors=["tourism"]))
    retail = scope_for(make_user("ministry", sectors=["retail"]))
    province = scope_for(make_user("province", unit="48"))
    respondent = scope_for(make_user("respondent"))
    for scope, sees in [
        (tourism, True),
        (province, True),
        (Scope(role="admin"), True),
        (retail, False),
        (respondent, False),
        (ANONYMOUS_SCOPE, False),
    ]:
        rows = selectors.framework_version_list(scope=scope, status="draft")
        assert (labels(rows) == ["thu-nghiem@1"]) is sees, scope
        if sees:
            assert selectors.framework_version_get(scope=scope, code="thu-nghiem", version="1")
        else:
            with pytest.raises(Http404):
                selectors.framework_version_get(scope=scope, code="thu-nghiem", version="1")


def test_get_by_label() -> None:
    v = selectors.framework_version_get_label(scope=ANONYMOUS_SCOPE, label="sme-dx@2025.1")
    assert v.code == "sme-dx" and v.engine().key == "sme-dx@2025.1"
    for bad in ["sme-dx", "sme-dx@", "SME@1", "sme-dx@2099.9", "x@1; drop"]:
        with pytest.raises(Http404):
            selectors.framework_version_get_label(scope=ANONYMOUS_SCOPE, label=bad)


def test_previous_and_diff() -> None:
    v1, _ = services.framework_version_load(actor=None, text=set_text(), publish=True)
    v2 = services.framework_version_copy(actor=None, version=v1, new_version="2")
    v2, _ = services.framework_version_load(
        actor=None, text=set_text(version="2", basic=80, web_weight=3)
    )
    admin = Scope(role="admin")
    assert selectors.framework_version_previous(scope=admin, version=v2) == v1
    assert selectors.framework_version_previous(scope=admin, version=v1) is None
    # the draft is not visible to the public, so neither is its diff
    with pytest.raises(Http404):
        selectors.framework_version_diff(scope=ANONYMOUS_SCOPE, old=v1, new=v2)
    d = selectors.framework_version_diff(scope=admin, old=v1, new=v2).diff
    assert d.fields == {"version": {"old": "1", "new": "2"}}
    assert d.pillars_changed == {"web": {"weight": {"old": 2.0, "new": 3.0}}}
    (change,) = d.criteria_changed
    assert change.code == "W1"
    assert change.options.changed == {"basic": {"score": {"old": 50.0, "new": 80.0}}}
    assert d.affects_scores
    history = selectors.framework_version_history(scope=admin, code="thu-nghiem")
    assert labels(history) == ["thu-nghiem@2", "thu-nghiem@1"]
    assert labels(
        selectors.framework_version_history(scope=ANONYMOUS_SCOPE, code="thu-nghiem")
    ) == ["thu-nghiem@1"]
