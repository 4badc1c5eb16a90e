"""Helpers shared by the assessments services: errors, lookups, snapshots."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from thuocdo.accounts.scopes import Scope
from thuocdo.geo.models import Level, Structure, Unit


class FieldErrors:
    """Collects ``field → messages`` and raises one ValidationError naming them all."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def commune_resolve(code: str) -> Unit:
    """A commune of the current structure from its 2025 code or a legacy commune code (mapped
    to the current commune that took it over). Raises ValueError with a message."""
    value = (code or "").strip()
    if not value:
        raise ValueError(_("The commune code is required."))
    unit = Unit.objects.filter(structure=Structure.CURRENT, code=value).first()
    if unit is None:
        legacy = Unit.objects.filter(
            structure=Structure.LEGACY, code=value, level=Level.COMMUNE
        ).first()
        if legacy is not None:
            from thuocdo.geo.selectors import legacy_to_current

            current = legacy_to_current(legacy)
            unit = current[0] if current else None
    if unit is None:
        raise ValueError(
            _("Unknown commune code %(code)s: use the current (2025) code of the commune.")
            % {"code": value}
        )
    if unit.level != Level.COMMUNE:
        raise ValueError(
            _("%(code)s (%(name)s) is not a commune.") % {"code": value, "name": unit.name}
        )
    return unit


def require_covers(scope: Scope, path: str) -> None:
    if not scope.covers_path(path):
        raise PermissionDenied(_("This lies outside your administrative area."))


def lang() -> str:
    from django.utils.translation import get_language

    return "en" if (get_language() or "vi").startswith("en") else "vi"


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        out[name] = (
            value
            if isinstance(value, str | int | float | bool | list | dict)
            else (None if value is None else str(value))
        )
    return out
