"""Plumbing both blocks share: JSON handlers with a 4xx contract, the service hand-off, scripts, gettext.

Nothing here knows about outcomes or credentials; the blocks stay thin by calling these helpers.
"""

from __future__ import annotations

import functools
import gettext as gettext_module
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils import translation
from web_fragments.fragment import Fragment
from webob import Response
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.runtime import NullI18nService

from .. import compat

SERVICE_APP = "microcredential_xblock.service"
PACKAGE_DIR = Path(__file__).resolve().parent.parent
#: The blocks' package: their public/ (scripts, styles, JS catalogs) sits here, where XBlock serves it from.
BLOCKS_DIR = Path(__file__).resolve().parent
LOCALE_DIR = PACKAGE_DIR / "conf" / "locale"
#: Compiled by scripts/i18n.py for the whole package (both blocks share one catalog).
JS_CATALOG_DIR = "public/common/i18n"
#: Loaded before each block's own script: gettext, CSRF POSTs and the safe initialiser (MicrovetInit).
COMMON_JS = "public/common/common.js"
#: What ends a <script> block or starts markup, and the two line separators old JavaScript parsers choke on.
_HTML_SAFE_JSON = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


class ApiError(JsonHandlerError):
    """A 4xx answer ``{"error": message, "field": ..., "path": ...}``; ``message`` is already translated.

    ``field`` is the request key at fault; ``path`` locates the problem inside it (``question[q3]/@answer``).
    """

    def __init__(self, status_code: int, message: str, field: str | None = None, path: str | None = None):
        super().__init__(status_code, message)
        self.field = field
        self.path = path


def json_response(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json", charset="utf8")


def json_api(max_bytes: int, *, authoring: bool = False) -> Callable:
    """Like ``XBlock.json_handler``, but every failure is a translated 4xx JSON error.

    The stock decorator parses any body size, lets ``RecursionError`` from deeply nested JSON escape
    as a 500 and answers in English only; handlers here must never produce a 500 on bad input.
    ``authoring`` handlers refuse (403) anyone without edit rights before the body is even read: in
    the LMS any learner can call any handler of a block by URL (``compat.user_can_edit``).
    """

    def decorate(method: Callable) -> Callable:
        @XBlock.handler
        @functools.wraps(method)
        def handler(self, request, suffix=""):
            gettext = self.gettext
            try:
                if authoring and not compat.user_can_edit(self):
                    raise ApiError(403, gettext("Only the course team can change this block."))
                if request.method != "POST":
                    raise ApiError(405, gettext("This address only accepts POST requests."))
                if (request.content_length or 0) > max_bytes or len(request.body) > max_bytes:
                    raise ApiError(413, gettext("The request is too large."))
                try:
                    data = json.loads(request.body.decode("utf-8"))
                except (UnicodeDecodeError, ValueError, RecursionError):
                    raise ApiError(400, gettext("The request is not valid JSON.")) from None
                if not isinstance(data, dict):
                    raise ApiError(400, gettext("The request must be a JSON object."))
                return json_response(200, method(self, data, suffix))
            except ApiError as err:
                body = {"error": err.message}
                body.update((key, value) for key, value in (("field", err.field), ("path", err.path)) if value)
                return json_response(err.status_code, body)

        return handler

    return decorate


def service_api() -> ModuleType | None:
    """``microcredential_xblock.service.api`` when its Django app is installed (LMS, CMS, demo), else None."""
    if not settings.configured or not apps.ready or not apps.is_installed(SERVICE_APP):
        return None
    from ..service import api  # noqa: PLC0415  (importing models needs the app registry)

    return api


# ------------------------------------------------------------------------------------------ translations


@functools.lru_cache(maxsize=16)
def _catalog(locale_name: str) -> gettext_module.NullTranslations:
    return gettext_module.translation("django", LOCALE_DIR, languages=[locale_name], fallback=True)


def translator() -> gettext_module.NullTranslations:
    """The package's own catalog for the active Django language.

    Bundled with the package so the blocks translate the same in Open edX, the workbench and tests;
    also passed to templates.
    """
    return _catalog(translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE))


def i18n_service(block: XBlock) -> Any:
    """The one gettext path of both blocks: the runtime's i18n service (the LMS and Studio bind it to
    the block's package catalog), or the package catalog where the runtime has only XBlock's null one."""
    service = block.runtime.service(block, "i18n")
    return translator() if service is None or isinstance(service, NullI18nService) else service


def gettext(block: XBlock, message: str) -> str:
    return i18n_service(block).gettext(message)


# ------------------------------------------------------------------------------------------ scripts


def platform_resources_dir(cls: type[XBlock]) -> str:
    """``get_resources_dir`` of both blocks, for Open edX's static finder only (collectstatic,
    ``openedx/core/lib/xblock_pipeline/finder.py``): it looks for a block's resources under the package
    *above* the block module's package (``xblock_resource_pkg`` gives ``microcredential_xblock.blocks``, the
    finder opens ``microcredential_xblock``), one level higher than XBlock's own ``open_local_resource``,
    which reads ``resources_dir`` (default "") from ``microcredential_xblock.blocks``. So the finder is told
    ``blocks``: both then find ``blocks/public/...`` under the same URL (found in a real Teak LMS: with
    ``resources_dir = ".."`` the finder would have collected site-packages and none of our files)."""
    return "blocks"


def js_catalog_url(block: XBlock, i18n: Any) -> str | None:
    """The ``MicrovetI18N`` JavaScript catalog: the platform's (atlas) if it has one, else the bundled one.

    Open edX only serves atlas catalogs for repositories in openedx-translations, so a third-party
    package ships its own compiled catalogs (scripts/i18n.py) under blocks/public/.
    """
    platform = getattr(i18n, "get_javascript_i18n_catalog_url", None)
    if platform is not None and (url := platform(block)):
        return url
    locale = translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)
    # Open edX's languages are regional (pt-br, de-de, it-it, es-419); our catalogs are per language, and
    # gettext falls back the same way for the Python side.
    for candidate in dict.fromkeys((locale, locale.split("_", 1)[0])):
        name = f"{JS_CATALOG_DIR}/{candidate}.js"
        if (BLOCKS_DIR / name).is_file():
            return block.runtime.local_resource_url(block, name)
    return None


def add_scripts(block: XBlock, fragment: Fragment, script: str) -> None:
    """Load the ``MicrovetI18N`` catalog, the shared helpers (common.js), then the block's ``script``."""
    if catalog := js_catalog_url(block, block.runtime.service(block, "i18n")):
        fragment.add_javascript_url(catalog)
    for name in (COMMON_JS, script):
        fragment.add_javascript_url(block.runtime.local_resource_url(block, name))


def html_safe_json(data: Any) -> str:
    """JSON that cannot end the ``<script>`` element or the HTML around it (``</script>``, ``<!--``)."""
    return json.dumps(data, ensure_ascii=False).translate(_HTML_SAFE_JSON)


def initialize_js(fragment: Fragment, function: str, data: Any = None) -> None:
    """``fragment.initialize_js(function, data)`` for data holding author or learner text.

    Runtimes (XBlock's, the LMS's, the workbench's) write init args into
    ``<script type="json/xblock-args">`` with plain ``json.dumps``, so a ``</script>`` in any text
    would end the block and run the rest as markup. The data travels instead as one HTML-safe JSON
    string to ``MicrovetInit`` (common.js), which decodes it and calls ``function`` as before.
    """
    fragment.initialize_js("MicrovetInit", {"init": function, "json": html_safe_json(data)})
