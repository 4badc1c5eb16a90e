"""People's names for the sector and entity-type codes used in criteria sets."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SECTORS: dict[str, Promise] = {
    "general": _("All sectors"),
    "retail": _("Wholesale and retail"),
    "tourism": _("Tourism"),
    "agriculture": _("Agriculture"),
    "manufacturing": _("Manufacturing"),
    "logistics": _("Logistics"),
}

ENTITY_TYPES: dict[str, Promise] = {
    "enterprise": _("Enterprise"),
    "household_business": _("Household business"),
    "shop": _("Shop"),
    "market": _("Traditional market"),
    "destination": _("Tourist destination"),
    "farm": _("Farm"),
    "cooperative": _("Cooperative"),
}


def sector_label(code: str) -> str:
    return str(SECTORS.get(code, code))


def entity_type_label(code: str) -> str:
    return str(ENTITY_TYPES.get(code, code))
