"""The submission path reads its campaign and organisation in one round trip, with the same
result as reading them one by one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from thuocdo.assessments import selectors

pytestmark = pytest.mark.django_db

FIELDS = ("id", "name", "status", "unit_path", "entity_types", "pilot", "public_token", "year")
ORG_FIELDS = ("id", "tax_code", "entity_type", "size_class", "sector", "commune_id", "unit_path")


def test_one_query_gives_what_the_two_reads_give(
    make_campaign: Callable[..., Any], make_org: Callable[..., Any]
) -> None:
    campaign = make_campaign(entity_types=["enterprise"], pilot=True)
    org = make_org(entity_type="enterprise")
    with CaptureQueriesContext(connection) as queries:
        both = selectors.campaign_and_organisation_for_answering(campaign.pk, org.pk)
    assert len(queries) == 1
    alone = selectors.campaign_for_answering(campaign.pk)
    found = selectors.organisation_for_answering(org.pk)
    assert found is not None and both[1] is not None
    for name in FIELDS:
        assert getattr(both[0], name) == getattr(alone, name), name
    assert both[0].entity_types == ["enterprise"] and both[0].pilot is True
    assert both[0].framework.pk == alone.framework.pk == campaign.framework_id
    assert both[0].framework.content_hash == alone.framework.content_hash
    for name in ORG_FIELDS:
        assert getattr(both[1], name) == getattr(found, name) == getattr(org, name), name


def test_a_missing_organisation_is_none_and_a_missing_campaign_is_404(
    make_campaign: Callable[..., Any], make_org: Callable[..., Any]
) -> None:
    campaign = make_campaign()
    org = make_org()
    got, missing = selectors.campaign_and_organisation_for_answering(campaign.pk, org.pk + 10_000)
    assert got.pk == campaign.pk and missing is None
    with pytest.raises(Http404):
        selectors.campaign_and_organisation_for_answering(campaign.pk + 10_000, org.pk)
