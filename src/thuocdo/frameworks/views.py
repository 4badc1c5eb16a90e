"""Pages for criteria sets: browse, read one as a document, upload, publish, retire, copy, diff."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from thuocdo.accounts.selectors import require_officer, scope_for
from thuocdo.core.access import access
from thuocdo.frameworks import selectors, services
from thuocdo.frameworks.diffview import diff_context
from thuocdo.frameworks.document import document
from thuocdo.frameworks.engine import FrameworkInvalid
from thuocdo.frameworks.labels import entity_type_label, sector_label
from thuocdo.frameworks.models import FrameworkVersion, Status
from thuocdo.frameworks.permissions import can_author, is_author
from thuocdo.frameworks.uploads import read_uploaded_file
from thuocdo.frameworks.yamltext import canonical_text


def _lang() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def _row(v: FrameworkVersion, lang: str) -> dict[str, Any]:
    return {
        "obj": v,
        "name": v.name(lang),
        "sector": sector_label(v.sector),
        "entity_types": [entity_type_label(e) for e in v.entity_types or []],
    }


@access("public")
def index(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    lang = _lang()
    facets = selectors.framework_version_facets(scope=scope)
    sector = request.GET.get("sector", "")
    entity_type = request.GET.get("entity_type", "")
    status = request.GET.get("status", "")
    sector = sector if sector in facets["sectors"] else ""
    entity_type = entity_type if entity_type in facets["entity_types"] else ""
    status = status if status in Status.values else ""
    rows = selectors.framework_version_list(
        scope=scope,
        sector=sector or None,
        entity_type=entity_type or None,
        status=status or None,
        lang=lang,
    )
    statuses = [(value, label) for value, label in Status.choices]
    if not scope.is_officer:
        statuses = [(v, label) for v, label in statuses if v != Status.DRAFT]
    context = {
        "rows": [_row(v, lang) for v in rows],
        "sectors": [(s, sector_label(s)) for s in facets["sectors"]],
        "entity_types": [(e, entity_type_label(e)) for e in facets["entity_types"]],
        "statuses": statuses,
        "selected": {"sector": sector, "entity_type": entity_type, "status": status},
        "can_upload": is_author(scope),
    }
    return render(request, "frameworks/index.html", context)


@access("public")
def detail(request: HttpRequest, code: str, version: str) -> HttpResponse:
    scope = scope_for(request.user)
    lang = _lang()
    v = selectors.framework_version_get(scope=scope, code=code, version=version)
    author = can_author(scope, v.sector)
    context = {
        "v": v,
        "row": _row(v, lang),
        "doc": document(v.engine(), lang),
        "history": selectors.framework_version_history(scope=scope, code=code),
        "previous": selectors.framework_version_previous(scope=scope, version=v),
        "can_author": author,
        "can_diff": scope.is_officer,
    }
    return render(request, "frameworks/detail.html", context)


@access("public")
def yaml_file(request: HttpRequest, code: str, version: str) -> HttpResponse:
    v = selectors.framework_version_get(scope=scope_for(request.user), code=code, version=version)
    response = HttpResponse(
        v.yaml_text or canonical_text(v.definition), content_type="text/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{v.code}-{v.version}.yaml"'
    return response


@access("ministry")
@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not is_author(scope):
        raise PermissionDenied(
            _("Only ministry officers and administrators can change criteria sets.")
        )
    context: dict[str, Any] = {"problems": [], "errors": [], "file_name": ""}
    if request.method == "GET":
        return render(request, "frameworks/upload.html", context)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        context["errors"] = [_("Choose the criteria-set YAML file to upload.")]
        return render(request, "frameworks/upload.html", context, status=400)
    context["file_name"] = uploaded.name
    lang = _lang()
    try:
        raw, name = read_uploaded_file(uploaded)
        version, created = services.framework_version_load(
            actor=request.user,  # type: ignore[arg-type]
            text=raw,
            source_name=name,
        )
    except FrameworkInvalid as exc:
        context["problems"] = [
            {"path": p.path, "line": p.line, "message": p.message(lang), "code": p.code}  # type: ignore[arg-type]
            for p in exc.problems
        ]
        return render(request, "frameworks/upload.html", context, status=422)
    except ValidationError as exc:
        context["errors"] = exc.messages
        return render(request, "frameworks/upload.html", context, status=422)
    if created:
        messages.success(request, _("Draft %(label)s saved.") % {"label": version.label})
    else:
        messages.success(request, _("Draft %(label)s updated.") % {"label": version.label})
    return redirect("frameworks:detail", code=version.code, version=version.version)


def _act(request: HttpRequest, code: str, version: str, action: str) -> HttpResponse:
    v = selectors.framework_version_get(scope=scope_for(request.user), code=code, version=version)
    target = v
    try:
        if action == "publish":
            services.framework_version_publish(actor=request.user, version=v)  # type: ignore[arg-type]
            messages.success(request, _("%(label)s is published.") % {"label": v.label})
        elif action == "retire":
            services.framework_version_retire(actor=request.user, version=v)  # type: ignore[arg-type]
            messages.success(request, _("%(label)s is retired.") % {"label": v.label})
        else:
            target = services.framework_version_copy(
                actor=request.user,  # type: ignore[arg-type]
                version=v,
                new_version=request.POST.get("new_version", "")[:100],
            )
            messages.success(
                request,
                _("Draft %(label)s started as a copy of %(source)s.")
                % {"label": target.label, "source": v.label},
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("frameworks:detail", code=target.code, version=target.version)


@access("ministry")
@login_required
@require_POST
def publish(request: HttpRequest, code: str, version: str) -> HttpResponse:
    return _act(request, code, version, "publish")


@access("ministry")
@login_required
@require_POST
def retire(request: HttpRequest, code: str, version: str) -> HttpResponse:
    return _act(request, code, version, "retire")


@access("ministry")
@login_required
@require_POST
def copy(request: HttpRequest, code: str, version: str) -> HttpResponse:
    return _act(request, code, version, "copy")


@access("officer")
@login_required
def diff(request: HttpRequest, code: str, version: str) -> HttpResponse:
    scope = scope_for(request.user)
    require_officer(scope)
    lang = _lang()
    new = selectors.framework_version_get(scope=scope, code=code, version=version)
    against = request.GET.get("against", "").strip()[:100]
    if against:
        old = selectors.framework_version_get_label(scope=scope, label=against)
    else:
        previous = selectors.framework_version_previous(scope=scope, version=new)
        if previous is None:
            raise Http404(
                _("%(label)s has no previous version to compare with.") % {"label": new.label}
            )
        old = previous
    result = selectors.framework_version_diff(scope=scope, old=old, new=new)
    context = {
        "old": old,
        "new": new,
        "name": new.name(lang),
        "d": diff_context(old.engine(), new.engine(), result.diff, lang),
        "history": selectors.framework_version_history(scope=scope, code=code),
    }
    return render(request, "frameworks/diff.html", context)
