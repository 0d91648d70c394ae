"""The micro-credential block's fields before ADR 0017, kept so courses authored with them keep working.

Until then the block held each element in a field of its own (named as the editor's form keys of
``badge_issuer.elements``). These declarations are that stored schema, frozen as it was: the platform
reads a course's saved values through them, so they must not follow later changes of the declaration.
The block reads them only while its ``definition`` field is empty; its next editor save writes
``definition`` and clears them (and so moves an uploaded image out of ``Scope.settings``).
"""

from __future__ import annotations

from typing import Any

from xblock.core import XBlockMixin
from xblock.fields import Dict, Field, Float, Integer, List, Scope, String

from badge_issuer.elements import from_fields


class LegacyDefinitionFields(XBlockMixin):
    """The pre-0017 fields (``display_name`` and ``rules`` are still the block's own)."""

    achievement_id = String(default="", scope=Scope.settings)
    description = String(default="", scope=Scope.content)
    language = String(default="en", scope=Scope.settings)
    version = String(default="", scope=Scope.settings)
    field_of_study = String(default="", scope=Scope.settings)
    awarding_body = Dict(default={}, scope=Scope.settings)
    learning_outcomes = List(default=[], scope=Scope.content)
    ects = Float(default=None, scope=Scope.settings)
    hours = Float(default=None, scope=Scope.settings)
    eqf_level = Integer(default=None, scope=Scope.settings)
    nqf_level = String(default="", scope=Scope.settings)
    assessment_type = String(default="", scope=Scope.settings)
    participation = String(default="", scope=Scope.settings)
    quality_assurance = String(default="", scope=Scope.content)
    prerequisites = String(default="", scope=Scope.content)
    supervision = String(default="", scope=Scope.settings)
    stackability = String(default="", scope=Scope.content)
    further_information = String(default="", scope=Scope.settings)
    pass_mark = Float(default=None, scope=Scope.settings)
    valid_for_days = Integer(default=None, scope=Scope.settings)
    image = String(default="", scope=Scope.settings)

    def legacy_definition(self) -> dict[str, Any]:
        """The definition the old fields describe (without the title, which is ``display_name``)."""
        definition = from_fields({name: getattr(self, name) for name in LEGACY_FIELDS})
        definition.pop("title", None)
        return definition

    def clear_legacy_fields(self) -> None:
        """Forget the old fields' stored values (``definition`` holds the micro-credential now)."""
        for name in LEGACY_FIELDS:
            if self.fields[name].is_set_on(self):
                delattr(self, name)


#: The names of the old fields.
LEGACY_FIELDS = tuple(name for name, value in vars(LegacyDefinitionFields).items() if isinstance(value, Field))
