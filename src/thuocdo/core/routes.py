"""Every route of the product with its declared access policy, walked from the URL conf.

Routes come from the Django URLconf (pages) and from the django-ninja API's routers (each path
operation and its view function). Nothing here lists endpoints by hand: a new page or API
operation appears in the walk, in the rules table (``core/rules.py``) and in the matrix test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from thuocdo.core.access import policy_of

# Views the product does not own, with the policy they follow.
FRAMEWORK_POLICIES: dict[str, str] = {
    "django.views.i18n.set_language": "public",
    "ninja.openapi.views.openapi_json": "public",
    "ninja.openapi.views.openapi_view": "public",
    "ninja.openapi.views.default_home": "public",
}

API_PREFIX = "/api/v1"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Route:
    """One page or API operation: how to call it and the policy it declares."""

    kind: str  # "page" | "api"
    name: str  # e.g. "accounts:user" or "GET /api/v1/accounts/users/{user_id}"
    method: str
    template: str  # URL with {param} placeholders
    params: tuple[str, ...]
    policy: str | None
    app: str

    def url(self, values: dict[str, Any]) -> str:
        out = self.template
        for param in self.params:
            out = out.replace("{" + param + "}", str(values[param]))
        return out


def _qualname(func: Callable[..., Any]) -> str:
    target = getattr(func, "func", func)  # functools.partial
    target = getattr(target, "__wrapped__", target)
    return f"{getattr(target, '__module__', '')}.{getattr(target, '__name__', '')}"


def _app_of(func: Callable[..., Any]) -> str:
    module = getattr(getattr(func, "func", func), "__module__", "") or ""
    parts = module.split(".")
    return parts[1] if parts[0] == "thuocdo" and len(parts) > 1 else parts[0]


_CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>")


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            joined = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), joined)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            yield prefix + str(entry.pattern), name, entry.callback


def page_routes() -> list[Route]:
    """Every URL pattern except the API's operations (which ``api_routes`` covers)."""
    routes = []
    for pattern, name, callback in _walk(get_resolver().url_patterns):
        qualname = _qualname(callback)
        if pattern.startswith(API_PREFIX.strip("/") + "/") and qualname.startswith(
            "ninja.operation"
        ):
            continue
        policy = policy_of(callback) or FRAMEWORK_POLICIES.get(qualname)
        params = tuple(m["name"] for m in _CONVERTER.finditer(pattern))
        template = "/" + _CONVERTER.sub(lambda m: "{" + m["name"] + "}", pattern)
        routes.append(
            Route(
                kind="page",
                name=name or template,
                method="GET",
                template=template,
                params=params,
                policy=policy,
                app=_app_of(callback),
            )
        )
    return routes


def api_routes() -> list[Route]:
    """Every operation of every router mounted on ``thuocdo.api.main.api``."""
    from thuocdo.api.main import api

    routes = []
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            full = "/".join(p.strip("/") for p in (API_PREFIX, bound.prefix, path) if p.strip("/"))
            template = "/" + full + ("/" if path.endswith("/") else "")
            params = tuple(re.findall(r"{(?:\w+:)?(\w+)}", template))
            template = re.sub(r"{\w+:(\w+)}", r"{\1}", template)
            for operation in path_view.operations:
                for method in operation.methods:
                    routes.append(
                        Route(
                            kind="api",
                            name=f"{method} {template}",
                            method=method,
                            template=template,
                            params=params,
                            policy=policy_of(operation.view_func),
                            app=_app_of(operation.view_func),
                        )
                    )
    return routes


def all_routes() -> list[Route]:
    return page_routes() + api_routes()
