"""`thuocdo` subcommands of the ecosystem capability."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from thuocdo.cli.common import fail, print_json, setup_django


def register(sub: Any) -> None:
    """Add this capability's subcommands to the parser."""
    p = sub.add_parser(
        "recommend",
        help="next-level plan and matching solutions for a response (JSON)",
        description=(
            "Print {level, next_level, solutions} for a stored response, or for ANSWERS.json "
            "scored with --framework CODE@VERSION or FILE.yaml."
        ),
    )
    p.add_argument(
        "target",
        metavar="RESPONSE_ID|ANSWERS.json",
        help="response id, or ANSWERS.json with --framework",
    )
    p.add_argument("--framework", help="criteria set: CODE@VERSION or a YAML file")
    p.add_argument("--sector", default="", help="sector of the respondent (with --framework)")
    p.add_argument("--entity-type", default="", help="entity type of the respondent")
    p.add_argument("--limit", type=int, default=10, help="number of solutions (default 10)")
    p.add_argument("--lang", choices=["vi", "en"], default="vi")
    p.set_defaults(func=cmd_recommend)

    cat = sub.add_parser("catalogue", help="solution catalogue: import, reminders, effects")
    csub = cat.add_subparsers(dest="catalogue_command", metavar="ACTION")
    imp = csub.add_parser("import", help="load providers and solutions from CSV/XLSX")
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--approve", action="store_true", help="approve the listings at once (else pending)"
    )
    imp.set_defaults(func=cmd_import)
    rem = csub.add_parser("remind", help="e-mail providers about stale connection requests")
    rem.add_argument("--days", type=int, default=None, help="stale after this many days")
    rem.set_defaults(func=cmd_remind)
    eff = csub.add_parser("effects", help="record score changes of adopting organisations")
    eff.set_defaults(func=cmd_effects)
    cat.set_defaults(func=lambda args: (cat.print_help(), 0)[1])


def _load_framework(spec: str) -> Any:
    from thuocdo.ecosystem import cli_text
    from thuocdo.frameworks.engine import FrameworkInvalid, load_framework_file
    from thuocdo.frameworks.models import FrameworkVersion, Status

    path = Path(spec)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        try:
            return load_framework_file(path)
        except FrameworkInvalid as exc:
            raise SystemExit(fail("\n".join(p.format() for p in exc.problems))) from exc
        except OSError as exc:
            raise SystemExit(fail(cli_text.cannot_read(spec, str(exc.strerror)))) from exc
    code, _, version = spec.partition("@")
    qs = FrameworkVersion.objects.filter(code=code).exclude(status=Status.DRAFT)
    fv = qs.filter(version=version).first() if version else qs.order_by("-published_at").first()
    if fv is not None:
        return fv.engine()
    from thuocdo.frameworks.builtins import builtin_files

    for builtin in builtin_files():  # a built-in set not loaded into this database yet
        fw = load_framework_file(builtin)
        if fw.code == code and (not version or fw.version == version):
            return fw
    raise SystemExit(fail(cli_text.no_framework(spec)))


def cmd_recommend(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import translation

    with translation.override(args.lang):  # the caller's language comes back afterwards
        return _recommend(args)


def _recommend(args: argparse.Namespace) -> int:
    from thuocdo.ecosystem import cli_text
    from thuocdo.ecosystem.recommend import result_dict
    from thuocdo.frameworks.engine import AnswersInvalid, check_answers

    if args.framework:
        fw = _load_framework(args.framework)
        try:
            answers = json.loads(Path(args.target).read_text(encoding="utf-8"))
        except OSError as exc:
            return fail(cli_text.cannot_read(args.target, str(exc.strerror)))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return fail(cli_text.not_json(args.target, str(exc)))
        sector, entity_type = args.sector, args.entity_type
    else:
        from thuocdo.assessments.models import Response

        if not args.target.isdigit():
            return fail(cli_text.response_id_needed())
        response = Response.objects.select_related("framework").filter(pk=int(args.target)).first()
        if response is None:
            return fail(cli_text.no_response(args.target))
        fw = response.framework.engine()
        answers = response.answers
        sector = args.sector or response.sector
        entity_type = args.entity_type or response.entity_type
    problems = check_answers(fw, answers)
    if problems:
        return fail("\n".join(str(p.message(args.lang)) for p in problems))
    try:
        out = result_dict(
            fw, answers, sector=sector, entity_type=entity_type, limit=args.limit, lang=args.lang
        )
    except AnswersInvalid as exc:
        return fail("\n".join(p.message(args.lang) for p in exc.problems))
    print_json(out)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.accounts.scopes import Scope
    from thuocdo.ecosystem.importer import ImportFailedError, catalogue_import

    try:
        result = catalogue_import(
            scope=Scope(role="admin"), actor=None, path=args.file, approve=args.approve
        )
    except ImportFailedError as exc:
        lines = [
            f"dòng {e.row}, cột {e.column or '-'}, giá trị «{e.value}»: {e.message}"
            for e in exc.errors
        ]
        return fail(f"{args.file}: không nhập gì vì có {len(exc.errors)} lỗi:\n" + "\n".join(lines))
    print_json({"providers": result.providers, "solutions": result.solutions})
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.ecosystem.connections import connection_remind_stale

    sent = connection_remind_stale(days=args.days)
    print_json({"reminded": sent})
    return 0


def cmd_effects(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.ecosystem.effects import effects_record

    print_json({"recorded": effects_record()})
    return 0
