"""``thuocdo accounts``: set a password under the policy, see and lift login throttles."""

from __future__ import annotations

import argparse
import getpass
from typing import Any

from thuocdo.cli.common import command_group, fail, print_json, setup_django


def register(sub: Any) -> None:
    group = command_group(sub, "accounts", "accounts: passwords and login throttles")
    p = group.add_parser("password", help="set an account's password (the password policy applies)")
    p.add_argument("username")
    p.add_argument("--password", default=None, help="default: asked on the terminal")
    p.set_defaults(func=cmd_password)

    p = group.add_parser(
        "throttles", help="accounts and addresses throttled after failed logins (JSON)"
    )
    p.set_defaults(func=cmd_throttles)

    p = group.add_parser(
        "unthrottle", help="forget the failed logins of an account and/or an address (JSON)"
    )
    p.add_argument("username", nargs="?", default="")
    p.add_argument("--address", default="", help="a client address (IP)")
    p.set_defaults(func=cmd_unthrottle)


def cmd_password(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError

    from thuocdo.accounts.models import User
    from thuocdo.accounts.services import user_set_password

    user = User.objects.filter(username__iexact=args.username).first()
    if user is None:
        return fail(f"Không có tài khoản / no account: {args.username}")
    password = args.password if args.password is not None else getpass.getpass()
    try:
        user_set_password(scope=None, actor=None, user=user, password=password)
    except ValidationError as exc:
        return fail("--password: " + " ".join(exc.message_dict["password"]))
    print(f"Đã đặt mật khẩu / password set: {user.username}")
    return 0


def cmd_throttles(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.accounts.selectors import login_throttles

    print_json(
        [
            {"kind": t.kind, "key": t.key, "failures": t.failures, "wait_seconds": t.wait}
            for t in login_throttles()
        ]
    )
    return 0


def cmd_unthrottle(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError

    from thuocdo.accounts.services import login_throttle_lift

    try:
        count = login_throttle_lift(actor=None, username=args.username, ip=args.address)
    except ValidationError:
        return fail("Cần tên tài khoản hoặc --address / name an account or --address")
    print_json({"username": args.username, "address": args.address, "forgotten": count})
    return 0
