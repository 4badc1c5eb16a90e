"""`thuocdo import` and the offline-collection commands `thuocdo campaigns template|xlsform`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from thuocdo.cli.common import command_group, fail, print_json, setup_django


def _campaigns_subparsers(sub: Any) -> Any:
    """The subcommands of `thuocdo campaigns` (created here if no other module made it)."""
    return command_group(sub, "campaigns", "assessment campaigns")


def register(sub: Any) -> None:
    """Add the import commands to the parser."""
    p = sub.add_parser(
        "import",
        help="Nhập hàng loạt phiếu trả lời từ CSV/XLSX/KoboToolbox / bulk-import responses",
        description=(
            "Nhập phiếu trả lời của một đợt đánh giá từ CSV, XLSX, tệp xuất KoboToolbox/ODK, hoặc"
            " kéo trực tiếp từ máy chủ KoboToolbox/ODK Central (--from-kobo, --from-central). "
            'In JSON {"imported", "duplicates", "updated", "errors"} (khi kéo: thêm "source",'
            ' "since", "fetched"); mã thoát 0 khi đã nhập, 1 khi dữ liệu không hợp lệ và không'
            " ghi gì, 2 khi không lấy được dữ liệu từ máy chủ (không ghi gì). / Import responses"
            " from a file or pull them from a field server; prints JSON; exit 0 when the import"
            " happened, 1 when validation failed and nothing was written, 2 when the server"
            " could not be read (nothing written)."
        ),
    )
    p.add_argument("campaign_id", type=int, metavar="CAMPAIGN_ID")
    p.add_argument("file", type=Path, metavar="FILE", nargs="?")
    pull = p.add_argument_group(
        "kéo từ máy chủ thu thập / pull from a field server",
        "Thay cho FILE: lấy các bài nộp mới hoặc đã sửa kể từ lần kéo thành công trước"
        " (con trỏ lưu theo đợt và nguồn), rồi nhập như một tệp. / Instead of FILE: fetch the"
        " submissions new or edited since the last successful pull (a cursor per campaign and"
        " source), then import them as a file.",
    )
    pull.add_argument(
        "--from-kobo", metavar="URL", help="máy chủ KoboToolbox (https://kf.kobotoolbox.org)"
    )
    pull.add_argument("--asset", metavar="UID", help="mã biểu mẫu (asset uid) trên KoboToolbox")
    pull.add_argument(
        "--from-central", metavar="URL", help="máy chủ ODK Central (https://central.example.vn)"
    )
    pull.add_argument("--project", metavar="P", help="mã dự án ODK Central")
    pull.add_argument("--form", metavar="F", help="mã biểu mẫu (xmlFormId) ODK Central")
    pull.add_argument(
        "--token-env",
        metavar="VAR",
        help="biến môi trường chứa mã truy cập (Kobo: API token; Central: session token)",
    )
    pull.add_argument("--email-env", metavar="VAR", help="biến môi trường chứa email ODK Central")
    pull.add_argument(
        "--password-env", metavar="VAR", help="biến môi trường chứa mật khẩu ODK Central"
    )
    pull.add_argument(
        "--full",
        action="store_true",
        help="lấy lại mọi bài nộp, bỏ qua con trỏ (bài đã nhập là trùng hoặc sửa)"
        " / fetch every submission, ignoring the cursor",
    )
    pull.add_argument(
        "--timeout", type=float, default=60.0, help="giây chờ mỗi yêu cầu HTTP (mặc định 60)"
    )
    pull.add_argument(
        "--page-size", type=int, default=1000, help="số bài nộp mỗi trang (mặc định 1000)"
    )
    p.add_argument(
        "--mode",
        choices=("all-or-nothing", "valid-rows"),
        default="all-or-nothing",
        help="all-or-nothing (mặc định: có lỗi thì không ghi gì) hoặc valid-rows (ghi các dòng hợp lệ)",
    )
    p.add_argument(
        "--on-edit",
        choices=("update", "conflict"),
        default="update",
        help="một bài nộp đã nhập (cùng meta/instanceID, _uuid, KEY) có nội dung khác: update"
        " (mặc định: cập nhật phiếu, giữ lịch sử) hoặc conflict (báo xung đột, không ghi)"
        " / an already imported submission with changed content: update it or report a conflict",
    )
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="ngôn ngữ thông báo lỗi")
    p.add_argument(
        "--report", type=Path, help="ghi báo cáo lỗi đầy đủ ra tệp .csv hoặc .xlsx / error report"
    )
    p.add_argument(
        "--chunk-size", type=int, default=5000, help="số dòng ghi mỗi lần (tiến độ in ra stderr)"
    )
    p.add_argument("--max-errors", type=int, default=1000, help="số lỗi tối đa in trong JSON")
    p.set_defaults(func=_import)

    campaigns = _campaigns_subparsers(sub)
    t = campaigns.add_parser(
        "template",
        help="Tải mẫu nhập liệu (CSV/XLSX) của đợt đánh giá / import template",
        description="Mẫu nhập liệu của đợt đánh giá: dòng tiêu đề theo hợp đồng nhập liệu.",
    )
    t.add_argument("campaign_id", type=int, metavar="ID")
    t.add_argument("--format", choices=("csv", "xlsx"), default="xlsx")
    t.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    t.set_defaults(func=_template)
    x = campaigns.add_parser(
        "xlsform",
        help="Sinh biểu mẫu XLSForm (ODK Collect/KoboToolbox) / generate an XLSForm",
        description="Sinh biểu mẫu XLSForm từ bộ tiêu chí của đợt đánh giá để thu thập ngoại tuyến.",
    )
    x.add_argument("campaign_id", type=int, metavar="ID")
    x.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.xlsx")
    x.set_defaults(func=_xlsform)


def _campaign(campaign_id: int) -> Any:
    from thuocdo.assessments.models import Campaign

    return Campaign.objects.select_related("framework", "area").filter(pk=campaign_id).first()


def _import(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.assessments.importing.report import write_report
    from thuocdo.assessments.importing.services import responses_import

    sources = [x for x in (args.file, args.from_kobo, args.from_central) if x]
    if len(sources) != 1:
        return fail(
            "Cần đúng một nguồn: FILE, --from-kobo hoặc --from-central."
            " / Give exactly one source: FILE, --from-kobo or --from-central.",
            2,
        )
    campaign = _campaign(args.campaign_id)
    if campaign is None:
        return fail(f"Không có đợt đánh giá {args.campaign_id}. / No campaign {args.campaign_id}.")

    def progress(phase: str, done: int, total: int) -> None:
        line = json.dumps({"phase": phase, "processed": done, "total": total})
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    if args.file is None:
        return _pull(args, campaign, progress)
    if not args.file.is_file():
        return fail(f"Không tìm thấy tệp {args.file}. / File not found: {args.file}.")
    outcome = responses_import(
        actor=None,
        campaign=campaign,
        path=args.file,
        mode=args.mode,
        progress=progress,
        chunk_size=max(1, args.chunk_size),
        on_edit=args.on_edit,
    )
    if args.report and outcome.problems:
        write_report(outcome.problems, args.report, lang=args.lang)
    print_json(outcome.to_json(args.lang, limit=args.max_errors))
    return 0 if outcome.written else 1


def _env(var: str | None, what: tuple[str, str]) -> str:
    from thuocdo.assessments.importing.fieldservers import PullError

    value = os.environ.get(var or "", "").strip()
    if not value:
        raise PullError("pull.env_missing", var=var or "?", what=what[0], what_en=what[1])
    return value


def _source(args: argparse.Namespace) -> Any:
    """The field server of ``--from-kobo``/``--from-central``, credentials read from the
    environment (never from the command line, which other users of the machine can see)."""
    from thuocdo.assessments.importing.fieldservers import PullError, Source, normalise_server

    def needed(flag: str, value: str | None) -> str:
        if not value:
            raise PullError("pull.option_missing", option=flag)
        return value

    if args.from_kobo:
        return Source(
            "kobo",
            normalise_server(args.from_kobo),
            needed("--asset", args.asset),
            token=_env(needed("--token-env", args.token_env), ("mã API token", "the API token")),
            timeout=args.timeout,
            page_size=max(1, args.page_size),
        )
    server = normalise_server(args.from_central)
    form = f"{needed('--project', args.project)}/{needed('--form', args.form)}"
    if args.token_env:
        token = _env(args.token_env, ("mã phiên (session token)", "the session token"))
        return Source(
            "central",
            server,
            form,
            token=token,
            timeout=args.timeout,
            page_size=max(1, args.page_size),
        )
    if not (args.email_env and args.password_env):
        raise PullError("pull.option_missing", option="--email-env/--password-env | --token-env")
    return Source(
        "central",
        server,
        form,
        email=_env(args.email_env, ("email", "the e-mail")),
        password=_env(args.password_env, ("mật khẩu", "the password")),
        timeout=args.timeout,
        page_size=max(1, args.page_size),
    )


def _pull(args: argparse.Namespace, campaign: Any, progress: Any) -> int:
    from thuocdo.assessments.importing.fieldservers import PullError
    from thuocdo.assessments.importing.report import write_report
    from thuocdo.assessments.importing.services import responses_pull

    try:
        result = responses_pull(
            actor=None,
            campaign=campaign,
            source=_source(args),
            mode=args.mode,
            on_edit=args.on_edit,
            full=args.full,
            progress=progress,
            chunk_size=max(1, args.chunk_size),
        )
    except PullError as exc:
        return fail(f"{exc.message('vi')} / {exc.message('en')}", 2)
    if args.report and result.outcome.problems:
        write_report(result.outcome.problems, args.report, lang=args.lang)
    print_json(result.to_json(args.lang, limit=args.max_errors))
    return 0 if result.ok else 1


def _template(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.assessments.importing.template import write_template

    campaign = _campaign(args.campaign_id)
    if campaign is None:
        return fail(f"Không có đợt đánh giá {args.campaign_id}. / No campaign {args.campaign_id}.")
    write_template(campaign, args.output, fmt=args.format)
    print_json({"campaign": campaign.pk, "format": args.format, "file": str(args.output)})
    return 0


def _xlsform(args: argparse.Namespace) -> int:
    setup_django()
    from thuocdo.assessments.xlsform import write_xlsform

    campaign = _campaign(args.campaign_id)
    if campaign is None:
        return fail(f"Không có đợt đánh giá {args.campaign_id}. / No campaign {args.campaign_id}.")
    write_xlsform(campaign, args.output)
    print_json({"campaign": campaign.pk, "file": str(args.output)})
    return 0
