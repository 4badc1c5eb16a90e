"""Print the OpenAPI schema of ``/api/v1`` (``docs/openapi.json``); CI checks it is current."""

from __future__ import annotations

import json
import os
import sys


def render() -> str:
    """The schema as stable JSON: sorted keys, two-space indent, a final newline."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thuocdo.config.settings.development")
    import django

    django.setup()
    from django.utils import translation

    from thuocdo.api.main import api

    with translation.override("vi"):
        schema = api.get_openapi_schema()
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
