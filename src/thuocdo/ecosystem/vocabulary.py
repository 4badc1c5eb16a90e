"""What a listing may refer to: the shared solution tags and the criteria of published sets.

Criteria are named ``framework_code:criterion_code`` (criterion codes are unique only within
a criteria set), e.g. ``sme-dx:S3``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from thuocdo.frameworks.models import FrameworkVersion, Status

TAGS_FILE = Path(__file__).resolve().parent.parent / "frameworks" / "builtin" / "solution_tags.yaml"


@lru_cache(maxsize=1)
def tag_names() -> dict[str, dict[str, str]]:
    """Tag code → its names (vi, en)."""
    data = yaml.safe_load(TAGS_FILE.read_text(encoding="utf-8"))
    return {t["code"]: t["name"] for t in data["tags"]}


def known_tags() -> frozenset[str]:
    return frozenset(tag_names())


def known_criteria() -> frozenset[str]:
    """``code:criterion`` for every criterion of every published or retired criteria set."""
    out: set[str] = set()
    versions = FrameworkVersion.objects.exclude(status=Status.DRAFT)
    for v in versions.only("id", "code", "version", "definition", "content_hash"):
        for c in v.engine().criteria():
            out.add(f"{v.code}:{c.code}")
    return frozenset(out)


def entity_types() -> tuple[str, ...]:
    from thuocdo.assessments.models import EntityType

    return tuple(EntityType.values)
