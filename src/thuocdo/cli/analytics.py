"""`thuocdo` subcommands of the analytics capability: ``aggregate``, ``report``,
``analytics refresh`` and ``analytics national``."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from typing import Any

from thuocdo.cli.common import command_group, fail, print_json, setup_django
from thuocdo.core.spreadsheet import neutralise

ROW_FIELDS = ("n", "mean", "ci_low", "ci_high", "levels", "pillars")


def register(sub: Any) -> None:
    """Add this capability's subcommands to the parser."""
    p = sub.add_parser(
        "aggregate",
        help="weighted aggregates of a campaign with 95%% intervals (JSON or CSV)",
        description=(
            "Print one row per group: the grouping keys (unit codes or values), n, mean, "
            "ci_low, ci_high, levels (level code → weighted share) and pillars. With --public, "
            "cells with fewer than 5 respondents carry suppressed: true and null values."
        ),
    )
    p.add_argument("campaign_id", type=int, metavar="CAMPAIGN_ID")
    p.add_argument(
        "--by",
        default="",
        help="grouping keys, comma-separated: province, commune, sector, entity_type, size",
    )
    p.add_argument("--format", choices=["json", "csv"], default="json")
    p.add_argument("--public", action="store_true", help="apply small-cell suppression")
    for key in ("province", "commune", "sector", "entity_type", "size"):
        p.add_argument(
            f"--{key.replace('_', '-')}",
            dest=f"f_{key}",
            default=None,
            help=f"keep only these {key} values (comma-separated)",
        )
    p.add_argument(
        "--year", default=None, help="the campaign of the same criteria set in this year"
    )
    p.set_defaults(func=cmd_aggregate)

    r = sub.add_parser(
        "report",
        help="annual report of a campaign for the nation or a province (PDF or XLSX)",
    )
    r.add_argument("campaign_id", type=int, metavar="CAMPAIGN_ID")
    r.add_argument(
        "--area", default=None, metavar="UNIT_CODE", help="province code (default: the nation)"
    )
    r.add_argument("--format", choices=["pdf", "xlsx"], default="pdf")
    r.add_argument("-o", "--output", required=True, metavar="FILE")
    r.add_argument("--public", action="store_true", help="apply small-cell suppression")
    r.set_defaults(func=cmd_report)

    group = command_group(sub, "analytics", "the columnar copy the dashboards read")
    f = group.add_parser(
        "refresh",
        help="bring a campaign's columnar copy up to date (prints JSON)",
        description=(
            "Read the responses that changed since the last refresh (all of them with --full) "
            'and print one JSON line: {"campaign": id, "rows": n, "changed": k, "full": bool, '
            '"seconds": s}. rows is the number of responses in the copy, changed the number '
            "read or removed, full whether the whole campaign was read."
        ),
    )
    f.add_argument("campaign_id", type=int, metavar="CAMPAIGN_ID")
    f.add_argument("--full", action="store_true", help="read the whole campaign again")
    f.set_defaults(func=cmd_refresh)

    n = group.add_parser(
        "national",
        help="the national roll-up of the published provincial campaigns (prints JSON)",
        description=(
            "Combine the published provincial campaigns of one criteria-set version and year "
            "into one estimate per sector, entity type and level (the pooled respondents "
            "weighted as one campaign) and print JSON: cells (per grouping), overall, "
            "rankings, map, trend, provinces_covered and provinces_missing. With --public, "
            "the stored public roll-up: only released cells, suppressed with the provincial "
            "releases."
        ),
    )
    n.add_argument("--set", required=True, dest="code", metavar="CODE", help="criteria-set code")
    n.add_argument("--version", required=True, metavar="V", help="criteria-set version")
    n.add_argument("--year", required=True, type=int, metavar="YYYY")
    n.add_argument("--public", action="store_true", help="the public roll-up (released cells)")
    n.set_defaults(func=cmd_national)


def _messages(exc: Exception) -> str:
    from django.core.exceptions import ValidationError

    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "\n".join(f"{k}: {m}" for k, msgs in exc.message_dict.items() for m in msgs)
        return "\n".join(exc.messages)
    return str(exc)


def _flatten(
    row: dict[str, Any], keys: list[str], levels: list[str], pillars: list[str], public: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {k: row.get(k) for k in keys}
    out.update(
        n=row.get("n"), mean=row.get("mean"), ci_low=row.get("ci_low"), ci_high=row.get("ci_high")
    )
    lv = row.get("levels") or {}
    for code in levels:
        out[f"level_{code}"] = lv.get(code)
    pl = row.get("pillars") or {}
    for code in pillars:
        out[f"pillar_{code}"] = pl.get(code)
    if public:
        out["suppressed"] = row.get("suppressed", False)
    return out


def cmd_aggregate(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404

    from thuocdo.accounts.scopes import Scope
    from thuocdo.analytics import selectors, store
    from thuocdo.analytics.params import parse_slice

    params: dict[str, str] = {"by": args.by}
    for key in ("province", "commune", "sector", "entity_type", "size"):
        value = getattr(args, f"f_{key}")
        if value is not None:
            params[key] = value
    if args.year is not None:
        params["year"] = args.year
    try:
        slice_ = parse_slice(params)
        result = selectors.aggregate(
            scope=Scope(role="admin"),
            campaign_id=args.campaign_id,
            slice_=slice_,
            suppress=args.public,
        )
    except (ValidationError, PermissionDenied, Http404) as exc:
        return fail(_messages(exc))
    keys = list(slice_.by)
    rows = []
    for row in result["rows"]:
        item: dict[str, Any] = {k: row.get(k) for k in keys}
        item.update({k: row.get(k) for k in ROW_FIELDS})
        if args.public:
            item["suppressed"] = row.get("suppressed", False)
        rows.append(item)
    if args.format == "json":
        print_json(rows)
        return 0
    from thuocdo.assessments.models import Campaign

    layout = store.layout_for(Campaign.objects.get(pk=result["campaign"]).framework)
    levels = [str(k) for k in layout.levels]
    flat = [_flatten(r, keys, levels, list(layout.pillars), args.public) for r in result["rows"]]
    header = list(_flatten({}, keys, levels, list(layout.pillars), args.public))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for r in flat:
        writer.writerow({k: "" if v is None else neutralise(v) for k, v in r.items()})
    sys.stdout.write(buf.getvalue())
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404

    from thuocdo.accounts.scopes import Scope
    from thuocdo.analytics.report import build_report

    try:
        data = build_report(
            scope=Scope(role="admin"),
            campaign_id=args.campaign_id,
            area=args.area,
            fmt=args.format,
            public=args.public,
        )
    except (ValidationError, PermissionDenied, Http404) as exc:
        return fail(_messages(exc))
    with open(args.output, "wb") as fh:
        fh.write(data)
    sys.stdout.write(f"{args.output}\n")
    return 0


def cmd_national(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from thuocdo.accounts.scopes import Scope
    from thuocdo.analytics.national import national

    try:
        result = national(
            scope=Scope(role="admin"),
            code=args.code,
            version=args.version,
            year=args.year,
            public=args.public,
        )
    except (ValidationError, PermissionDenied) as exc:
        return fail(_messages(exc))
    print_json(result)
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    setup_django()
    from django.http import Http404

    from thuocdo.analytics.services import refresh_campaign

    started = time.perf_counter()
    try:
        result = refresh_campaign(args.campaign_id, full=args.full)
    except Http404 as exc:
        return fail(str(exc))
    out = {
        "campaign": result.campaign_id,
        "rows": result.rows,
        "changed": result.changed,
        "full": result.full,
        "seconds": round(time.perf_counter() - started, 3),
    }
    sys.stdout.write(json.dumps(out) + "\n")
    return 0
