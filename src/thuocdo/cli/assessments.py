"""`thuocdo campaigns ...`: create, show and move assessment campaigns.

The ``campaigns`` parser is shared: other modules add subcommands to it through
:func:`campaigns_subparsers`.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from thuocdo.cli.common import command_group, fail, print_json, setup_django


def campaigns_subparsers(sub: Any) -> Any:
    """The ``campaigns`` sub-parsers of the top-level parser ``sub`` (created on first use)."""
    return command_group(sub, "campaigns", "assessment campaigns")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from None


def register(sub: Any) -> None:
    camp = campaigns_subparsers(sub)
    p = camp.add_parser("create", help="create a draft campaign (prints it as JSON)")
    p.add_argument("--framework", required=True, metavar="CODE@VERSION")
    p.add_argument(
        "--area",
        required=True,
        metavar="UNIT_CODE",
        help="current (2025) unit code, or VN for the whole country",
    )
    p.add_argument("--year", required=True, type=int, metavar="YYYY")
    p.add_argument("--name", required=True)
    p.add_argument("--entity-types", default=None, metavar="A,B", help="default: the set's")
    p.add_argument("--pilot", action="store_true", help="a pilot campaign")
    p.add_argument("--opens-on", type=_date, default=None, metavar="YYYY-MM-DD")
    p.add_argument("--closes-on", type=_date, default=None, metavar="YYYY-MM-DD")
    p.set_defaults(func=cmd_create)
    p = camp.add_parser(
        "list",
        help="campaigns with their criteria set, area, year, status and response counts (JSON)",
    )
    p.add_argument(
        "--status",
        choices=["draft", "open", "closed", "published"],
        default=None,
        help="only these",
    )
    p.add_argument(
        "--area", default=None, metavar="UNIT_CODE", help="only campaigns within this current unit"
    )
    p.add_argument("--year", type=int, default=None, metavar="YYYY")
    p.set_defaults(func=cmd_list)
    p = camp.add_parser("show", help="a campaign and its response counts by status (JSON)")
    p.add_argument("id", type=int)
    p.set_defaults(func=cmd_show)
    for action, help_text in (
        ("open", "open a draft campaign for answers"),
        ("close", "close an open campaign"),
        ("publish", "publish a closed campaign's results"),
    ):
        p = camp.add_parser(action, help=help_text)
        p.add_argument("id", type=int)
        p.set_defaults(func=cmd_transition, action=action)
    p = camp.add_parser(
        "named", help="publish an agency campaign's verified results by name, or stop (JSON)"
    )
    p.add_argument("id", type=int)
    p.add_argument("state", choices=["on", "off"])
    p.set_defaults(func=cmd_named)
    p = camp.add_parser("strata", help="import population counts per stratum from CSV")
    p.add_argument("id", type=int)
    p.add_argument("file", help="CSV: commune_code, entity_type, size_class, population")
    p.set_defaults(func=cmd_strata)
    agencies = command_group(sub, "agencies", "state agencies in the organisation registry")
    p = agencies.add_parser(
        "import", help="create or update agencies from a CSV/XLSX file, all rows or none (JSON)"
    )
    p.add_argument(
        "file",
        help="agency_code, name, entity_type, parent_code, commune_code "
        "[, admin_unit_code, address, contact_name, phone, email]",
    )
    p.set_defaults(func=cmd_agencies_import)


def _system() -> tuple[Any, Any]:
    from thuocdo.accounts.scopes import Scope

    return Scope(role="admin"), None


def campaign_json(campaign: Any) -> dict[str, Any]:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "framework": campaign.framework.label,
        "area": {"code": campaign.area_code, "name": campaign.area_name},
        "year": campaign.year,
        "entity_types": list(campaign.entity_types),
        "pilot": campaign.pilot,
        "opens_on": campaign.opens_on.isoformat() if campaign.opens_on else None,
        "closes_on": campaign.closes_on.isoformat() if campaign.closes_on else None,
        "status": campaign.status,
        "public_path": f"/assessments/c/{campaign.public_token}/",
        "published_at": campaign.published_at.isoformat() if campaign.published_at else None,
    }


def _errors(exc: Any) -> str:
    if hasattr(exc, "error_dict"):
        return "\n".join(f"{field}: {m}" for field, ms in exc.message_dict.items() for m in ms)
    return "\n".join(exc.messages)


def cmd_create(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from thuocdo.assessments import services
    from thuocdo.frameworks.models import FrameworkVersion

    code, _sep, version = args.framework.partition("@")
    fw = FrameworkVersion.objects.filter(code=code, version=version).first()
    if fw is None:
        return fail(f"Không có bộ tiêu chí {args.framework} (dạng CODE@VERSION).")
    types = (
        [t.strip() for t in args.entity_types.split(",") if t.strip()]
        if args.entity_types
        else None
    )
    scope, actor = _system()
    try:
        campaign = services.campaign_create(
            scope=scope,
            actor=actor,
            framework=fw,
            area_code=args.area,
            year=args.year,
            name=args.name,
            entity_types=types,
            pilot=args.pilot,
            opens_on=args.opens_on,
            closes_on=args.closes_on,
        )
    except (ValidationError, PermissionDenied) as exc:
        return fail(_errors(exc) if isinstance(exc, ValidationError) else str(exc))
    print_json(campaign_json(campaign))
    return 0


def _get(campaign_id: int) -> Any:
    from thuocdo.assessments.models import Campaign

    return Campaign.objects.select_related("framework", "area").filter(pk=campaign_id).first()


def cmd_list(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.assessments import selectors
    from thuocdo.geo.models import Unit

    scope, _actor = _system()
    area = None
    if args.area:
        area = Unit.objects.filter(structure="2025", code=args.area.strip()).first()
        if area is None:
            return fail(
                f"Không có đơn vị hành chính mã {args.area} (cơ cấu 2025) / "
                f"no current administrative unit has code {args.area}."
            )
    campaigns = list(
        selectors.campaign_list(scope=scope, status=args.status, year=args.year, within=area)
    )
    counts = selectors.campaign_response_counts_many(
        scope=scope, campaign_ids=[c.pk for c in campaigns]
    )
    print_json(
        [
            {
                "id": c.pk,
                "name": c.name,
                "framework": c.framework.label,
                "area": {"code": c.area_code, "name": c.area_name},
                "year": c.year,
                "pilot": c.pilot,
                "status": c.status,
                "responses": counts[c.pk],
            }
            for c in campaigns
        ]
    )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.assessments import selectors

    campaign = _get(args.id)
    if campaign is None:
        return fail(f"Không có đợt đánh giá số {args.id}.")
    scope, _actor = _system()
    data = campaign_json(campaign)
    data["responses"] = selectors.campaign_response_counts(scope=scope, campaign=campaign)
    data["strata"] = campaign.strata.count()
    print_json(data)
    return 0


def cmd_transition(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError

    from thuocdo.assessments import services

    campaign = _get(args.id)
    if campaign is None:
        return fail(f"Không có đợt đánh giá số {args.id}.")
    scope, actor = _system()
    target = {"open": "open", "close": "closed", "publish": "published"}[args.action]
    try:
        campaign = services.campaign_transition(
            scope=scope, actor=actor, campaign=campaign, to=target
        )
    except ValidationError as exc:
        return fail(_errors(exc))
    print_json(campaign_json(campaign))
    return 0


def cmd_named(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from thuocdo.assessments import services

    campaign = _get(args.id)
    if campaign is None:
        return fail(f"Không có đợt đánh giá số {args.id}.")
    scope, actor = _system()
    try:
        campaign = services.campaign_set_named_publication(
            scope=scope, actor=actor, campaign=campaign, named=args.state == "on"
        )
    except (ValidationError, PermissionDenied) as exc:
        return fail(_errors(exc) if isinstance(exc, ValidationError) else str(exc))
    print_json({"id": campaign.pk, "publish_named": campaign.publish_named})
    return 0


def cmd_strata(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.assessments import services

    campaign = _get(args.id)
    if campaign is None:
        return fail(f"Không có đợt đánh giá số {args.id}.")
    try:
        with open(args.file, "rb") as fh:
            data = fh.read(services.campaigns.STRATA_MAX_BYTES + 1)
    except OSError as exc:
        return fail(f"Không đọc được tệp {args.file}: {exc.strerror}.")
    scope, actor = _system()
    try:
        result = services.campaign_strata_import(
            scope=scope, actor=actor, campaign=campaign, data=data
        )
    except services.StrataImportError as exc:
        print_json({"imported": 0, "errors": [r.to_dict() for r in exc.rows]})
        return 1
    print_json({"imported": result["strata"], "population": result["population"], "errors": []})
    return 0


def cmd_agencies_import(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from thuocdo.assessments import services
    from thuocdo.assessments.importing.messages import ImportRefused

    scope, actor = _system()
    try:
        result = services.agencies_import(scope=scope, actor=actor, path=args.file)
    except FileNotFoundError:
        return fail(f"Không có tệp {args.file}.")
    except ImportRefused as exc:
        return fail("\n".join(p.message("vi") for p in exc.problems))
    except (ValidationError, PermissionDenied) as exc:
        return fail(_errors(exc) if isinstance(exc, ValidationError) else str(exc))
    print_json(result.as_json())
    return 0
