"""API router of the frameworks app, mounted at /api/v1/frameworks.

Reading and scoring are open to everyone for published (and retired) versions, and to
officers in the set's sector for drafts; uploading, publishing, retiring, copying and
comparing need a ministry officer (in the sector) or an administrator.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import require_officer, scope_for
from thuocdo.api.auth import AUTH, ApiAuthError, token_auth
from thuocdo.core.access import access
from thuocdo.frameworks import selectors, services
from thuocdo.frameworks.answers import AnswersFileError, parse_answers_json
from thuocdo.frameworks.engine import FrameworkInvalid, check_answers, score
from thuocdo.frameworks.permissions import is_author
from thuocdo.frameworks.schemas import (
    CopyIn,
    DiffOut,
    FrameworkFilter,
    FrameworkVersionDetailOut,
    FrameworkVersionOut,
    ScoreOut,
    version_out,
)
from thuocdo.frameworks.uploads import YAML_TYPES, read_raw_body, read_uploaded_file

router = Router(tags=["frameworks"])


# Public operations that also read credentials when sent (authors see their drafts): in the
# OpenAPI document, credentials optional, and a token that is not valid refused with 401.
OPTIONAL_AUTH: dict[str, Any] = {"security": [{"TokenAuth": []}, {"SessionAuth": []}, {}]}


def _lang() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def _viewer(request: HttpRequest) -> Scope:
    """The scope of whoever calls a public endpoint: a bearer token, the session, or nobody."""
    if request.headers.get("Authorization"):
        user = token_auth(request)
        if user is None:
            raise ApiAuthError(_("The Authorization header must be: Bearer <token>."))
        return scope_for(user)
    return scope_for(getattr(request, "user", None))


def _actor(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _invalid(errors: list[dict[str, Any]]) -> HttpResponse:
    return JsonResponse(
        {"detail": _("The request is not valid."), "errors": errors},
        status=422,
        json_dumps_params={"ensure_ascii": False},
    )


def _problems(exc: FrameworkInvalid) -> HttpResponse:
    lang = _lang()
    return _invalid(
        [
            {
                "field": p.path,
                "message": p.message(lang),  # type: ignore[arg-type]
                "type": p.code,
                "line": p.line,
                "file": p.file,
            }
            for p in exc.problems
        ]
    )


@router.get(
    "",
    response=list[FrameworkVersionOut],
    auth=None,
    summary="List criteria sets",
    openapi_extra=OPTIONAL_AUTH,
)
@access("public")
def list_versions(request: HttpRequest, filters: Query[FrameworkFilter]) -> list[Any]:
    rows = selectors.framework_version_list(
        scope=_viewer(request),
        sector=filters.sector,
        entity_type=filters.entity_type,
        status=filters.status,
        code=filters.code,
        lang=_lang(),
    )
    return [version_out(v) for v in rows]


@router.post(
    "",
    response={201: FrameworkVersionDetailOut},
    auth=AUTH,
    summary="Upload a criteria-set version (YAML body or multipart field 'file')",
)
@access("ministry")
def upload_version(request: HttpRequest, publish: bool = False) -> Any:
    actor = _actor(request)
    scope = scope_for(actor)
    if not is_author(scope):
        raise PermissionDenied(
            _("Only ministry officers and administrators can change criteria sets.")
        )
    content_type = (request.content_type or "").lower()
    try:
        if content_type == "multipart/form-data":
            uploaded = request.FILES.get("file")
            if uploaded is None:
                return _invalid(
                    [
                        {
                            "field": "file",
                            "message": _("Attach the criteria-set YAML file in the field 'file'."),
                            "type": "missing",
                        }
                    ]
                )
            raw, name = read_uploaded_file(uploaded)
        elif content_type in YAML_TYPES:
            raw, name = read_raw_body(request), "<body>"
        else:
            raise HttpError(
                415,
                _(
                    "Send the criteria set as a YAML body (Content-Type: application/yaml) "
                    "or as a multipart upload in the field 'file'."
                ),
            )
        version, _created = services.framework_version_load(
            actor=actor, text=raw, source_name=name, publish=publish
        )
    except FrameworkInvalid as exc:
        return _problems(exc)
    return Status(201, version_out(version, FrameworkVersionDetailOut))


@router.get(
    "/{code}/{version}",
    response=FrameworkVersionDetailOut,
    auth=None,
    summary="One criteria-set version with its definition",
    openapi_extra=OPTIONAL_AUTH,
)
@access("public")
def get_version(request: HttpRequest, code: str, version: str) -> Any:
    v = selectors.framework_version_get(scope=_viewer(request), code=code, version=version)
    return version_out(v, FrameworkVersionDetailOut)


@router.post(
    "/{code}/{version}/score",
    response=ScoreOut,
    auth=None,
    summary="Score one response (stateless; the body maps criterion codes to answers)",
    openapi_extra=OPTIONAL_AUTH,
)
@access("public")
def score_answers(request: HttpRequest, code: str, version: str) -> Any:
    v = selectors.framework_version_get(scope=_viewer(request), code=code, version=version)
    try:
        answers = parse_answers_json(request.body, _("request body"))
    except AnswersFileError as exc:
        return _invalid(
            [{"field": "body", "message": line, "type": "invalid"} for line in exc.lines]
        )
    fw = v.engine()
    problems = check_answers(fw, answers)
    if problems:
        lang = _lang()
        return _invalid(
            [
                {
                    "field": f"answers.{p.criterion}" if p.criterion else "answers",
                    "message": p.message(lang),  # type: ignore[arg-type]
                    "type": p.code,
                }
                for p in problems
            ]
        )
    return score(fw, answers).to_json_dict()


@router.post(
    "/{code}/{version}/publish",
    response=FrameworkVersionOut,
    auth=AUTH,
    summary="Publish a draft (it never changes afterwards)",
)
@access("ministry")
def publish_version(request: HttpRequest, code: str, version: str) -> Any:
    actor = _actor(request)
    v = selectors.framework_version_get(scope=scope_for(actor), code=code, version=version)
    return version_out(services.framework_version_publish(actor=actor, version=v))


@router.post(
    "/{code}/{version}/retire",
    response=FrameworkVersionOut,
    auth=AUTH,
    summary="Retire a published version",
)
@access("ministry")
def retire_version(request: HttpRequest, code: str, version: str) -> Any:
    actor = _actor(request)
    v = selectors.framework_version_get(scope=scope_for(actor), code=code, version=version)
    return version_out(services.framework_version_retire(actor=actor, version=v))


@router.post(
    "/{code}/{version}/copy",
    response={201: FrameworkVersionDetailOut},
    auth=AUTH,
    summary="Start a new draft as a copy of this version",
)
@access("ministry")
def copy_version(request: HttpRequest, code: str, version: str, payload: CopyIn) -> Any:
    actor = _actor(request)
    v = selectors.framework_version_get(scope=scope_for(actor), code=code, version=version)
    copy = services.framework_version_copy(actor=actor, version=v, new_version=payload.new_version)
    return Status(201, version_out(copy, FrameworkVersionDetailOut))


@router.get(
    "/{code}/{version}/diff",
    response=DiffOut,
    auth=AUTH,
    summary="Differences from another version (default: the previous one)",
)
@access("officer")
def diff_version(request: HttpRequest, code: str, version: str, against: str | None = None) -> Any:
    scope = scope_for(_actor(request))
    require_officer(scope)
    new = selectors.framework_version_get(scope=scope, code=code, version=version)
    if against:
        old = selectors.framework_version_get_label(scope=scope, label=against)
    else:
        previous = selectors.framework_version_previous(scope=scope, version=new)
        if previous is None:
            raise HttpError(
                404, _("%(label)s has no previous version to compare with.") % {"label": new.label}
            )
        old = previous
    result = selectors.framework_version_diff(scope=scope, old=old, new=new)
    return {"old": old.label, "new": new.label, **result.diff.to_dict()}
