"""PDF rendering of the annual report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from thuocdo.analytics.report import ReportData


def render_pdf(data: ReportData) -> bytes:
    raise ValidationError({"format": _("PDF reports are not available yet: use xlsx.")})
