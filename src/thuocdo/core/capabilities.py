"""The product's capabilities as listed on the home page."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Capability:
    code: str
    title: Promise
    summary: Promise
    url_name: str | None


def capabilities() -> list[Capability]:
    return [
        Capability(
            "geo",
            _("Administrative units"),
            _("34 provinces and 3,321 communes, the legacy structure and how it maps to today."),
            "geo:index",
        ),
        Capability(
            "frameworks",
            _("Criteria sets"),
            _("Versioned criteria sets for each sector and type of organisation."),
            "frameworks:index",
        ),
        Capability(
            "assessments",
            _("Self-assessment campaigns"),
            _("Organisations assess themselves online; pilots, scale-up, yearly results."),
            None,
        ),
        Capability(
            "analytics",
            _("Results and dashboards"),
            _("Weighted results with confidence intervals by area, sector and size."),
            None,
        ),
        Capability(
            "ecosystem",
            _("Digital solutions"),
            _("Products and services that fix unmet criteria, with trials and discounts."),
            None,
        ),
        Capability(
            "indicators",
            _("Strategy indicators"),
            _("Quarterly reporting, targets for 2025 and 2030, early warning."),
            None,
        ),
        Capability(
            "plans",
            _("Action plans"),
            _("Tasks with lead units, deadlines, outputs and status."),
            None,
        ),
    ]
