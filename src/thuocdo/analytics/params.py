"""Validation of aggregation parameters (grouping keys and filters) from pages, API and CLI.

Every problem raises ``ValidationError`` with a Vietnamese message naming the parameter and
the bad value; the pages and the API turn it into a 400.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from thuocdo.analytics.domain.columnar import GROUP_KEYS
from thuocdo.assessments.models import EntityType, SizeClass
from thuocdo.frameworks.models import FrameworkVersion
from thuocdo.geo.models import Level, Structure, Unit

SLUG = re.compile(r"^[a-z0-9_-]{1,50}$")
CODE = re.compile(r"^[0-9]{1,10}$")
FILTER_KEYS = ("province", "commune", "sector", "entity_type", "size")
MAX_VALUES = 50


@dataclass(frozen=True)
class Slice:
    """Validated grouping keys, filters and year."""

    by: tuple[str, ...] = ()
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    year: int | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def filter_map(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.filters}

    def get(self, key: str) -> list[str]:
        return self.filter_map().get(key, [])


def parse_by(text: str | Sequence[str] | None) -> tuple[str, ...]:
    if text is None or text == "":
        return ()
    parts = text if not isinstance(text, str) else text.split(",")
    out: list[str] = []
    for raw in parts:
        key = raw.strip()
        if key not in GROUP_KEYS:
            raise ValidationError(
                {
                    "by": _(
                        "Unknown grouping %(value)s: use province, commune, sector, "
                        "entity_type or size, separated by commas."
                    )
                    % {"value": repr(key)[:60]}
                }
            )
        if key not in out:
            out.append(key)
    return tuple(out)


def _values(raw: str | Sequence[str]) -> list[str]:
    items = [raw] if isinstance(raw, str) else list(raw)
    out: list[str] = []
    for item in items:
        out.extend(v.strip() for v in item.split(",") if v.strip())
    return out


def _known_sectors() -> set[str]:
    from thuocdo.assessments.models import Response

    sectors = set(FrameworkVersion.objects.values_list("sector", flat=True).distinct())
    sectors.update(Response.objects.values_list("sector", flat=True).distinct())
    sectors.discard("")
    return sectors


def parse_filters(params: Mapping[str, str | Sequence[str]]) -> dict[str, list[str]]:
    """Filters from query parameters: ``province``, ``commune`` (current unit codes),
    ``sector``, ``entity_type``, ``size`` (comma-separated or repeated)."""
    filters: dict[str, list[str]] = {}
    for key in FILTER_KEYS:
        raw = params.get(key)
        if raw is None:
            continue
        values = _values(raw)
        if not values:
            continue
        if len(values) > MAX_VALUES:
            raise ValidationError(
                {key: _("Too many values (at most %(max)s).") % {"max": MAX_VALUES}}
            )
        filters[key] = values
    for key, values in filters.items():
        if key in ("province", "commune"):
            bad = [v for v in values if not CODE.match(v)]
            if bad:
                raise ValidationError(
                    {
                        key: _("Malformed unit code %(value)s: use digits only.")
                        % {"value": repr(bad[0])[:40]}
                    }
                )
            level = Level.PROVINCE if key == "province" else Level.COMMUNE
            paths = dict(
                Unit.objects.filter(
                    structure=Structure.CURRENT, level=level, code__in=values
                ).values_list("code", "path")
            )
            found = set(paths)
            missing = [v for v in values if v not in found]
            if missing:
                msg = (
                    _("Unknown province code %(value)s.")
                    if key == "province"
                    else _("Unknown commune code %(value)s.")
                )
                raise ValidationError({key: msg % {"value": missing[0]}})
            if key == "commune" and filters.get("province"):
                outside = [v for v in values if paths[v].split("/")[1] not in filters["province"]]
                if outside:
                    raise ValidationError(
                        {
                            key: _("Commune %(value)s is not in the chosen province.")
                            % {"value": outside[0]}
                        }
                    )
        elif key == "entity_type":
            bad = [v for v in values if v not in EntityType.values]
            if bad:
                raise ValidationError(
                    {key: _("Unknown entity type %(value)s.") % {"value": repr(bad[0])[:40]}}
                )
        elif key == "size":
            bad = [v for v in values if v not in SizeClass.values]
            if bad:
                raise ValidationError(
                    {
                        key: _("Unknown size class %(value)s: use micro, small, medium or large.")
                        % {"value": repr(bad[0])[:40]}
                    }
                )
        elif key == "sector":
            bad = [v for v in values if not SLUG.match(v)]
            if not bad:
                known = _known_sectors()
                bad = [v for v in values if v not in known]
            if bad:
                raise ValidationError(
                    {key: _("Unknown sector %(value)s.") % {"value": repr(bad[0])[:40]}}
                )
    return filters


def parse_year(raw: str | None) -> int | None:
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise ValidationError({"year": _("Malformed year %(value)s.") % {"value": repr(text)[:20]}})
    return int(text)


def parse_slice(
    params: Mapping[str, str | Sequence[str]],
    *,
    default_by: str = "",
    extra: Sequence[str] = (),
) -> Slice:
    """The slice asked for by query parameters; a parameter name other than ``by``,
    ``year``, the filters and ``extra`` is refused, so a misspelt filter is never ignored."""
    allowed = {"by", "year", *FILTER_KEYS, *extra}
    unknown = sorted(k for k in params if k not in allowed)
    if unknown:
        raise ValidationError(
            {
                unknown[0][:40]: _("Unknown parameter %(name)s: use %(known)s.")
                % {"name": repr(unknown[0])[:40], "known": ", ".join(sorted(allowed))}
            }
        )
    by_raw = params.get("by")
    if isinstance(by_raw, list):
        by_raw = ",".join(by_raw)
    by = parse_by(by_raw if by_raw is not None else default_by)
    filters = parse_filters(params)
    year_raw = params.get("year")
    if year_raw is not None and not isinstance(year_raw, str):
        year_raw = year_raw[0] if year_raw else None
    year = parse_year(year_raw)
    return Slice(by=by, filters=tuple(sorted((k, tuple(v)) for k, v in filters.items())), year=year)
