"""Project-wide commands: demo, serve, migrate, load-builtins, createadmin, check, worker."""

from __future__ import annotations

import argparse
import secrets
from typing import Any

from thuocdo.cli.common import fail, print_json, setup_django


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="migrate, load built-in and demo data, create an admin, serve")
    p.add_argument(
        "--addr", default="127.0.0.1:8000", help="address to serve on (default %(default)s)"
    )
    p.add_argument(
        "--no-serve", action="store_true", help="prepare everything but do not start the server"
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="serve the web application (development server)")
    p.add_argument(
        "--addr", default="127.0.0.1:8000", help="address to serve on (default %(default)s)"
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("migrate", help="create or update the database tables")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser(
        "load-builtins", help="load built-in data (units, criteria sets, indicators, plans)"
    )
    p.set_defaults(func=cmd_load_builtins)

    p = sub.add_parser(
        "createadmin", help="create (or reset) a system administrator and print the credentials"
    )
    p.add_argument("--username", default="admin")
    p.add_argument("--password", default=None, help="default: a new random password")
    p.set_defaults(func=cmd_createadmin)

    p = sub.add_parser("check", help="run the system checks (add --deploy for production checks)")
    p.add_argument("--deploy", action="store_true")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("worker", help="run the background job worker")
    p.add_argument("--workers", type=int, default=2)
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("manage", help="run a Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)


def check_address(addr: str) -> None:
    """Refuse, before any work, an address the server could not listen on (one line)."""
    import errno
    import socket

    from thuocdo.config.setup_errors import SetupError

    host, sep, port_text = addr.rpartition(":")
    host = (host if sep else "127.0.0.1").strip("[]") or "127.0.0.1"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SetupError("bad_address", addr=addr, reason="PORT 1–65535")
    port = int(port_text)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise SetupError(
                    "port_in_use", host=host, port=port, other=port + 1 if port < 65535 else 8000
                ) from None
            raise SetupError("bad_address", addr=addr, reason=exc.strerror or str(exc)) from None


def _call(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def cmd_migrate(args: argparse.Namespace) -> int:
    setup_django()
    _call("migrate", "--no-input", "-v", "1")
    return 0


def cmd_load_builtins(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.core.builtins import load_builtins

    print_json(load_builtins())
    return 0


def cmd_createadmin(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError

    from thuocdo.accounts.demo import ensure_admin
    from thuocdo.accounts.services import check_password

    password = args.password or secrets.token_urlsafe(12)
    try:
        check_password(password)
    except ValidationError as exc:
        return fail("--password: " + " ".join(exc.message_dict["password"]))
    ensure_admin(username=args.username, password=password)
    print(f"Quản trị / Admin: {args.username}  mật khẩu / password: {password}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    setup_django()
    if args.deploy:
        _call("check", "--deploy", "--fail-level", "WARNING")
    else:
        _call("check")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    check_address(args.addr)
    setup_django()
    _call("runserver", args.addr, "--noreload")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    setup_django()
    _call("run_huey", "--workers", str(args.workers))
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["thuocdo manage", *args.rest])
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    if not args.no_serve:
        check_address(args.addr)
    setup_django()
    from thuocdo.accounts.demo import ensure_admin, ensure_demo_users
    from thuocdo.core.builtins import load_builtins, load_demo_data

    _call("migrate", "--no-input", "-v", "0")
    print("Đang nạp dữ liệu dựng sẵn / loading built-in data …", flush=True)
    print_json(load_builtins())
    password = secrets.token_urlsafe(12)
    ensure_admin(username="admin", password=password)
    users = ensure_demo_users(password=password)
    print_json(load_demo_data())
    print("\n  Thước đo demo: http://" + args.addr + "/")
    print(f"  Quản trị / Admin: admin  mật khẩu / password: {password}")
    for username in users:
        print(f"  Tài khoản thử / demo user: {username}  mật khẩu / password: {password}")
    print(flush=True)
    if args.no_serve:
        return 0
    _call("runserver", args.addr, "--noreload")
    return 0
