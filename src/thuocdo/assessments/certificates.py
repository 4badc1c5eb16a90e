"""Certificates of an organisation's digital-transformation level.

A certificate states one submission's result: the organisation's name, its level, the
overall score, the date, and the criteria-set version, all copied when it is issued. Its
verification code (``XXXX-XXXX-XX``, about 50 bits from an alphabet without look-alike
characters) and the QR code printed on it lead to the public page ``/verify/<code>/``, which
confirms these facts and never shows an answer. The page reads, at the time of the check,
whether the certificate still holds:

- ``valid``;
- ``reassessed``: the organisation submitted again (in the same campaign or a later one), so a
  newer result replaces this one; the page says so and gives the date of the newer result;
- ``withdrawn``: the response was rejected or reopened; the page says only that;
- ``expired``: ``VALID_MONTHS`` after the submission.

An unknown, mistyped or forged code finds nothing (404), never another certificate.
The PDF is in Vietnamese: the document an organisation files and shows.
"""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from datetime import date
from html import escape

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from thuocdo.assessments.models import Certificate, Response, ResponseStatus
from thuocdo.core.mail import site_url

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
VALID_MONTHS = 24

VALID, REASSESSED, WITHDRAWN, EXPIRED = "valid", "reassessed", "withdrawn", "expired"


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(10))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(text: str) -> str:
    """The stored form of a typed code (case, spaces and dashes do not matter); ``""`` when
    it cannot be a code."""
    raw = re.sub(r"[\s\-]", "", (text or "").upper())
    if len(raw) != 10 or any(ch not in ALPHABET for ch in raw):
        return ""
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def verify_url(code: str) -> str:
    return site_url(reverse("verify", args=[code]))


def vi_number(value: float, digits: int = 2) -> str:
    """``47,99``: a number in Vietnamese notation."""
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def vi_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@transaction.atomic
def certificate_issue(response: Response) -> Certificate | None:
    """The certificate of the response's current submission (issued once; the same one
    afterwards). ``None`` for a response that is not submitted or verified."""
    from thuocdo.assessments.followup import add_months
    from thuocdo.assessments.selectors import result_view

    if (
        response.status not in (ResponseStatus.SUBMITTED, ResponseStatus.VERIFIED)
        or response.submitted_at is None
        or response.level is None
    ):
        return None
    found = Certificate.objects.filter(
        response=response, submitted_at=response.submitted_at
    ).first()
    if found is not None:
        return found
    view = result_view(response, "vi")
    fw = response.framework
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    code=_new_code(),
                    response=response,
                    organisation_name=response.organisation.name,
                    level=response.level,
                    level_name=view["level_name"] or "",
                    overall=float(response.overall or 0.0),
                    framework_label=f"{fw.name_vi} ({fw.label})",
                    campaign_name=response.campaign.name,
                    submitted_at=response.submitted_at,
                    valid_until=add_months(response.submitted_at, VALID_MONTHS).date(),
                )
        except IntegrityError:
            found = Certificate.objects.filter(
                response=response, submitted_at=response.submitted_at
            ).first()
            if found is not None:
                return found
    raise RuntimeError("no free certificate code")  # pragma: no cover - 2^50 codes


@dataclass(frozen=True)
class Check:
    status: str  # valid, reassessed, withdrawn, expired
    certificate: Certificate
    newer_on: date | None = None


def certificate_check(code: str, *, today: date | None = None) -> Check | None:
    """What the verification page says about ``code`` (``None``: no such certificate)."""
    clean = normalise_code(code)
    if not clean:
        return None
    cert = Certificate.objects.select_related("response").filter(code=clean).first()
    if cert is None:
        return None
    response = cert.response
    if response.status in (ResponseStatus.REJECTED, ResponseStatus.DRAFT):
        return Check(WITHDRAWN, cert)
    newer = (
        Response.objects.filter(
            organisation_id=response.organisation_id,
            status__in=(ResponseStatus.SUBMITTED, ResponseStatus.VERIFIED),
            submitted_at__gt=cert.submitted_at,
        )
        .order_by("-submitted_at")
        .values_list("submitted_at", flat=True)
        .first()
    )
    if newer is not None:
        return Check(REASSESSED, cert, timezone.localtime(newer).date())
    if (today or timezone.localdate()) > cert.valid_until:
        return Check(EXPIRED, cert)
    return Check(VALID, cert)


def qr_png(url: str, scale: int = 6) -> bytes:
    """The QR code of ``url`` as a PNG (segno, pure Python)."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def certificate_pdf(cert: Certificate) -> bytes:
    """The certificate as an A4 PDF in Vietnamese, with its code and QR code."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from thuocdo.analytics.report_pdf import _register_fonts

    _register_fonts()
    body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=11, leading=16, alignment=1)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=12)
    title = ParagraphStyle(
        "title", parent=body, fontName="DejaVuSans-Bold", fontSize=20, leading=26
    )
    big = ParagraphStyle("big", parent=body, fontName="DejaVuSans-Bold", fontSize=15, leading=20)
    url = verify_url(cert.code)
    submitted = timezone.localtime(cert.submitted_at).date()
    cell = ParagraphStyle("cell", fontName="DejaVuSans", fontSize=10.5, leading=13)
    rows = [
        ("Mức độ chuyển đổi số", f"Mức {cert.level} — {cert.level_name}"),
        ("Điểm tổng hợp", f"{vi_number(cert.overall)} / 100"),
        ("Bộ tiêu chí", cert.framework_label),
        ("Đợt đánh giá", cert.campaign_name),
        ("Ngày nộp kết quả", vi_date(submitted)),
        ("Có giá trị đến", vi_date(cert.valid_until)),
        ("Mã xác minh", cert.code),
    ]
    facts = Table(
        [[label, Paragraph(escape(value), cell)] for label, value in rows],
        colWidths=[5 * cm, 10.5 * cm],
    )
    facts.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "DejaVuSans"),
                ("FONTNAME", (0, 0), (0, -1), "DejaVuSans-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 10.5),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    qr = Image(io.BytesIO(qr_png(url)), width=4 * cm, height=4 * cm)
    story = [
        Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", small),
        Paragraph("Độc lập – Tự do – Hạnh phúc", small),
        Spacer(1, 1.2 * cm),
        Paragraph("GIẤY CHỨNG NHẬN", title),
        Paragraph("MỨC ĐỘ CHUYỂN ĐỔI SỐ", big),
        Spacer(1, 0.8 * cm),
        Paragraph("Chứng nhận", body),
        Paragraph(cert.organisation_name, big),
        Paragraph(f"đạt Mức {cert.level} — {cert.level_name}", big),
        Spacer(1, 0.8 * cm),
        facts,
        Spacer(1, 0.8 * cm),
        qr,
        Paragraph("Quét mã QR hoặc mở địa chỉ dưới đây để xác minh giấy chứng nhận:", small),
        Paragraph(url, small),
        Spacer(1, 0.4 * cm),
        Paragraph(
            "Giấy chứng nhận ghi kết quả tự đánh giá đã nộp; trang xác minh cho biết kết quả "
            "còn hiệu lực, đã được đánh giá lại hay đã bị thu hồi. Không công bố câu trả lời.",
            small,
        ),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"Giấy chứng nhận mức độ chuyển đổi số — {cert.organisation_name}",
        author="Thước đo",
        leftMargin=2.2 * cm,
        rightMargin=2.2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=1.8 * cm,
    )
    doc.build(story)
    return out.getvalue()
