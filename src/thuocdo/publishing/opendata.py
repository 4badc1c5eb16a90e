"""Open data: published aggregates as flat tables (CSV, XLSX, Parquet) with a dictionary.

Every table is built from ``analytics.selectors.aggregate(public=True)``, so small cells are
already suppressed (null values, ``suppressed`` true) before anything is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import polars as pl
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thuocdo.accounts.scopes import ANONYMOUS_SCOPE
from thuocdo.analytics import selectors, store
from thuocdo.analytics.params import Slice
from thuocdo.core.spreadsheet import neutralise, workbook_bytes

DATASETS: dict[str, tuple[str, ...]] = {
    "province": ("province",),
    "province-sector": ("province", "sector"),
    "province-entity-size": ("province", "entity_type", "size"),
    "commune": ("province", "commune"),
    "nation-sector": ("sector",),
}
FORMATS = ("csv", "xlsx", "parquet")

# column → (meaning, unit); level_<k>_share and pillar_<code> columns repeat per level/pillar
DICTIONARY: list[tuple[str, Any, Any]] = [
    ("campaign_id", gettext_lazy("Campaign identifier"), gettext_lazy("id")),
    ("year", gettext_lazy("Year of the campaign"), gettext_lazy("year")),
    (
        "framework",
        gettext_lazy("Criteria set code@version the scores were computed with"),
        gettext_lazy("text"),
    ),
    ("province", gettext_lazy("Province code (current structure, 2025)"), gettext_lazy("code")),
    ("commune", gettext_lazy("Commune code (current structure, 2025)"), gettext_lazy("code")),
    ("sector", gettext_lazy("Sector of the organisations"), gettext_lazy("text")),
    ("entity_type", gettext_lazy("Type of organisation"), gettext_lazy("text")),
    ("size", gettext_lazy("Size class (micro, small, medium, large)"), gettext_lazy("text")),
    (
        "n",
        gettext_lazy("Number of respondents (submitted or verified responses)"),
        gettext_lazy("organisations"),
    ),
    (
        "population",
        gettext_lazy("Population of organisations represented (sum of weights)"),
        gettext_lazy("organisations"),
    ),
    ("response_rate", gettext_lazy("Respondents divided by population"), gettext_lazy("ratio 0–1")),
    ("mean", gettext_lazy("Weighted mean overall score"), gettext_lazy("points 0–100")),
    (
        "ci_low",
        gettext_lazy("Lower end of the 95% confidence interval of the mean"),
        gettext_lazy("points 0–100"),
    ),
    (
        "ci_high",
        gettext_lazy("Upper end of the 95% confidence interval of the mean"),
        gettext_lazy("points 0–100"),
    ),
    ("cv", gettext_lazy("Coefficient of variation of the mean"), gettext_lazy("ratio")),
    ("quality", gettext_lazy("Precision flag: ok, caution or unreliable"), gettext_lazy("text")),
    (
        "level_<k>_share",
        gettext_lazy("Weighted share of organisations at level k"),
        gettext_lazy("ratio 0–1"),
    ),
    (
        "pillar_<code>",
        gettext_lazy("Weighted mean score of the pillar"),
        gettext_lazy("points 0–100"),
    ),
    (
        "suppressed",
        gettext_lazy(
            "True when the cell has fewer than 5 respondents: its values are not published"
        ),
        gettext_lazy("true/false"),
    ),
]


def dataset_rows(campaign_id: int, dataset: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns and rows of one open dataset of a published campaign."""
    by = DATASETS[dataset]
    res = selectors.aggregate(
        scope=ANONYMOUS_SCOPE, campaign_id=campaign_id, slice_=Slice(by=by), public=True
    )
    campaign = selectors.campaign_get(scope=ANONYMOUS_SCOPE, campaign_id=campaign_id, public=True)
    layout = store.layout_for(campaign.framework)
    columns = [
        "campaign_id", "year", "framework", *by, "n", "population", "response_rate", "mean",
        "ci_low", "ci_high", "cv", "quality",
        *[f"level_{k}_share" for k in layout.levels],
        *[f"pillar_{p}" for p in layout.pillars],
        "suppressed",
    ]  # fmt: skip
    rows = []
    for r in res["rows"]:
        row: dict[str, Any] = {
            "campaign_id": campaign.pk,
            "year": campaign.year,
            "framework": campaign.framework.label,
        }
        for k in (
            *by,
            "n",
            "population",
            "response_rate",
            "mean",
            "ci_low",
            "ci_high",
            "cv",
            "quality",
        ):
            row[k] = r.get(k)
        levels = r.get("levels") or {}
        for code in layout.levels:
            row[f"level_{code}_share"] = levels.get(str(code))
        pillars = r.get("pillars") or {}
        for p in layout.pillars:
            row[f"pillar_{p}"] = pillars.get(p)
        row["suppressed"] = bool(r.get("suppressed"))
        rows.append(row)
    return columns, rows


def render(columns: Sequence[str], rows: Sequence[dict[str, Any]], fmt: str) -> bytes:
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: "" if r.get(k) is None else neutralise(r.get(k)) for k in columns})
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(list(columns))
        for r in rows:
            ws.append([r.get(k) for k in columns])
        return workbook_bytes(wb)
    if fmt == "parquet":
        frame = pl.DataFrame(
            {k: [r.get(k) for r in rows] for k in columns},
            schema_overrides={
                k: pl.Float64
                for k in columns
                if k in ("population", "response_rate", "mean", "ci_low", "ci_high", "cv")
                or k.startswith(("level_", "pillar_"))
            },
            strict=False,
        )
        out = io.BytesIO()
        frame.write_parquet(out)
        return out.getvalue()
    raise ValueError(fmt)


def dictionary_rows() -> list[tuple[str, str, str]]:
    return [(c, str(m), str(u)) for c, m, u in DICTIONARY]


def dictionary_csv() -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([_("column"), _("meaning"), _("unit")])
    w.writerows(dictionary_rows())
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
