"""``thuocdo backup``: create, verify, restore and rotate backups."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from thuocdo.cli.common import fail, print_json, setup_django


def register(sub: Any) -> None:
    bk = sub.add_parser("backup", help="back up and restore the database and uploaded files")
    bk_sub = bk.add_subparsers(dest="backup_command", metavar="SUBCOMMAND")

    p = bk_sub.add_parser(
        "create", help="write a consistent, checksummed archive of the database and uploads"
    )
    p.add_argument("-o", "--output", required=True, type=Path, help="archive file to write")
    p.set_defaults(func=cmd_create)

    p = bk_sub.add_parser("verify", help="check an archive's integrity without restoring it")
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_verify)

    p = bk_sub.add_parser(
        "restore", help="restore an archive into an empty database (or any with --force)"
    )
    p.add_argument("file", type=Path)
    p.add_argument(
        "--force", action="store_true", help="replace a database that already holds data"
    )
    p.set_defaults(func=cmd_restore)

    p = bk_sub.add_parser(
        "rotate", help="make a new generation, copy it to a second place, keep the last N"
    )
    p.add_argument(
        "--dir", type=Path, default=None, help="folder of generations (default: BACKUP_DIR)"
    )
    p.add_argument(
        "--keep", type=int, default=None, help="generations to keep (default: BACKUP_KEEP)"
    )
    p.add_argument(
        "--copy-to", type=Path, default=None, help="second location (default: BACKUP_COPY_TO)"
    )
    p.set_defaults(func=cmd_rotate)
    bk.set_defaults(func=lambda args: bk.print_help() or 0)


def cmd_create(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.ops.backup import BackupError
    from thuocdo.ops.services import backup_create

    try:
        result = backup_create(output=args.output)
    except BackupError as exc:
        return fail(str(exc))
    print_json(result.summary())
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.ops.backup import BackupError
    from thuocdo.ops.services import (
        MSG_INTERRUPTED,
        STATUS_INTACT,
        backup_verify,
        restore_interrupted,
    )

    pending = restore_interrupted()
    if pending:
        sys.stderr.write(str(MSG_INTERRUPTED) % {"file": pending} + "\n")
    try:
        result = backup_verify(path=args.file)
    except BackupError as exc:
        return fail(str(exc))
    print_json({**result.summary(), "status": str(STATUS_INTACT)})
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.ops.backup import BackupError
    from thuocdo.ops.services import STATUS_RESTORED, backup_restore

    try:
        result = backup_restore(path=args.file, force=args.force)
    except BackupError as exc:
        return fail(str(exc))
    print_json({**result.summary(), "status": str(STATUS_RESTORED)})
    return 0


def cmd_rotate(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings

    from thuocdo.ops.backup import BackupError
    from thuocdo.ops.services import backup_rotate

    directory = args.dir or Path(settings.BACKUP_DIR)
    keep = args.keep if args.keep is not None else settings.BACKUP_KEEP
    copy_to = args.copy_to or (Path(settings.BACKUP_COPY_TO) if settings.BACKUP_COPY_TO else None)
    try:
        print_json(backup_rotate(directory=directory, keep=keep, copy_to=copy_to))
    except BackupError as exc:
        return fail(str(exc))
    return 0
