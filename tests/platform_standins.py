"""Stand-ins for two pieces of edx-platform code that shape how a plugin runs, written to behave as
the platform's do (the platform itself is not on PyPI; its code is not copied here).

- ``Derived`` / ``derive_settings``: ``openedx.core.lib.derived``. A setting whose value is computed
  later from the finished settings module: an object with ``calculate_value(settings)``, not iterable,
  not a list. ``derive_settings(module_name)`` replaces every ``Derived`` found in the module's setting
  names (UPPER_CASE), recursing into dicts, lists and tuples, exactly once.
- ``safe_lxml_etree()`` / ``defuse_xml_libs()``: ``openedx.core.lib.safe_lxml``. At start-up (manage.py,
  wsgi, celery) the platform replaces ``lxml.etree`` with a module made by ``from lxml.etree import *``
  (so only the names in ``lxml.etree.__all__``: no ``indent`` and others) plus the private element
  classes and a parser that does not resolve entities.
"""

from __future__ import annotations

import re
import sys
import types
from typing import Any

_SETTING_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


class Derived:
    """A setting computed from the finished settings module by ``derive_settings``."""

    def __init__(self, calculate_value):
        self.calculate_value = calculate_value


def _derive(settings: types.ModuleType, value: Any) -> Any:
    if isinstance(value, Derived):
        return value.calculate_value(settings)
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = _derive(settings, item)
    elif isinstance(value, list):
        value[:] = [_derive(settings, item) for item in value]
    elif isinstance(value, tuple):
        return tuple(_derive(settings, item) for item in value)
    return value


def derive_settings(module_name: str) -> None:
    module = sys.modules[module_name]
    for name, value in list(vars(module).items()):
        if _SETTING_NAME.match(name):
            setattr(module, name, _derive(module, value))


def safe_lxml_etree() -> types.ModuleType:
    """A module like the platform's ``safe_lxml.etree``."""
    module = types.ModuleType("safe_lxml_etree")
    exec(  # noqa: S102  (a star import is what the platform's module is made of)
        "from lxml.etree import *\n"
        "from lxml.etree import XMLParser as _XMLParser\n"
        "from lxml.etree import _Comment, _Element, _ElementTree, _Entity, _ProcessingInstruction\n"
        "class XMLParser(_XMLParser):\n"
        "    def __init__(self, *args, **kwargs):\n"
        "        kwargs.setdefault('resolve_entities', False)\n"
        "        super().__init__(*args, **kwargs)\n",
        module.__dict__,
    )
    return module


def defuse_xml_libs() -> types.ModuleType:
    """Install the stand-in where code finds ``lxml.etree``: the platform sets ``lxml.etree`` (what
    ``from lxml import etree`` reads); ``sys.modules`` too, so ``from lxml.etree import x`` sees it as well."""
    import lxml  # noqa: PLC0415

    safe = safe_lxml_etree()
    lxml.etree = safe
    sys.modules["lxml.etree"] = safe
    return safe


def live_receivers(signal: Any, sender: Any = None) -> list:
    """The receivers a signal would call for ``sender`` (Django 5 splits them into sync and async)."""
    live = signal._live_receivers(sender)
    return list(live[0]) if isinstance(live, tuple) else list(live)
