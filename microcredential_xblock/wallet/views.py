"""The OID4VCI endpoints and the LCW exchange: every answer is JSON, every refusal an OAuth-style
``{"error", "error_description"}`` with a 4xx status, never a 5xx (docs/decisions/0015).

Wallets are not browsers with a session: the POST endpoints are CSRF-exempt and authenticate by
the pre-authorized code, the access token or the exchange reference alone.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from badge_issuer.badge_image import default_badge_png
from badge_issuer.errors import KeyMaterialError

from . import metadata, offers, vcapi
from .holder import ProofError, verify_proof
from .offers import OAuthError

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024


def _answer(body: Any, status: int = 200, *, cache: bool = False) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=300" if cache else "no-store"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def endpoint(*methods: str, cache: bool = False) -> Callable:
    """Allowed methods, size limit, and every failure turned into an OAuth-style JSON error."""

    def decorate(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method == "OPTIONS":
                    return _preflight()
                if request.method not in methods and not (request.method == "HEAD" and "GET" in methods):
                    raise OAuthError("invalid_request", f"use {' or '.join(methods)}", 405)
                if _declared_length(request) > MAX_BODY or len(request.body) > MAX_BODY:
                    raise OAuthError("invalid_request", "the request is too large", 413)
                result = view(request, *args, **kwargs)
                return result if isinstance(result, HttpResponse) else _answer(result, cache=cache)
            except OAuthError as exc:
                response = _answer({"error": exc.error, "error_description": exc.description}, exc.status)
                if exc.status == 401:
                    response["WWW-Authenticate"] = f'Bearer error="{exc.error}"'
                return response
            except KeyMaterialError:
                return _answer({"error": "temporarily_unavailable", "error_description": "no issuer keys"}, 400)
            except Exception:  # a bug must not become a 500 page for a wallet; the log keeps the trace
                log.exception("microvet: wallet endpoint %s failed", view.__name__)  # the path may hold a secret
                return _answer({"error": "temporarily_unavailable", "error_description": "please try again"}, 400)

        return wrapper

    return decorate


def _declared_length(request: HttpRequest) -> int:
    """Content-Length, checked before the body is read (Django would refuse a huge one with an error)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise OAuthError("invalid_request", "Content-Length is not a number") from None


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Authorization, Content-Type, DPoP"
    return response


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise OAuthError("invalid_request", "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise OAuthError("invalid_request", "the body must be a JSON object")
    return body


def _issuer_path() -> str:
    return urlsplit(offers.issuer_identifier()).path.strip("/")


# ------------------------------------------------------------------------------------------ metadata


@endpoint("GET", cache=True)
def issuer_metadata(request: HttpRequest) -> dict[str, Any]:
    return metadata.issuer_metadata()


@endpoint("GET", cache=True)
def authorization_server_metadata(request: HttpRequest) -> dict[str, Any]:
    return metadata.authorization_server_metadata()


@endpoint("GET", cache=True)
def issuer_metadata_root(request: HttpRequest, issuer_path: str) -> dict[str, Any]:
    """``/.well-known/openid-credential-issuer/<issuer path>`` (OID4VCI 1.0 section 12.2.2)."""
    if issuer_path.strip("/") != _issuer_path():
        raise OAuthError("invalid_request", "no credential issuer here", 404)
    return metadata.issuer_metadata()


@endpoint("GET", cache=True)
def authorization_server_metadata_root(request: HttpRequest, issuer_path: str) -> dict[str, Any]:
    """``/.well-known/oauth-authorization-server/<issuer path>`` (RFC 8414 section 3.1)."""
    if issuer_path.strip("/") != _issuer_path():
        raise OAuthError("invalid_request", "no authorization server here", 404)
    return metadata.authorization_server_metadata()


@endpoint("GET", cache=True)
def logo(request: HttpRequest, slug: str) -> HttpResponse:
    for row in offers.definitions():
        if offers.configuration_slug(row.microcredential_id) == slug:
            response = HttpResponse(
                _logo_png(row.definition.get("image") or "", row.definition["title"], row.definition.get("eqf_level")),
                content_type="image/png",
            )
            response["Cache-Control"] = "public, max-age=3600"
            return response
    raise OAuthError("invalid_request", "no such logo", 404)


@lru_cache(maxsize=64)
def _logo_png(image: str, title: str, eqf_level: int | None) -> bytes:
    """The author's PNG badge when it is a data: URI, else the generated one (https images are never fetched)."""
    header, _sep, payload = image.partition(",")
    if header == "data:image/png;base64":
        return base64.b64decode(payload)
    return default_badge_png(title, eqf_level)


# ------------------------------------------------------------------------------------------ issuance


@endpoint("GET")
def offer(request: HttpRequest, reference: str) -> dict[str, Any]:
    return offers.offer_document(reference)


@endpoint("POST")
def token(request: HttpRequest) -> dict[str, Any]:
    grant_type = request.POST.get("grant_type")
    if not grant_type:
        raise OAuthError("invalid_request", "grant_type is missing")
    if grant_type != offers.PRE_AUTHORIZED_GRANT:
        raise OAuthError("unsupported_grant_type", f"only {offers.PRE_AUTHORIZED_GRANT} is supported")
    return offers.exchange_code(request.POST.get("pre-authorized_code"), request.POST.get("tx_code"))


@endpoint("POST")
def nonce(request: HttpRequest) -> dict[str, Any]:
    return {"c_nonce": offers.new_nonce()}


def _bearer(request: HttpRequest) -> str:
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise OAuthError("invalid_token", "send the access token as Authorization: Bearer <token>", 401)
    return value.strip()


def _proof_jwt(body: dict[str, Any]) -> Any:
    """The one JWT proof of a request: ``proofs.jwt[0]`` (1.0) or ``proof.jwt`` (drafts 13-15)."""
    proofs, proof = body.get("proofs"), body.get("proof")
    if proofs is not None and proof is not None:
        raise OAuthError("invalid_request", "send proofs or proof, not both")
    if isinstance(proofs, dict):
        if set(proofs) != {"jwt"} or not isinstance(proofs["jwt"], list) or len(proofs["jwt"]) != 1:
            raise OAuthError("invalid_proof", "send exactly one proof of type jwt")
        return proofs["jwt"][0]
    if isinstance(proof, dict) and proof.get("proof_type") == "jwt":
        return proof.get("jwt")
    raise OAuthError("invalid_proof", "a jwt proof of possession of the holder key is required")


@endpoint("POST")
def credential(request: HttpRequest) -> dict[str, Any]:
    row = offers.offer_for_token(_bearer(request))
    body = _json_body(request)
    allowed = {offers.configuration_id(row.microcredential_id, f): f for f in offers.enabled_formats()}
    if "credential_identifier" in body:
        raise OAuthError("unknown_credential_identifier", "this issuer does not hand out credential identifiers")
    configuration_id = body.get("credential_configuration_id")
    if configuration_id is None and "format" in body:  # draft 13 requests name a format
        if body["format"] not in offers.enabled_formats():
            raise OAuthError("unsupported_credential_format", f"supported: {', '.join(offers.enabled_formats())}")
        configuration_id = offers.configuration_id(row.microcredential_id, body["format"])
    if configuration_id not in allowed:
        raise OAuthError("unknown_credential_configuration", "not a credential configuration of this offer")
    try:
        holder, proof_nonce = verify_proof(_proof_jwt(body), audience=offers.issuer_identifier(), now=time.time())
    except ProofError as exc:
        raise OAuthError(exc.error, exc.description) from None
    if not offers.consume_nonce(proof_nonce):
        raise OAuthError("invalid_nonce", "the nonce is unknown, expired or already used; get a new one")
    issued = offers.deliver(row, holder.did)
    value = issued.document if allowed[configuration_id] == "ldp_vc" else issued.jwt
    if "proof" in body or "format" in body:  # a draft 13-15 request gets the answer those drafts define
        return {"credential": value, "format": allowed[configuration_id]}
    return {"credentials": [{"credential": value}]}


@endpoint("POST")
def exchange(request: HttpRequest, reference: str) -> dict[str, Any]:
    """The VC-API exchange the Learner Credential Wallet drives (see vcapi.py)."""
    return vcapi.step(reference, _json_body(request) if request.body else {})
