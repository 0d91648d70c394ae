"""Public views: credentials, badges, ELM, the verification page, issuer documents, status lists.

No login; every response carries an ETag and Cache-Control so proxies and wallets can cache it.
Unknown ids are 404 (JSON for machine formats, HTML for the page), never a stack trace.
Media types: ``application/vc+ld+json`` for the JSON-LD credential and status lists,
``application/vc+jwt`` for the VC-JWT (the VC-JOSE-COSE media type for a secured credential).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import Context, Engine
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext as _

from badge_issuer.badge_image import default_badge_png, default_badge_svg
from badge_issuer.bake import bake_png, bake_svg
from badge_issuer.definition import Definition, parse_definition
from badge_issuer.elm import to_elm
from badge_issuer.errors import BakingError, KeyMaterialError
from badge_issuer.verify import verify

from . import alliance
from .api import NotFound, get_credential, public_urls
from .check_labels import check_label
from .config import config, issuer_keys
from .eu_elements import award_elements
from .issuance import issuer_profile
from .models import IssuedCredential, StatusList

#: The form of list ids (``<purpose>-<sequence>``, service/issuance.py); anything else names no list.
STATUS_LIST_ID = re.compile(r"[a-z]{1,20}-[0-9]{1,10}")
VC_LD = "application/vc+ld+json"
VC_JWT = "application/vc+jwt"
#: Templates live with the package's other templates (microcredential_xblock/templates/microvet/).
ENGINE = Engine(
    dirs=[str(Path(__file__).resolve().parent.parent / "templates")],
    libraries={"i18n": "django.templatetags.i18n"},
    autoescape=True,
)


def _cached(request: HttpRequest, body: bytes | str, content_type: str) -> HttpResponse:
    """The body with an ETag of its content; 304 when If-None-Match names it (RFC 9110 weak comparison:
    ``W/`` tags, lists and ``*``, as Django's ``condition()`` answers). The tag needs the body, so Django's
    helper runs after the view rather than as its decorator."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    response = HttpResponse(data, content_type=content_type)
    response["ETag"] = f'"{hashlib.sha256(data).hexdigest()[:32]}"'
    patch_cache_control(response, public=True, max_age=config().cache_seconds)
    response = get_conditional_response(request, etag=response["ETag"], response=response)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _json(request: HttpRequest, document: Any, content_type: str = "application/json") -> HttpResponse:
    return _cached(request, json.dumps(document, ensure_ascii=False, indent=2), f"{content_type}; charset=utf-8")


def _not_found(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=404)


class Retired(LookupError):
    """The credential's learner was retired by the platform: its copies are erased (410 Gone)."""


def _credential(uid: Any) -> IssuedCredential:
    """The credential with this id, NotFound, or Retired (its status list still answers)."""
    row = get_credential(uid)
    if row.retired_at is not None:
        raise Retired(
            _(
                "This credential's holder has closed their account: its copy is no longer kept here. "
                "Its status is still published."
            )
        )
    return row


def only(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Like Django's ``require_http_methods``, but the 405 says why, in JSON, with ``Allow``."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                allowed = ", ".join(methods)
                message = _("This address only answers %(methods)s requests.") % {"methods": allowed}
                response = JsonResponse({"error": message}, status=405)
                response["Allow"] = allowed
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET/HEAD only; a missing credential, list or key set is a 404, not a 500."""

    @only("GET", "HEAD")
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return _not_found(str(exc))
        except Retired as exc:
            return JsonResponse({"error": str(exc)}, status=410)
        except KeyMaterialError:
            return _not_found(_("This service has no issuer keys configured."))

    return wrapper


# ------------------------------------------------------------------------------------------ credentials


@public
def credential(request: HttpRequest, uid: Any) -> HttpResponse:
    return _json(request, _credential(uid).document, VC_LD)


@public
def credential_jwt(request: HttpRequest, uid: Any) -> HttpResponse:
    row = _credential(uid)
    if not row.jwt:
        return _not_found(_("This credential was not issued as a VC-JWT."))
    return _cached(request, row.jwt, VC_JWT)


@public
def elm(request: HttpRequest, uid: Any) -> HttpResponse:
    row = _credential(uid)
    return _json(request, to_elm(_definition(row), row.document), "application/ld+json")


def _definition(row: IssuedCredential) -> Definition:
    return parse_definition(row.definition_snapshot["definition"])


@public
def badge_png(request: HttpRequest, uid: Any) -> HttpResponse:
    return _cached(request, _baked(_credential(uid), "image/png"), "image/png")


@public
def badge_svg(request: HttpRequest, uid: Any) -> HttpResponse:
    response = _cached(request, _baked(_credential(uid), "image/svg+xml"), "image/svg+xml")
    # An author's SVG is served from the LMS origin: it must never run script there.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _baked(row: IssuedCredential, media_type: str) -> bytes | str:
    """The credential baked into the author's image, or into the default one if there is none or it is unusable."""
    bake = bake_png if media_type == "image/png" else bake_svg
    image = _image(row, media_type)
    if image is not None:
        try:
            return bake(image, row.document)
        except BakingError:
            pass
    title, level = _title_level(row)
    return bake(_default_png(title, level) if bake is bake_png else default_badge_svg(title, level), row.document)


def _title_level(row: IssuedCredential) -> tuple[str, int | None]:
    definition = row.definition_snapshot["definition"]
    return definition["title"], definition.get("eqf_level")


@lru_cache(maxsize=64)
def _default_png(title: str, eqf_level: int | None) -> bytes:
    return default_badge_png(title, eqf_level)


def _image(row: IssuedCredential, media_type: str) -> bytes | None:
    """The definition's own image when it is a base64 data: URI of this type (https images are never fetched)."""
    image = row.definition_snapshot["definition"].get("image") or ""
    header, _sep, payload = image.partition(",")
    return base64.b64decode(payload) if header == f"data:{media_type};base64" else None


# ------------------------------------------------------------------------------------------ verification page


def _status_fetcher(url: str) -> Mapping[str, Any]:
    """Our own lists from the database; an alliance member's list from its published copy."""
    if url.startswith(config().base_url + "/"):
        list_id = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
        row = StatusList.objects.filter(list_id=list_id).first()
        if row is not None and row.signed is not None:
            return row.signed
    members = alliance.member_status_fetcher()
    if members is None:
        raise KeyError(url)
    return members(url)


@public
def verify_page(request: HttpRequest, uid: Any) -> HttpResponse:
    try:
        row = _credential(uid)
    except NotFound:
        html = ENGINE.get_template("microvet/service/not_found.html").render(Context({}))
        return HttpResponse(html, status=404)
    except Retired as exc:
        html = ENGINE.get_template("microvet/service/not_found.html").render(Context({"gone": str(exc)}))
        return HttpResponse(html, status=410)
    report = verify(row.document, resolver=alliance.page_resolver(issuer_keys()), status_fetcher=_status_fetcher)
    definition = _definition(row)
    alliance.count_view(row.pk)
    own_checks = [c for c in report.checks if not alliance.is_endorsement_check(c.name)]
    context = {
        "row": row,
        "report": report,
        # An endorsement withdrawn later is shown as such; it does not make the credential invalid.
        "checks": [(check_label(c.name), c) for c in own_checks],
        "credential_ok": bool(own_checks) and all(c.passed for c in own_checks),
        "endorsements": alliance.shown_endorsements(row.document),
        "definition": definition,
        "issuer": row.document.get("issuer", {}),
        "elements": award_elements(row, definition),
        "urls": public_urls(row),
        "state": dict(IssuedCredential.STATES).get(row.state, row.state),
    }
    html = ENGINE.get_template("microvet/service/verify.html").render(Context(context))
    response = _cached(request, html, "text/html; charset=utf-8")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"
    return response


# ------------------------------------------------------------------------------------------ issuer and status


@public
def issuer(request: HttpRequest) -> HttpResponse:
    """The issuer Profile; for an https issuer it is also the controller document of its keys."""
    keys = issuer_keys()
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        **issuer_profile(keys),
    }
    if keys.method == "https":
        controller = keys.controller_document()
        document["@context"] = [*controller["@context"], *document["@context"]]
        document.update(
            verificationMethod=controller["verificationMethod"], assertionMethod=controller["assertionMethod"]
        )
    return _json(request, document, "application/ld+json")


@public
def did_document(request: HttpRequest) -> HttpResponse:
    keys = issuer_keys()
    if keys.method != "web":
        return _not_found(_("This issuer is not a did:web issuer."))
    return _json(request, keys.did_document(), "application/did+ld+json")


@public
def jwks(request: HttpRequest) -> HttpResponse:
    return _json(request, issuer_keys().jwks(), "application/jwk-set+json")


@public
def status_list(request: HttpRequest, list_id: str) -> HttpResponse:
    if not STATUS_LIST_ID.fullmatch(list_id):  # e.g. NUL, which PostgreSQL refuses even in a lookup
        return _not_found(_("No such status list."))
    row = StatusList.objects.filter(list_id=list_id).first()
    if row is None or row.signed is None:
        return _not_found(_("No such status list."))
    return _json(request, row.signed, VC_LD)
