"""Form pieces shared by the apps' admin forms."""

import json

from django import forms
from django.core.exceptions import ValidationError


class ReadableJSONField(forms.JSONField):
    """A JSON form field whose error says where the JSON is broken, not just that it is,
    and that shows an empty box (not ``null``) for a column without a value."""

    def prepare_value(self, value):
        return "" if value is None else super().prepare_value(value)

    def to_python(self, value):
        if self.disabled or value in self.empty_values or isinstance(value, (list, dict, int, float)):
            return super().to_python(value)
        try:
            json.loads(value, cls=self.decoder)
        except json.JSONDecodeError as error:
            raise ValidationError(
                "Invalid JSON: %(reason)s at line %(line)s, column %(column)s.",
                code="invalid",
                params={"reason": error.msg, "line": error.lineno, "column": error.colno},
            ) from None
        return super().to_python(value)
