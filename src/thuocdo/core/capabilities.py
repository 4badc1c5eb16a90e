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
            "assessments:index",
        ),
        Capability(
            "analytics",
            _("Results and dashboards"),
            _("Weighted results with confidence intervals by area, sector and size."),
            "analytics:index",
        ),
        Capability(
            "ecosystem",
            _("Digital solutions"),
            _("Products and services that fix unmet criteria, with trials and discounts."),
            "ecosystem:index",
        ),
        Capability(
            "indicators",
            _("Strategy indicators"),
            _("Quarterly reporting, targets for 2025 and 2030, early warning."),
            "indicators:index",
        ),
        Capability(
            "plans",
            _("Action plans"),
            _("Tasks with lead units, deadlines, outputs and status."),
            "plans:index",
        ),
    ]


# Short titles for the top navigation, by capability code.
NAV_TITLES: dict[str, Promise] = {
    "frameworks": _("Criteria sets"),
    "assessments": _("Surveys"),
    "analytics": _("Results"),
    "ecosystem": _("Solutions"),
    "indicators": _("Indicators"),
    "plans": _("Plans"),
}


def navigation() -> list[tuple[str, Promise]]:
    """(url name, short title) of every capability that has pages, in home-page order."""
    return [
        (c.url_name, NAV_TITLES[c.code])
        for c in capabilities()
        if c.url_name and c.code in NAV_TITLES
    ]
