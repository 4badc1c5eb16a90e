"""Turn validation errors into translated, field-precise messages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": gettext_noop("This field is required."),
    "string_type": gettext_noop("Expected text."),
    "int_parsing": gettext_noop("Expected a whole number."),
    "int_type": gettext_noop("Expected a whole number."),
    "float_parsing": gettext_noop("Expected a number."),
    "float_type": gettext_noop("Expected a number."),
    "bool_parsing": gettext_noop("Expected true or false."),
    "bool_type": gettext_noop("Expected true or false."),
    "string_too_long": gettext_noop("Text is too long."),
    "string_too_short": gettext_noop("Text is too short."),
    "greater_than_equal": gettext_noop("Value is too small."),
    "less_than_equal": gettext_noop("Value is too large."),
    "greater_than": gettext_noop("Value is too small."),
    "less_than": gettext_noop("Value is too large."),
    "literal_error": gettext_noop("Value is not one of the allowed choices."),
    "enum": gettext_noop("Value is not one of the allowed choices."),
    "json_invalid": gettext_noop("The request body is not valid JSON."),
    "model_attributes_type": gettext_noop("Expected an object."),
    "dict_type": gettext_noop("Expected an object."),
    "list_type": gettext_noop("Expected a list."),
    "date_from_datetime_parsing": gettext_noop("Expected a date (YYYY-MM-DD)."),
    "date_parsing": gettext_noop("Expected a date (YYYY-MM-DD)."),
    "datetime_parsing": gettext_noop("Expected a date and time."),
    "extra_forbidden": gettext_noop("Unknown field."),
    "value_error": gettext_noop("Invalid value."),
}


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic errors as ``{"field": "body.name", "message": "...", "type": "..."}``."""
    out = []
    for err in errors:
        loc = ".".join(str(part) for part in err.get("loc", ()))
        kind = str(err.get("type", "value_error"))
        template = PYDANTIC_MESSAGES.get(kind)
        if template is not None and kind != "value_error":
            message = _(template)
        else:
            message = str(err.get("msg", _("Invalid value."))).removeprefix("Value error, ")
        out.append({"field": loc, "message": message, "type": kind})
    return out
