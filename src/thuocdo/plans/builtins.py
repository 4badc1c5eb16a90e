"""Built-in data of the plans capability, loaded by `thuocdo load-builtins`."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction

from thuocdo.plans.domain.frameworks import BUILTIN_CODES, load_builtin
from thuocdo.plans.models import Framework


@transaction.atomic
def load() -> dict[str, Any]:
    """Register (idempotently) the three built-in task frameworks; returns counts."""
    created = updated = 0
    for code in BUILTIN_CODES:
        fw = load_builtin(code)
        values = {
            "version": fw.version,
            "name_vi": fw.name_vi,
            "name_en": fw.name_en,
            "scope": fw.scope,
            "default_year": fw.default_year,
            "task_count": len(fw.tasks),
            "group_count": len(fw.groups),
            "definition": json.loads(json.dumps(fw.as_dict())),
            "builtin": True,
        }
        obj = Framework.objects.filter(code=code).first()
        if obj is None:
            Framework.objects.create(code=code, **values)
            created += 1
        elif any(getattr(obj, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(obj, k, v)
            obj.save()
            updated += 1
    return {"frameworks": len(BUILTIN_CODES), "created": created, "updated": updated}
