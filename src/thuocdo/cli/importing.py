"""`thuocdo import` and the offline-collection commands `thuocdo campaigns template|xlsform`."""

from __future__ import annotations

import argparse
import json
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
            "Nhập phiếu trả lời của một đợt đánh giá từ CSV, XLSX hoặc tệp xuất KoboToolbox/ODK. "
            'In JSON {"imported", "duplicates", "updated", "errors"}; mã thoát 0 khi đã nhập, 1 khi dữ liệu '
            "không hợp lệ và không ghi gì. / Import responses; prints JSON; exit 0 when the "
            "import happened, 1 when validation failed and nothing was written."
        ),
    )
    p.add_argument("campaign_id", type=int, metavar="CAMPAIGN_ID")
    p.add_argument("file", type=Path, metavar="FILE")
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

    campaign = _campaign(args.campaign_id)
    if campaign is None:
        return fail(f"Không có đợt đánh giá {args.campaign_id}. / No campaign {args.campaign_id}.")
    if not args.file.is_file():
        return fail(f"Không tìm thấy tệp {args.file}. / File not found: {args.file}.")

    def progress(phase: str, done: int, total: int) -> None:
        line = json.dumps({"phase": phase, "processed": done, "total": total})
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

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
