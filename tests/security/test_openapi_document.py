"""The published OpenAPI document says everything the API answers, once per name.

Every operation lists the refusals the shared handlers give (with the error body schema), and
no two different shapes share one schema name (django-ninja keeps one of them silently, so the
document would describe the other operation's body wrongly).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django.test import Client
from pydantic import BaseModel

from thuocdo.api.main import ERROR_RESPONSES, api


def _models(operation: Any) -> list[type[BaseModel]]:
    found = [
        m
        for m in (operation.response_models or {}).values()
        if isinstance(m, type) and issubclass(m, BaseModel)
    ]
    return found + list(operation.models)


def test_no_two_shapes_share_a_schema_name() -> None:
    shapes: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                where = f"{'/'.join(operation.methods)} {bound.prefix}{path}"
                for model in _models(operation):
                    out = model.model_json_schema(ref_template="#/components/schemas/{model}")
                    defs = out.pop("$defs", {})
                    defs[out.get("title", model.__name__)] = out
                    for name, shape in defs.items():
                        key = json.dumps(shape, sort_keys=True)
                        shapes[name].setdefault(key, set()).add(where)
    # django-ninja's own wrappers (one per operation) are inlined, never named in the document
    internal = {"NinjaResponseSchema", "QueryParams", "PathParams", "BodyParams", "FileParams"}
    clashes = {
        name: sorted(min(w) for w in by_shape.values())
        for name, by_shape in shapes.items()
        if len(by_shape) > 1 and name not in internal
    }
    assert not clashes, f"one schema name, several shapes: {clashes}"


def test_every_operation_documents_its_refusals_with_their_body() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    assert components["ErrorOut"]["required"] == ["detail"]
    assert set(components["ValidationErrorOut"]["required"]) == {"detail", "errors"}
    missing = []
    count = 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            count += 1
            responses = operation["responses"]
            expected = {"400", "403", "404", "422"}
            if operation.get("security"):
                expected.add("401")
            if "requestBody" in operation or method in ("post", "put", "patch"):
                expected |= {"413", "415"}
            for status in sorted(expected - set(responses)):
                missing.append(f"{method.upper()} {path}: {status}")
            for status in expected & set(responses):
                ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
                assert ref.rsplit("/", 1)[1] in components
    assert not missing, "undocumented answers: " + ", ".join(missing)
    assert count >= 100
    assert {str(status) for status, *_ in ERROR_RESPONSES} == {
        "400",
        "401",
        "403",
        "404",
        "413",
        "415",
        "422",
    }


def test_the_renamed_schemas_are_distinct() -> None:
    components = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("PublicCampaignOut", "CampaignOut", "OverdueReportOut", "OverdueTaskOut"):
        assert name in components
    assert "OverdueOut" not in components
    assert components["PublicCampaignOut"] != components["CampaignOut"]
