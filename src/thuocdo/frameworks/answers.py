"""Reading a response's answers from JSON bytes (the CLI's ANSWERS.json, the API's body)."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _


class AnswersFileError(ValueError):
    """The document is not a usable answers object; ``lines`` say why, in the active language."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def parse_answers_json(raw: bytes, name: str) -> Any:
    """The answers object of a JSON document; AnswersFileError naming what is wrong."""
    try:
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AnswersFileError(
            [
                _("%(file)s: the file is not UTF-8 (invalid byte at offset %(offset)d).")
                % {"file": name, "offset": exc.start}
            ]
        ) from None
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                duplicates.append(key)
            out[key] = value
        return out

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise AnswersFileError(
            [
                _("%(file)s:%(line)d: not valid JSON: %(error)s.")
                % {"file": name, "line": exc.lineno, "error": exc.msg}
            ]
        ) from None
    except RecursionError:
        raise AnswersFileError(
            [_("%(file)s: the JSON nests too deeply.") % {"file": name}]
        ) from None
    except ValueError:  # an integer of more than 4,300 digits (Python's conversion limit)
        raise AnswersFileError(
            [_("%(file)s: a number in the JSON has too many digits.") % {"file": name}]
        ) from None
    if not isinstance(data, dict):
        raise AnswersFileError(
            [
                _(
                    "%(file)s: the answers must be a JSON object mapping criterion codes to "
                    'answers, e.g. {"S1": "b", "S2": ["web"], "S3": true, "S4": 12}.'
                )
                % {"file": name}
            ]
        )
    if duplicates:
        raise AnswersFileError(
            [
                _("%(file)s: criterion '%(code)s' is answered more than once.")
                % {"file": name, "code": code}
                for code in dict.fromkeys(duplicates)
            ]
        )
    return data
