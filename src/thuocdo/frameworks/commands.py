"""The commands behind ``thuocdo frameworks …`` and ``thuocdo score`` (see ``cli/frameworks.py``).

They run on the server as the system operator: they read every version (drafts too) and
write through the same services as the pages and the API, with ``actor=None``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from thuocdo.cli.common import print_json

# ---------------------------------------------------------------- helpers


class CommandFailedError(Exception):
    """Lines to print on stderr before exiting with status 1."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def _system_scope() -> Any:
    from thuocdo.accounts.scopes import Scope

    return Scope(role="admin")


def _problem_lines(exc: Any, lang: str) -> list[str]:
    return [p.format(lang) for p in exc.problems]


def _looks_like_file(spec: str) -> bool:
    return Path(spec).exists() or spec.lower().endswith((".yaml", ".yml"))


def _read_file(path: str) -> bytes:
    """The bytes of a criteria-set file, refusing files over the limit before reading them."""
    from thuocdo.frameworks.engine import FrameworkInvalid, Problem
    from thuocdo.frameworks.engine.loader import MAX_BYTES, read_bounded

    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise FrameworkInvalid(
                [Problem(path, "", "file.too_large", {"size": size, "limit": MAX_BYTES})]
            )
        with p.open("rb") as fh:
            return read_bounded(fh)
    except OSError as exc:
        raise FrameworkInvalid(
            [Problem(path, "", "file.unreadable", {"error": exc.strerror or str(exc)})]
        ) from None


def _stored(label: str) -> Any:
    """The engine criteria set of a stored ``code@version``, or of a built-in file when the
    database does not have it (e.g. before ``thuocdo migrate``)."""
    from django.db import DatabaseError
    from django.http import Http404
    from django.utils.translation import gettext as _

    from thuocdo.frameworks import selectors
    from thuocdo.frameworks.builtins import builtin_files
    from thuocdo.frameworks.engine import load_framework_file

    try:
        code, version = selectors.parse_label(label)
    except ValueError:
        raise CommandFailedError(
            [
                _(
                    "'%(spec)s' is neither a YAML file nor of the form code@version "
                    "(e.g. sme-dx@2025.1)."
                )
                % {"spec": label}
            ]
        ) from None
    try:
        return selectors.framework_version_get(
            scope=_system_scope(), code=code, version=version
        ).engine()
    except (Http404, DatabaseError):
        pass
    for path in builtin_files():
        fw = load_framework_file(path)
        if fw.code == code and fw.version == version:
            return fw
    raise CommandFailedError([_("There is no criteria set %(label)s.") % {"label": label}])


def _resolve(spec: str, lang: str) -> Any:
    """A criteria set from a YAML path or ``code@version``; CommandFailedError with its problems."""
    from thuocdo.frameworks.engine import FrameworkInvalid, load_framework_text

    if _looks_like_file(spec):
        try:
            return load_framework_text(_read_file(spec), spec)
        except FrameworkInvalid as exc:
            raise CommandFailedError(_problem_lines(exc, lang)) from None
    return _stored(spec)


def _version_out(v: Any, lang: str) -> dict[str, Any]:
    return {
        "label": v.label,
        "code": v.code,
        "version": v.version,
        "status": v.status,
        "name": v.name(lang),
        "sector": v.sector,
        "entity_types": list(v.entity_types),
        "pillars": v.pillar_count,
        "criteria": v.criterion_count,
        "builtin": v.builtin,
        "content_hash": v.content_hash,
        "based_on": v.based_on.label if v.based_on_id else None,
        "published_at": v.published_at.isoformat() if v.published_at else None,
    }


def run(func: Any, args: argparse.Namespace) -> int:
    """Run a command in the language asked for; a CommandFailedError prints its lines on
    stderr and exits 1."""
    from django.utils import translation

    with translation.override(args.lang):
        try:
            return int(func(args) or 0)
        except CommandFailedError as exc:
            for line in exc.lines:
                sys.stderr.write(line.rstrip() + "\n")
            return 1


# ---------------------------------------------------------------- commands


def cmd_list(args: argparse.Namespace) -> int:
    from thuocdo.frameworks import selectors

    rows = selectors.framework_version_list(
        scope=_system_scope(),
        sector=args.sector,
        entity_type=args.entity_type,
        status=args.status,
        code=args.code,
        lang=args.lang,
    )
    print_json([_version_out(v, args.lang) for v in rows])
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from django.http import Http404

    from thuocdo.frameworks import selectors

    try:
        v = selectors.framework_version_get_label(scope=_system_scope(), label=args.label)
    except Http404 as exc:
        raise CommandFailedError([str(exc)]) from None
    if args.yaml:
        from thuocdo.frameworks.yamltext import canonical_text

        sys.stdout.write(v.yaml_text or canonical_text(v.definition))
        return 0
    print_json({**_version_out(v, args.lang), "definition": v.definition})
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext as _

    from thuocdo.frameworks.engine import FrameworkInvalid, load_framework_text

    try:
        fw = load_framework_text(_read_file(args.file), args.file)
    except FrameworkInvalid as exc:
        if args.json:
            print_json(
                {
                    "file": args.file,
                    "valid": False,
                    "problems": [p.to_dict(args.lang) for p in exc.problems],
                }
            )
        else:
            for line in _problem_lines(exc, args.lang):
                sys.stdout.write(line + "\n")
            sys.stdout.write(
                _("%(file)s: %(count)d problem(s).")
                % {"file": args.file, "count": len(exc.problems)}
                + "\n"
            )
        return 1
    criteria = sum(len(p.criteria) for p in fw.pillars)
    if args.json:
        print_json({"file": args.file, "valid": True, "label": fw.key, "problems": []})
    else:
        sys.stdout.write(
            _("%(file)s: valid — %(label)s, %(pillars)d pillars, %(criteria)d criteria.")
            % {"file": args.file, "label": fw.key, "pillars": len(fw.pillars), "criteria": criteria}
            + "\n"
        )
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from thuocdo.frameworks.engine import FrameworkInvalid
    from thuocdo.frameworks.services import framework_version_load

    try:
        version, created = framework_version_load(
            actor=None,
            text=_read_file(args.file),
            source_name=args.file,
            publish=args.publish,
        )
    except FrameworkInvalid as exc:
        raise CommandFailedError(_problem_lines(exc, args.lang)) from None
    except ValidationError as exc:
        raise CommandFailedError([f"{args.file}: {m}" for m in exc.messages]) from None
    print_json({**_version_out(version, args.lang), "created": created})
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from thuocdo.frameworks.engine import diff

    old = _resolve(args.old, args.lang)
    new = _resolve(args.new, args.lang)
    print_json({"old": old.key, "new": new.key, **diff(old, new).to_dict()})
    return 0


def _read_answers(path: str) -> Any:
    """Parse ANSWERS.json (at most 5 MB, UTF-8, one JSON object without duplicate keys)."""
    from django.utils.translation import gettext as _

    from thuocdo.frameworks.engine.loader import MAX_BYTES, read_bounded

    def too_large(size: int) -> CommandFailedError:
        return CommandFailedError(
            [
                _("%(file)s: the file is too large (%(size)d bytes; the limit is %(limit)d).")
                % {"file": path, "size": size, "limit": MAX_BYTES}
            ]
        )

    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise too_large(size)
        with p.open("rb") as fh:
            raw = read_bounded(fh)
        if len(raw) > MAX_BYTES:
            raise too_large(len(raw))
    except OSError as exc:
        raise CommandFailedError(
            [
                _("%(file)s: cannot read the file: %(error)s.")
                % {"file": path, "error": exc.strerror or str(exc)}
            ]
        ) from None
    from thuocdo.frameworks.answers import AnswersFileError, parse_answers_json

    try:
        return parse_answers_json(raw, path)
    except AnswersFileError as exc:
        raise CommandFailedError(exc.lines) from None


def cmd_score(args: argparse.Namespace) -> int:
    from thuocdo.frameworks.engine import check_answers, score

    fw = _resolve(args.framework, args.lang)
    answers = _read_answers(args.answers)
    problems = check_answers(fw, answers)
    if problems:
        raise CommandFailedError([f"{args.answers}: {p.message(args.lang)}" for p in problems])
    print_json(score(fw, answers).to_json_dict())
    return 0
