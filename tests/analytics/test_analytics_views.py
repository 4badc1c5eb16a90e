"""Officer dashboards: drill-down, filters, scope, bad input, CSV downloads, report button."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client
from tests.analytics import factories as f


def _login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def _chart_data(html: str) -> dict[str, Any]:
    start = html.index('id="chart-data"')
    start = html.index(">", start) + 1
    end = html.index("</script>", start)
    return json.loads(html[start:end])


@pytest.mark.django_db
def test_dashboard_nation_then_province_then_commune(make_user: Any, client: Client) -> None:
    c, responses = f.populated_campaign(per_commune=6)
    _login(client, make_user("admin"))
    page = client.get(f"/analytics/{c.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    data = _chart_data(html)
    assert {t["code"] for t in data["map"]["tiles"]} >= {"01", "79"}
    assert len(data["map"]["tiles"]) == 34
    assert [u["code"] for u in data["units"]][:2] in (["01", "79"], ["79", "01"])
    assert len(data["levels"]) == 6
    assert len(data["pillars"]) == 6
    assert 'src="/static/thuocdo/analytics/dashboard.js"' in html
    assert "<script>" not in html  # no inline scripts
    prov = client.get(f"/analytics/{c.pk}/", {"province": "01"})
    assert prov.status_code == 200
    pdata = _chart_data(prov.content.decode())
    communes = {r.commune.code for r in responses if r.unit_path.startswith("2025/01/")}
    assert {u["code"] for u in pdata["units"]} == communes
    commune = sorted(communes)[0]
    one = client.get(f"/analytics/{c.pk}/", {"province": "01", "commune": commune})
    assert one.status_code == 200
    assert "Ranking of communes" in one.content.decode() or "Xếp hạng" in one.content.decode()


@pytest.mark.django_db
def test_province_officer_sees_only_its_province(make_user: Any, client: Client) -> None:
    c, _ = f.populated_campaign(per_commune=6)
    _login(client, make_user("province", unit="01"))
    page = client.get(f"/analytics/{c.pk}/")
    assert page.status_code == 200
    data = _chart_data(page.content.decode())
    assert {t["code"] for t in data["map"]["tiles"] if t["n"]} == {"01"}
    assert all(u["code"].isdigit() and len(u["code"]) == 5 for u in data["units"])
    other = client.get(f"/analytics/{c.pk}/", {"province": "79"})
    assert other.status_code == 403
    csv_other = client.get(f"/analytics/{c.pk}/csv/units/", {"province": "79"})
    assert csv_other.status_code == 403


@pytest.mark.django_db
def test_province_officer_cannot_open_another_provinces_campaign(
    make_user: Any, client: Client
) -> None:
    c = f.campaign(area="79")
    _login(client, make_user("province", unit="01"))
    assert client.get(f"/analytics/{c.pk}/").status_code == 403


@pytest.mark.django_db
def test_anonymous_and_respondents_are_kept_out(make_user: Any, client: Client) -> None:
    c, _ = f.populated_campaign(per_commune=2)
    page = client.get(f"/analytics/{c.pk}/")
    assert page.status_code == 302
    assert "/accounts/login" in page["Location"]
    _login(client, make_user("respondent"))
    assert client.get(f"/analytics/{c.pk}/").status_code == 403
    assert client.get("/analytics/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"province": "99"}, "99"),
        ({"province": "1; drop"}, "province"),
        ({"sector": "khong-co"}, "khong-co"),
        ({"entity_type": "alien"}, "alien"),
        ({"size": "giant"}, "giant"),
        ({"year": "abcd"}, "abcd"),
        ({"year": "2019"}, "2019"),
        ({"commune": "00000"}, "00000"),
    ],
)
def test_bad_filters_get_a_400_with_a_message(
    make_user: Any, client: Client, params: dict[str, str], needle: str
) -> None:
    c, _ = f.populated_campaign(per_commune=2)
    _login(client, make_user("admin"))
    for url in (f"/analytics/{c.pk}/", f"/analytics/{c.pk}/csv/levels/"):
        page = client.get(url, params)
        assert page.status_code == 400
        body = page.content.decode()
        assert needle in body
        assert "chart-data" not in body


@pytest.mark.django_db
def test_every_chart_has_a_csv_download(make_user: Any, client: Client) -> None:
    c, _ = f.populated_campaign(per_commune=6)
    _login(client, make_user("admin"))
    page = client.get(f"/analytics/{c.pk}/").content.decode()
    for chart in ("map", "levels", "pillars", "unmet", "units", "trend"):
        assert f"/analytics/{c.pk}/csv/{chart}/" in page
        resp = client.get(f"/analytics/{c.pk}/csv/{chart}/")
        assert resp.status_code == 200
        assert resp["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
        assert len(rows) >= 2
    units = list(
        csv.reader(
            io.StringIO(client.get(f"/analytics/{c.pk}/csv/units/").content.decode("utf-8-sig"))
        )
    )
    assert {r[1] for r in units[1:]} == {"01", "79"}
    assert client.get(f"/analytics/{c.pk}/csv/nope/").status_code == 404


@pytest.mark.django_db
def test_sector_filter_changes_the_numbers(make_user: Any, client: Client) -> None:
    c, responses = f.populated_campaign(per_commune=6)
    _login(client, make_user("admin"))
    all_rows = list(
        csv.reader(
            io.StringIO(client.get(f"/analytics/{c.pk}/csv/units/").content.decode("utf-8-sig"))
        )
    )
    tour = list(
        csv.reader(
            io.StringIO(
                client.get(f"/analytics/{c.pk}/csv/units/", {"sector": "tourism"}).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    n_all = sum(int(r[3]) for r in all_rows[1:])
    n_tour = sum(int(r[3]) for r in tour[1:])
    assert n_all == len(responses)
    assert n_tour == sum(1 for r in responses if r.sector == "tourism")


@pytest.mark.django_db
def test_trend_flags_a_version_change(make_user: Any, client: Client) -> None:
    from thuocdo.frameworks.models import FrameworkVersion

    c1, _ = f.populated_campaign(per_commune=6, year=2024)
    fv = f.framework()
    newer = FrameworkVersion.objects.create(
        code=fv.code,
        version="2026.1",
        status="published",
        name_vi=fv.name_vi,
        sector=fv.sector,
        entity_types=fv.entity_types,
        definition=fv.definition,
        content_hash=fv.content_hash,
    )
    c2 = f.campaign(year=2025, fv=newer)
    commune = f.communes_of("01", 1)[0]
    f.stratum(c2, commune, "enterprise", "small", 10)
    for i in range(6):
        f.response(c2, commune=commune, seed=i)
    _login(client, make_user("admin"))
    data = _chart_data(client.get(f"/analytics/{c2.pk}/").content.decode())
    years = [t["year"] for t in data["trend"]]
    assert years == [2024, 2025]
    assert data["trend"][0]["version_changed"] is False
    assert data["trend"][1]["version_changed"] is True
    assert data["trend"][1]["change"] == pytest.approx(
        data["trend"][1]["mean"] - data["trend"][0]["mean"], abs=0.011
    )
    # the year filter shows the other year's campaign
    old = _chart_data(client.get(f"/analytics/{c2.pk}/", {"year": "2024"}).content.decode())
    assert sum(u["n"] for u in old["units"]) == 24
    assert c1.pk != c2.pk


@pytest.mark.django_db
def test_bad_filter_message_is_vietnamese(make_user: Any, client: Client) -> None:
    c, _ = f.populated_campaign(per_commune=1, provinces=("01",), communes=1)
    _login(client, make_user("admin"))
    body = client.get(f"/analytics/{c.pk}/", {"province": "99"}).content.decode()
    assert "Không có tỉnh/thành phố mã 99" in body


@pytest.mark.django_db
def test_year_filter_stays_in_the_campaign_area(make_user: Any, client: Client) -> None:
    # a Hà Nội campaign of the same criteria set in 2024 is not the nation's 2024
    c, _ = f.populated_campaign(per_commune=6, year=2025)
    local = f.campaign(area="01", year=2024)
    commune = f.communes_of("01", 1)[0]
    for i in range(6):
        f.response(local, commune=commune, seed=500 + i)
    _login(client, make_user("admin"))
    page = client.get(f"/analytics/{c.pk}/")
    assert page.status_code == 200
    assert 'value="2024"' not in page.content.decode()
    resp = client.get(f"/analytics/{c.pk}/", {"year": "2024"})
    assert resp.status_code == 400
    assert "2024" in resp.content.decode()
    # the Hà Nội campaign does not offer the nation's 2025 either
    assert 'value="2025"' not in client.get(f"/analytics/{local.pk}/").content.decode()
    assert client.get(f"/analytics/{local.pk}/", {"year": "2025"}).status_code == 400


@pytest.mark.django_db
def test_the_dashboard_says_how_fresh_its_copy_is(make_user: Any, client: Client) -> None:
    from django.utils import timezone

    from thuocdo.analytics.models import Snapshot

    c, _responses = f.populated_campaign(per_commune=6)
    _login(client, make_user("admin"))
    client.get(f"/analytics/{c.pk}/")
    made = timezone.localtime(Snapshot.objects.get(campaign=c).refreshed_at)
    Snapshot.objects.filter(campaign=c).update(
        refreshed_at=made.replace(year=2026, month=3, day=9, hour=8, minute=5)
    )
    from thuocdo.analytics import store

    store._FRAMES.clear()
    html = client.get(f"/analytics/{c.pk}/").content.decode()
    assert "Số liệu tính đến 09/03/2026 08:05" in html
