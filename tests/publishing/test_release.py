"""A published campaign's release: figures frozen at publication, and every public URL reads
the released tables only (a filter list is refused, naming the parameter)."""

from __future__ import annotations

import io
from typing import Any

import polars as pl
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook
from tests.analytics import factories as f
from tests.pdf import pdf_text

from thuocdo.accounts.scopes import Scope
from thuocdo.analytics import release, selectors
from thuocdo.analytics.models import Release, ReleasedTable
from thuocdo.analytics.params import Slice
from thuocdo.assessments.models import Campaign
from thuocdo.assessments.services import campaign_publish

ADMIN = Scope(role="admin", user_id=1)
SENTINEL = 12.34


def _closed_campaign() -> Campaign:
    c = f.campaign(status="closed")
    for prov, counts in (("01", (9, 7)), ("79", (6, 3))):
        for commune, count in zip(f.communes_of(prov, 2), counts, strict=True):
            f.stratum(c, commune, "enterprise", "small", 10 * count)
            for i in range(count):
                f.response(c, commune=commune, seed=1000 * int(prov) + 10 * count + i)
    return c


def _public_bodies(client: Client, c: Campaign) -> dict[str, bytes]:
    urls = [
        f"/api/v1/public/campaigns/{c.pk}/aggregates?by=province",
        f"/api/v1/public/campaigns/{c.pk}/aggregates?by=commune&province=01",
        f"/api/v1/public/campaigns/{c.pk}/rankings",
        f"/api/v1/public/campaigns/{c.pk}/unmet",
        f"/public/{c.pk}/csv/map/",
        f"/public/{c.pk}/csv/units/?province=01",
        f"/public/{c.pk}/data/commune.csv",
    ]
    out = {}
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.content[:300])
        out[url] = resp.content
    return out


@pytest.mark.django_db
def test_published_figures_do_not_move_when_a_response_arrives(client: Client) -> None:
    c = _closed_campaign()
    campaign_publish(scope=ADMIN, actor=None, campaign=c)
    assert Release.objects.filter(campaign=c).exists()  # made by the publication itself
    before = _public_bodies(client, c)
    commune = f.communes_of("01", 1)[0]
    for i in range(6):  # a late batch, all of high scores
        f.response(c, commune=commune, seed=9000 + i, quality=0.95)
    cache.clear()
    release._TABLES.clear()  # a fresh process reads the database again
    release._RESULTS.clear()
    after = _public_bodies(client, c)
    assert after == before
    # the responses do count for officers, so the public figures did not move on their own
    live = selectors.aggregate(scope=ADMIN, campaign_id=c.pk, slice_=Slice())["rows"][0]
    frozen = client.get(f"/api/v1/public/campaigns/{c.pk}/aggregates").json()["items"][0]
    assert live["n"] == frozen["n"] + 6


def _public_patterns() -> list[str]:
    """Every route under /public/ and /api/v1/public/ in the URL configuration."""
    out: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and (route.startswith(("public/", "api/v1/public/"))):
                out.append(route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(out))


def _fill(route: str, c: Campaign) -> list[str]:
    route = route.lstrip("^").rstrip("$")
    route = route.replace("<int:campaign_id>", str(c.pk)).replace("<campaign_id>", str(c.pk))
    urls = ["/" + route]
    if "<str:chart>" in route:
        urls = [
            u.replace("<str:chart>", chart)
            for u in urls
            for chart in ("map", "units", "trend", "unmet", "levels", "pillars")
        ]
    if "<str:dataset>" in route:
        urls = [
            u.replace("<str:dataset>", d).replace("<str:fmt>", fmt)
            for u in urls
            for d in (
                "province",
                "commune",
                "province-sector",
                "province-entity-size",
                "nation-sector",
            )
            for fmt in ("csv", "xlsx", "parquet")
        ]
    return urls


def _text(url: str, body: bytes) -> str:
    if url.endswith(".xlsx") or "format=xlsx" in url:
        wb = load_workbook(io.BytesIO(body))
        return "\n".join(
            " ".join("" if v is None else str(v) for v in row)
            for ws in wb.worksheets
            for row in ws.iter_rows(values_only=True)
        )
    if url.endswith(".parquet"):
        return pl.read_parquet(io.BytesIO(body)).write_csv()
    if url.endswith("/report/") or "format=pdf" in url:
        return pdf_text(body)
    return body.decode("utf-8", errors="replace")


@pytest.mark.django_db
def test_every_public_url_reads_the_release_and_refuses_filter_lists(client: Client) -> None:
    c = _closed_campaign()
    campaign_publish(scope=ADMIN, actor=None, campaign=c)
    # mark the release: every released mean becomes the sentinel, so a value read from
    # anywhere else (the live copy, a cache) would show
    rel = Release.objects.get(campaign=c)
    for table in ReleasedTable.objects.filter(release=rel, kind="cells"):
        table.rows = [
            {**r, "mean": SENTINEL} if r.get("mean") is not None else r for r in table.rows
        ]
        table.save()
    release._TABLES.clear()
    release._RESULTS.clear()
    cache.clear()
    routes = _public_patterns()
    assert len(routes) >= 10, routes
    reads_filters = ("aggregates", "rankings", "unmet", "csv/", "/report/")
    shows_means = (
        "aggregates",
        "rankings",
        "csv/map",
        "csv/units",
        "csv/trend",
        "/data/",
        "/report/",
    )
    checked = 0
    for route in routes:
        for url in _fill(route, c):
            if "agencies/" in url:  # named results of agency campaigns: their own page
                continue
            plain = client.get(url)
            assert plain.status_code == 200, (url, plain.status_code)
            if any(s in url for s in shows_means) or url == f"/public/{c.pk}/":
                text = _text(url, plain.content)
                assert str(SENTINEL) in text or "12,34" in text, url
            listed = client.get(url, {"sector": "retail,manufacturing"})
            if any(s in url for s in reads_filters) or url == f"/public/{c.pk}/":
                assert listed.status_code == 400, (url, listed.status_code)
                assert b"sector" in listed.content, url
            else:
                assert listed.status_code in (200, 400), url
                # a page that takes no filter ignores the parameter (an HTML page differs
                # by its form token only)
                if listed.status_code == 200 and "html" not in listed["Content-Type"]:
                    assert _text(url, listed.content) == _text(url, plain.content), url
            checked += 1
    assert checked >= 30


@pytest.mark.django_db
def test_a_grouping_outside_the_release_is_refused_naming_the_parameter(client: Client) -> None:
    c = _closed_campaign()
    campaign_publish(scope=ADMIN, actor=None, campaign=c)
    url = f"/api/v1/public/campaigns/{c.pk}/aggregates"
    resp = client.get(url, {"by": "sector,size"})
    assert resp.status_code == 400
    assert resp.json()["detail"].startswith("by: ")
    resp = client.get(url, {"sector": "retail", "size": "small"})
    assert resp.status_code == 400
    assert resp.json()["detail"].startswith("size: ")
    assert client.get(url, {"by": "commune,sector", "province": "01"}).status_code == 200
