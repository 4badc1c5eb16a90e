"""Built-in data of the ecosystem capability, loaded by `thuocdo load-builtins`: the 35 national
digital platforms (seed 001, Annex 02 §III) as approved catalogue entries of two built-in
providers (state-owned and enterprise-owned platforms)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PLATFORMS_FILE = Path(__file__).parent / "builtin" / "national_platforms.yaml"
PROVIDERS = {
    "state": ("nen-tang-so-quoc-gia-nha-nuoc", "Nền tảng số quốc gia — cơ quan nhà nước chủ quản"),
    "enterprise": (
        "nen-tang-so-quoc-gia-doanh-nghiep",
        "Nền tảng số quốc gia — doanh nghiệp chủ quản",
    ),
}


PLATFORM_PREFIX = "np-"  # catalogue code of a national platform: np-<code of the list>


def platforms() -> dict[str, Any]:
    return dict(yaml.safe_load(PLATFORMS_FILE.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class PlatformInfo:
    """What the catalogue and the result page show of a national platform instead of a
    provider's "connect" button: its lead ministry or agency and how to use it."""

    code: str  # the catalogue code (np-…)
    ownership: str  # state | enterprise
    owner: str  # the lead ministry or agency (Chủ trì)
    managing_units: str  # the units deploying it (Đơn vị triển khai)
    how_to_use_vi: str
    how_to_use_en: str

    def how_to_use(self, lang: str = "vi") -> str:
        return self.how_to_use_en if lang == "en" and self.how_to_use_en else self.how_to_use_vi


@lru_cache(maxsize=1)
def platform_index() -> dict[str, PlatformInfo]:
    """The national platforms of the built-in list by catalogue code."""
    data = platforms()
    uses = {k: v.get("how_to_use", {}) for k, v in data["ownership"].items()}
    out: dict[str, PlatformInfo] = {}
    for item in data["platforms"]:
        use = uses.get(item["ownership"], {})
        code = PLATFORM_PREFIX + item["code"]
        out[code] = PlatformInfo(
            code=code,
            ownership=item["ownership"],
            owner=str(item.get("lead") or ""),
            managing_units=str(item.get("managing_units") or ""),
            how_to_use_vi=" ".join(str(use.get("vi", "")).split()),
            how_to_use_en=" ".join(str(use.get("en", "")).split()),
        )
    return out


def platform_of(code: str, builtin: bool = True) -> PlatformInfo | None:
    """The national platform a catalogue entry is (a built-in ``np-`` entry), or None."""
    if not builtin or not code.startswith(PLATFORM_PREFIX):
        return None
    return platform_index().get(code)


def load() -> dict[str, Any]:
    """Load (idempotently) this capability's built-in data; returns counts for the report."""
    from django.db import transaction

    from thuocdo.accounts.scopes import Scope
    from thuocdo.ecosystem import services
    from thuocdo.ecosystem.models import Provider, Solution

    data = platforms()
    system = Scope(role="admin")
    created = 0
    with transaction.atomic():
        providers: dict[str, Provider] = {}
        for ownership, (code, name) in PROVIDERS.items():
            found = Provider.objects.filter(code=code).first()
            if found is None:
                found = services.provider_create(
                    scope=system,
                    actor=None,
                    code=code,
                    name=name,
                    description=data["ownership"][ownership]["vi"],
                    builtin=True,
                )
            providers[ownership] = found
        existing = set(Solution.objects.filter(builtin=True).values_list("code", flat=True))
        for item in data["platforms"]:
            code = f"{PLATFORM_PREFIX}{item['code']}"
            if code in existing:
                continue
            lead = item.get("lead") or ""
            description = item["purpose"]["vi"]
            if lead:
                description += f"\n\nChủ trì: {lead}."
            services.solution_create(
                scope=system,
                actor=None,
                provider=providers[item["ownership"]],
                code=code,
                builtin=True,
                known_criteria=frozenset(),
                data={
                    "name_vi": item["name"]["vi"],
                    "name_en": item["name"].get("en", ""),
                    "category": item["category"],
                    "description_vi": description,
                    "description_en": item["purpose"].get("en", ""),
                    "price_model": "free" if item["ownership"] == "state" else "contact",
                    "solution_tags": list(item.get("solution_tags") or []),
                },
            )
            created += 1
    return {"national_platforms": len(data["platforms"]), "created": created}
