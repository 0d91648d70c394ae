"""Form field options shared by the service's admin pages."""

from __future__ import annotations

from typing import Any

import django
from django.db import models

#: A web site typed without a scheme becomes https:// (Django 6's default; Django 5 warns until a form
#: chooses). Django 4.2 (Teak) has no such option and keeps http://.
URL_FIELDS: dict[type, dict[str, Any]] = (
    {models.URLField: {"assume_scheme": "https"}} if django.VERSION >= (5, 0) else {}
)


def formfield(db_field: models.Field, **kwargs: Any) -> Any:
    """A ModelForm's ``formfield_callback`` applying URL_FIELDS (the admin's own forms use formfield_overrides)."""
    return db_field.formfield(**{**URL_FIELDS.get(type(db_field), {}), **kwargs})
