"""Who may read and author criteria sets, expressed on ``Scope`` (no queries here).

- Everyone, anonymous visitors included, reads published and retired versions (a retired
  version was public and responses still point at it).
- Drafts are read by officers whose scope covers the set's sector.
- Ministry officers (in their sectors) and administrators author, publish and retire.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from thuocdo.accounts.scopes import ADMIN, MINISTRY, Scope

AUTHOR_ROLES = frozenset({ADMIN, MINISTRY})


def can_read(scope: Scope, *, status: str, sector: str) -> bool:
    if status != "draft":
        return True
    return scope.is_officer and scope.covers_sector(sector)


def can_author(scope: Scope, sector: str) -> bool:
    return scope.role in AUTHOR_ROLES and scope.covers_sector(sector)


def is_author(scope: Scope) -> bool:
    """May author criteria sets in at least one sector."""
    return scope.role in AUTHOR_ROLES


def require_author(scope: Scope, sectors: Iterable[str]) -> None:
    """Refuse unless the scope may author criteria sets in every one of ``sectors``."""
    if scope.role not in AUTHOR_ROLES:
        raise PermissionDenied(
            _("Only ministry officers and administrators can change criteria sets.")
        )
    for sector in sectors:
        if not scope.covers_sector(sector):
            raise PermissionDenied(
                _("The sector '%(sector)s' lies outside your scope.") % {"sector": sector}
            )
