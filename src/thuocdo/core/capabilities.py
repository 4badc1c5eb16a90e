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
    officers_only: bool = False


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
            officers_only=True,
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
            officers_only=True,
        ),
        Capability(
            "plans",
            _("Action plans"),
            _("Tasks with lead units, deadlines, outputs and status."),
            "plans:index",
            officers_only=True,
        ),
        Capability(
            "publishing",
            _("Published results"),
            _("Published campaign results and open data, for everyone."),
            "publishing:index",
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
    "publishing": _("Public results"),
}


def for_viewer(*, signed_in: bool, officer: bool) -> list[Capability]:
    """The capabilities whose pages this viewer may open. A visitor who is not signed in
    sees every one (officer pages ask to sign in); a signed-in respondent or provider does
    not see the officers' pages, which would only refuse them."""
    return [c for c in capabilities() if officer or not signed_in or not c.officers_only]


def navigation(*, signed_in: bool = False, officer: bool = False) -> list[tuple[str, Promise]]:
    """(url name, short title) of every capability that has pages, in home-page order."""
    return [
        (c.url_name, NAV_TITLES[c.code])
        for c in for_viewer(signed_in=signed_in, officer=officer)
        if c.url_name and c.code in NAV_TITLES
    ]
