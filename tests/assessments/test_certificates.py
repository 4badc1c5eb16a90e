"""The certificate of an organisation's level: a Vietnamese PDF with its verification code and
a QR code of the public check page; the page confirms name, level, date and criteria-set
version without answers, says when the result was re-assessed, and finds nothing for a
withdrawn, expired, mistyped or forged code."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import segno
from django.test import Client
from django.utils import timezone
from tests.pdf import pdf_text

from thuocdo.accounts.scopes import Scope
from thuocdo.assessments import certificates, selectors, services
from thuocdo.assessments.domain.synthetic import synthetic_answers
from thuocdo.assessments.models import Certificate, Response

pytestmark = pytest.mark.django_db
ANON = Scope(role="anonymous")


def _submitted(campaign: Any, org: Any, seed: int) -> tuple[Response, str]:
    answers = synthetic_answers(campaign.framework.engine(), random.Random(seed), 0.4)
    draft = Response.objects.filter(campaign=campaign, organisation=org).first()
    if draft is None:
        draft = services.response_save_draft(
            scope=ANON, actor=None, campaign=campaign, organisation=org, answers={}
        )
    code = selectors.resume_code_of(draft)
    assert code
    services.response_submit(
        scope=ANON,
        actor=None,
        campaign=campaign,
        organisation=org,
        answers=answers,
        resume_code=code,
    )
    return Response.objects.get(pk=draft.pk), code


def _qr_matrix_from_pdf(data: bytes) -> list[list[bool]]:
    doc = pdfium.PdfDocument(data)
    try:
        [image] = list(doc[0].get_objects(filter=(pdfium_raw.FPDF_PAGEOBJ_IMAGE,), max_depth=5))
        picture = image.get_bitmap().to_pil().convert("L")
    finally:
        doc.close()
    scale, border = 6, 2
    size = picture.width // scale - 2 * border
    return [
        [
            picture.getpixel(((c + border) * scale + 3, (r + border) * scale + 3)) < 128
            for c in range(size)
        ]
        for r in range(size)
    ]


def test_certificate_pdf_states_the_result_with_code_and_qr(
    client: Client, make_campaign: Callable[..., Any], make_org: Callable[..., Any]
) -> None:
    campaign = make_campaign()
    org = make_org(name="Công ty Cổ phần Thương mại Hoàn Kiếm")
    response, code = _submitted(campaign, org, 11)
    result = client.get(f"/assessments/c/{campaign.public_token}/r/{code}/result/")
    assert (
        f"/assessments/c/{campaign.public_token}/r/{code}/certificate.pdf"
        in result.content.decode()
    )
    reply = client.get(f"/assessments/c/{campaign.public_token}/r/{code}/certificate.pdf")
    assert reply.status_code == 200 and reply["Content-Type"] == "application/pdf"
    cert = Certificate.objects.get(response=response)
    text = " ".join(pdf_text(reply.content).split())
    assert "GIẤY CHỨNG NHẬN" in text and "MỨC ĐỘ CHUYỂN ĐỔI SỐ" in text
    assert org.name in text
    assert f"Mức {response.level}" in text
    assert f"{response.overall:.2f}".replace(".", ",") + " / 100" in text
    assert timezone.localtime(response.submitted_at).strftime("%d/%m/%Y") in text
    assert campaign.framework.label in text
    assert cert.code in text
    url = certificates.verify_url(cert.code)
    assert url.endswith(f"/verify/{cert.code}/")
    assert url in text
    # the QR code printed is the one of the verification address
    expected = [[bool(v) for v in row] for row in segno.make(url, error="m", micro=False).matrix]
    assert _qr_matrix_from_pdf(reply.content) == expected
    # the same submission keeps its certificate
    client.get(f"/assessments/c/{campaign.public_token}/r/{code}/certificate.pdf")
    assert Certificate.objects.filter(response=response).count() == 1


def test_verification_page_confirms_without_answers(
    client: Client, make_campaign: Callable[..., Any], make_org: Callable[..., Any]
) -> None:
    campaign = make_campaign()
    org = make_org()
    response, _code = _submitted(campaign, org, 12)
    cert = certificates.certificate_issue(response)
    assert cert is not None
    page = client.get(f"/verify/{cert.code.lower().replace('-', ' ')}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Giấy chứng nhận còn hiệu lực" in html
    assert org.name in html and cert.level_name in html
    assert timezone.localtime(response.submitted_at).strftime("%d/%m/%Y") in html
    assert campaign.framework.label in html
    for value in response.answers.values():
        if isinstance(value, str) and len(value) > 3:
            assert value not in html
    assert org.tax_code not in html


def test_reassessed_withdrawn_expired_and_forged_codes(
    client: Client, make_campaign: Callable[..., Any], make_org: Callable[..., Any]
) -> None:
    campaign = make_campaign()
    org = make_org()
    other = make_org(name="Hợp tác xã Dịch vụ Ba Đình")
    response, _code = _submitted(campaign, org, 13)
    first = certificates.certificate_issue(response)
    assert first is not None
    _submitted(campaign, org, 14)  # submitted again: a newer result replaces the first
    page = client.get(f"/verify/{first.code}/")
    assert page.status_code == 200
    assert "đã được đánh giá lại ngày" in page.content.decode()
    second = certificates.certificate_issue(Response.objects.get(pk=response.pk))
    assert second is not None and second.code != first.code
    assert certificates.certificate_check(second.code).status == certificates.VALID  # type: ignore[union-attr]
    # rejected: withdrawn, and the page tells nothing of the organisation
    services.response_reject(
        scope=Scope(role="admin"), actor=None, response=response, reason="Số liệu không khớp"
    )
    page = client.get(f"/verify/{second.code}/")
    assert page.status_code == 404
    html = page.content.decode()
    assert "đã bị thu hồi" in html and org.name not in html
    # expired
    other_response, _ = _submitted(campaign, other, 15)
    third = certificates.certificate_issue(other_response)
    assert third is not None
    later = third.valid_until + timedelta(days=1)
    assert certificates.certificate_check(third.code, today=later).status == certificates.EXPIRED  # type: ignore[union-attr]
    Certificate.objects.filter(pk=third.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    page = client.get(f"/verify/{third.code}/")
    assert page.status_code == 404 and "đã hết hạn" in page.content.decode()
    assert other.name not in page.content.decode()
    # forged or mistyped: nothing, never another certificate
    for forged in (
        "AAAA-BBBB-CC",
        third.code[:-1] + ("X" if third.code[-1] != "X" else "Y"),
        "x" * 30,
        "<script>",
    ):
        page = client.get(f"/verify/{forged}/")
        assert page.status_code == 404
        html = page.content.decode()
        assert "Không có giấy chứng nhận nào mang mã xác minh này" in html
        assert org.name not in html and other.name not in html


def test_no_certificate_for_a_draft(
    client: Client, make_campaign: Callable[..., Any], make_org: Callable[..., Any]
) -> None:
    campaign = make_campaign()
    org = make_org()
    draft = services.response_save_draft(
        scope=ANON, actor=None, campaign=campaign, organisation=org, answers={}
    )
    assert certificates.certificate_issue(draft) is None
    code = selectors.resume_code_of(draft)
    reply = client.get(f"/assessments/c/{campaign.public_token}/r/{code}/certificate.pdf")
    assert reply.status_code == 404
