"""Disclosure control against a determined reader: differencing of every pair and triple of
published cells (means, level shares, unmet criteria), the year view and the open-data files
recover nothing below the threshold."""

from __future__ import annotations

import random

import pytest
from django.test import Client
from tests.analytics import factories as f
from tests.publishing import attack

from thuocdo.assessments.models import Campaign

# respondents per commune and the rare sectors among them: skewed communes (one of 1, one
# of 3), a manufacturing organisation alone in its commune, tourism pairs, and a few medium
# organisations (a rare size class) cutting across the communes
SHAPE = {
    "01": [
        (14, {"tourism": 2, "manufacturing": 1}),
        (7, {"tourism": 1}),
        (3, {}),
    ],
    "79": [
        (11, {"manufacturing": 1, "tourism": 3}),
        (6, {"tourism": 1}),
        (1, {}),
    ],
}
MEDIUM = {"01": 2, "79": 1}  # organisations of medium size, in the first commune


def generated_campaigns(years: tuple[int, ...] = (2024, 2025)) -> list[Campaign]:
    """Two published yearly campaigns of the same criteria set over the nation; the later
    year has one more respondent per commune."""
    out = []
    for y_i, year in enumerate(years):
        c = f.campaign(year=year, status="published", name=f"Đánh giá DN {year}")
        rnd = random.Random(year)
        for province, communes in SHAPE.items():
            units = f.communes_of(province, len(communes))
            for k, ((count, rare), commune) in enumerate(zip(communes, units, strict=True)):
                f.stratum(c, commune, "enterprise", "small", 8 * count + 5)
                sectors = [s for s, k in rare.items() for _ in range(k)]
                sectors += ["retail"] * (count + y_i - len(sectors))
                for sector in sectors:
                    f.response(
                        c,
                        commune=commune,
                        sector=sector,
                        seed=rnd.randint(0, 10**9),
                        quality=rnd.random(),
                    )
                if k == 0:
                    f.stratum(c, commune, "enterprise", "medium", 4 * MEDIUM[province])
                    for _ in range(MEDIUM[province]):
                        f.response(
                            c,
                            commune=commune,
                            size="medium",
                            seed=rnd.randint(0, 10**9),
                            quality=rnd.random(),
                        )
        out.append(c)
    return out


@pytest.mark.django_db
def test_differencing_released_cells_recovers_nothing(client: Client) -> None:
    campaigns = generated_campaigns()
    truth = attack.truth_of(campaigns)
    reader = attack.read_everything(client, campaigns, truth)
    found = attack.attack(reader)
    print(f"asked {reader.asked}, refused {reader.refused}, cells {len(reader.cells)}: {found}")
    assert not found.cells and not found.answers, str(found)


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["commune", "sector", "province"])
def test_public_filter_lists_are_refused_naming_the_parameter(client: Client, key: str) -> None:
    c = generated_campaigns(years=(2025,))[0]
    values = {
        "commune": ",".join(u.code for u in f.communes_of("01", 2)),
        "sector": "retail,tourism",
        "province": "01,79",
    }
    for path in ("aggregates", "unmet", "rankings"):
        resp = client.get(f"/api/v1/public/campaigns/{c.pk}/{path}", {key: values[key]})
        assert resp.status_code == 400, (path, resp.content)
        assert resp.json()["detail"].startswith(f"{key}: "), resp.json()
        assert "một giá trị" in resp.json()["detail"]
    page = client.get(f"/public/{c.pk}/", {key: values[key]})
    assert page.status_code == 400
    assert "một giá trị" in page.content.decode()
    assert client.get(f"/public/{c.pk}/csv/units/", {key: values[key]}).status_code == 400
    # one value is a published table
    one = values[key].split(",")[0]
    assert client.get(f"/api/v1/public/campaigns/{c.pk}/aggregates", {key: one}).status_code == 200
