"""Messages of `thuocdo recommend` (in the app's catalogue, so ``--lang en`` gives English)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def cannot_read(path: str, reason: str) -> str:
    return _("Cannot read the file %(path)s: %(reason)s") % {"path": path, "reason": reason}


def not_json(path: str, error: str) -> str:
    return _("%(path)s: not valid JSON (%(error)s).") % {"path": path, "error": error}


def no_framework(spec: str) -> str:
    return _("No published criteria set %(spec)s.") % {"spec": spec}


def response_id_needed() -> str:
    return _("Give a response id (a whole number), or --framework and an ANSWERS.json file.")


def no_response(target: str) -> str:
    return _("No response with id %(id)s.") % {"id": target}
