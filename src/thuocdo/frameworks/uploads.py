"""Reading an uploaded criteria-set file from a request, never holding more than the limit.

Files over 5 MB are refused from their declared size before anything is read; the multipart
parser streams large files to disk, and a raw body is read with an upper bound.
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest

from thuocdo.frameworks.engine import FrameworkInvalid, Problem
from thuocdo.frameworks.engine.loader import MAX_BYTES, read_bounded

YAML_TYPES = frozenset(
    {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain"}
)


def _too_large(name: str, size: int) -> FrameworkInvalid:
    return FrameworkInvalid(
        [Problem(name, "", "file.too_large", {"size": size, "limit": MAX_BYTES})]
    )


def read_uploaded_file(uploaded: UploadedFile) -> tuple[bytes, str]:
    """(bytes, file name) of an uploaded file; FrameworkInvalid when it is too large."""
    name = uploaded.name or "<upload>"
    size = uploaded.size or 0
    if size > MAX_BYTES:
        raise _too_large(name, size)
    raw = read_bounded(uploaded)  # type: ignore[arg-type]
    if len(raw) > MAX_BYTES:
        raise _too_large(name, len(raw))
    return raw, name


def read_raw_body(request: HttpRequest, name: str = "<body>") -> bytes:
    """The request body (a YAML document), read with an upper bound."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BYTES:
        raise _too_large(name, declared)
    raw = read_bounded(request)  # type: ignore[arg-type]
    if len(raw) > MAX_BYTES:
        raise _too_large(name, len(raw))
    return raw
