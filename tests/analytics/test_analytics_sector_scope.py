"""A ministry officer limited to some sectors sees only those sectors on every officer page,
CSV, report and API read of responses and analytics."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from tests.analytics import factories as f

from thuocdo.analytics.dashboard import CHARTS


@pytest.mark.django_db
def test_sector_limited_ministry_officer_walks_every_page_and_csv(
    client: Client, make_user: Callable[..., Any], token_for: Callable[..., Any]
) -> None:
    c = f.campaign(status="closed")
    commune = f.communes_of("01", 1)[0]
    f.stratum(c, commune, "enterprise", "small", 60)
    retail = [f.response(c, commune=commune, sector="retail", seed=i) for i in range(6)]
    # one manufacturing organisation, well above every retail score
    lone = f.response(
        c, commune=commune, sector="manufacturing", seed=99, quality=1.0, size="medium"
    )
    user = make_user(role="ministry", unit=None, sectors=["retail"])
    client.force_login(user)

    def rows(path: str, params: dict[str, str] | None = None) -> list[list[str]]:
        resp = client.get(path, params or {})
        assert resp.status_code == 200, (path, resp.status_code)
        return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))

    # the response list and detail pages
    page = client.get(f"/assessments/campaigns/{c.pk}/responses/").content.decode()
    assert lone.organisation.name not in page
    assert retail[0].organisation.name in page
    assert client.get(f"/assessments/responses/{lone.pk}/").status_code == 404
    assert client.get(f"/assessments/responses/{retail[0].pk}/").status_code == 200
    # the dashboard: the retail mean, never the mixed one; manufacturing not offered
    dash = client.get(f"/analytics/{c.pk}/").content.decode()
    assert "manufacturing" not in dash
    # every chart CSV, with and without a sector asked
    n_col = {"map": 2, "units": 3}
    for chart in CHARTS:
        table = rows(f"/analytics/{c.pk}/csv/{chart}/")
        if chart in n_col:
            counts = [int(r[n_col[chart]]) for r in table[1:] if r[n_col[chart]]]
            assert max(counts, default=0) == len(retail), (chart, table)
    refused = client.get(f"/analytics/{c.pk}/csv/units/", {"sector": "manufacturing"})
    assert refused.status_code in (400, 403)
    # the report
    xlsx = client.get(f"/analytics/{c.pk}/report/", {"format": "xlsx"})
    assert xlsx.status_code == 200
    summary = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    values = {r[0].value: r[1].value for r in summary.iter_rows() if r and r[0].value}
    assert len(retail) in values.values()
    # the API
    token = token_for(user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client.logout()
    listed = client.get("/api/v1/assessments/responses", {"campaign": c.pk}, **auth).json()
    assert "items" in listed, listed
    ids = {r["id"] for r in listed["items"]}
    assert ids == {r.pk for r in retail}
    assert client.get(f"/api/v1/assessments/responses/{lone.pk}", **auth).status_code == 404
    orgs = client.get("/api/v1/assessments/organisations", **auth).json()
    assert lone.organisation.pk not in {o["id"] for o in orgs["items"]}
