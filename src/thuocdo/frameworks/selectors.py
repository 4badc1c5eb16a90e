"""Reads of criteria-set versions, always filtered by the viewer's ``Scope``.

Published and retired versions are public; drafts are visible to officers whose scope covers
the set's sector (``permissions.can_read``). A version the viewer may not see is reported as
not found, so drafts do not leak their existence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from thuocdo.accounts.scopes import Scope
from thuocdo.core.text import vi_sort_key
from thuocdo.frameworks.engine import FrameworkDiff, diff
from thuocdo.frameworks.models import FrameworkVersion, Status
from thuocdo.frameworks.permissions import can_read

LABEL = re.compile(
    r"(?P<code>[a-z0-9][a-z0-9-]{0,63})@(?P<version>[0-9A-Za-z][0-9A-Za-z._+-]{0,31})"
)


def _visible(scope: Scope) -> QuerySet[FrameworkVersion]:
    qs = FrameworkVersion.objects.all()
    if not scope.is_officer:
        return qs.exclude(status=Status.DRAFT)
    if scope.sectors is None:
        return qs
    return qs.filter(~Q(status=Status.DRAFT) | Q(sector__in=[*scope.sectors, "general"]))


def framework_version_list(
    *,
    scope: Scope,
    sector: str | None = None,
    entity_type: str | None = None,
    status: str | None = None,
    code: str | None = None,
    lang: str = "vi",
) -> list[FrameworkVersion]:
    """Versions the viewer may read, sorted by name in Vietnamese (or English) order, then
    code and newest version first."""
    qs = _visible(scope)
    if sector:
        qs = qs.filter(sector=sector)
    if status:
        qs = qs.filter(status=status)
    if code:
        qs = qs.filter(code=code)
    rows = list(qs.select_related("based_on"))
    if entity_type:
        # JSON containment is not portable to SQLite; the list of versions is small.
        rows = [v for v in rows if entity_type in (v.entity_types or [])]
    rows.sort(key=lambda v: -v.pk)
    rows.sort(key=lambda v: (vi_sort_key(v.name(lang)), v.code))
    return rows


def framework_version_facets(*, scope: Scope) -> dict[str, list[str]]:
    """Sectors and entity types present among the versions the viewer may read."""
    sectors: set[str] = set()
    entity_types: set[str] = set()
    for sector, types in _visible(scope).values_list("sector", "entity_types"):
        sectors.add(sector)
        entity_types.update(types or [])
    return {"sectors": sorted(sectors), "entity_types": sorted(entity_types)}


def parse_label(label: str) -> tuple[str, str]:
    """``code@version`` → (code, version); ValueError when it is not one."""
    m = LABEL.fullmatch(label.strip())
    if m is None:
        raise ValueError(label)
    return m["code"], m["version"]


def framework_version_get(*, scope: Scope, code: str, version: str) -> FrameworkVersion:
    """The version ``code@version`` if the viewer may read it, else Http404."""
    obj = FrameworkVersion.objects.filter(code=code, version=version).first()
    if obj is None or not can_read(scope, status=obj.status, sector=obj.sector):
        raise Http404(_("There is no criteria set %(label)s.") % {"label": f"{code}@{version}"})
    return obj


def framework_version_get_label(*, scope: Scope, label: str) -> FrameworkVersion:
    """The version named ``code@version``; Http404 when absent, hidden or malformed."""
    try:
        code, version = parse_label(label)
    except ValueError:
        raise Http404(
            _("'%(label)s' is not of the form code@version (e.g. sme-dx@2025.1).")
            % {"label": label[:100]}
        ) from None
    return framework_version_get(scope=scope, code=code, version=version)


def framework_version_previous(
    *, scope: Scope, version: FrameworkVersion
) -> FrameworkVersion | None:
    """The version this one follows: the one it was copied from or loaded after (``based_on``),
    else the latest earlier version of the same code the viewer may read."""
    base = version.based_on
    if base is not None and can_read(scope, status=base.status, sector=base.sector):
        return base
    earlier = _visible(scope).filter(code=version.code, pk__lt=version.pk).order_by("-pk")
    return earlier.first()


def framework_version_history(*, scope: Scope, code: str) -> list[FrameworkVersion]:
    """Every version of ``code`` the viewer may read, newest first."""
    return list(_visible(scope).filter(code=code).order_by("-pk"))


@dataclass(frozen=True)
class VersionDiff:
    old: FrameworkVersion
    new: FrameworkVersion
    diff: FrameworkDiff


def framework_version_diff(
    *, scope: Scope, old: FrameworkVersion, new: FrameworkVersion
) -> VersionDiff:
    """What changed from ``old`` to ``new`` (both must be readable by the viewer)."""
    for v in (old, new):
        if not can_read(scope, status=v.status, sector=v.sector):
            raise Http404(_("There is no criteria set %(label)s.") % {"label": v.label})
    return VersionDiff(old=old, new=new, diff=diff(old.engine(), new.engine()))
