"""Sources for indicators computed from published assessment results (kind ``survey``).

Another app registers a named function that returns the value of an indicator for a unit and
a year from its published results, e.g. "share of SMEs using digital platforms" from a
campaign's answers to a named criterion::

    from thuocdo.indicators.sources import register_survey_source

    def sme_platform_share(indicator, unit_code, year):
        ...  # read published results; None when nothing is published
    register_survey_source("assessments.criterion-share", sme_platform_share)

An indicator of kind ``survey`` names its source in ``survey_source``; the service
``survey_refresh`` calls it and stores the result as a computed annual value.

A source name with parameters, ``base:<criteria set>:…``, names the criteria set it reads
first: when a campaign of that set is published, ``survey_refresh_for_campaign`` recomputes
the indicator for the nation and the provinces the campaign covers (queued after commit by
``assessments.services.campaigns.campaign_transition``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SurveySource = Callable[[Any, str | None, int], float | None]

_SOURCES: dict[str, SurveySource] = {}


def register_survey_source(name: str, func: SurveySource) -> None:
    """Register (or replace) the source ``name``; ``func(indicator, unit_code, year)``."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a survey source needs a name")
    if not callable(func):
        raise TypeError("a survey source must be callable")
    _SOURCES[name.strip()] = func


def unregister_survey_source(name: str) -> None:
    _SOURCES.pop(name, None)


def survey_source(name: str) -> SurveySource | None:
    """The source registered as ``name``; a name ``base:parameters`` (e.g.
    ``assessments.criterion-met:sme-dx:KH2``) finds the source ``base``, which reads its
    parameters from ``indicator.survey_source``."""
    return _SOURCES.get(name) or _SOURCES.get(name.split(":", 1)[0])


def survey_source_criteria_set(name: str) -> str | None:
    """The criteria set a parametrised source name reads (``base:<set>:…``), else ``None``."""
    parts = [p.strip() for p in name.split(":")]
    return parts[1] if len(parts) >= 2 and parts[1] else None


def survey_source_names() -> list[str]:
    return sorted(_SOURCES)
