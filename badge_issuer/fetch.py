"""Fetching what verifying a credential needs: status list credentials, did:web DID documents and
https issuer documents. Never JSON-LD contexts (those come only from the bundle, contexts.py).

HTTPS only, with a timeout, a size limit and redirects kept to HTTPS; every failure is a
FetchError naming the URL and the reason. ``allow_http_loopback`` speaks plain http to
127.0.0.0/8, ::1 and localhost, for http and https URLs alike (a local LMS in development, and the
tests' loopback server); it is never the default and changes nothing for other hosts.
The standard library's urllib is enough for GET with these limits.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import MicrovetError
from .issuer_keys import IssuerKeys
from .resolve import OfflineResolver, document_paths, document_urls
from .verify import file_status_fetcher

DEFAULT_TIMEOUT = 10.0
#: A status list credential of 131,072 bits is about 1 KiB; DID documents are smaller still.
MAX_BYTES = 2 * 1024 * 1024
ACCEPT = "application/vc+ld+json, application/did+ld+json, application/ld+json, application/json;q=0.9"


class FetchError(MicrovetError):
    """A document needed for verification could not be fetched; subject = the URL."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Fetcher:
    """GET JSON documents under the limits above, each URL at most once per Fetcher (a memo)."""

    def __init__(
        self, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = MAX_BYTES, allow_http_loopback: bool = False
    ):
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.allow_http_loopback = allow_http_loopback
        self._memo: dict[str, dict[str, Any]] = {}
        self._opener = urllib.request.build_opener(_RedirectPolicy(self))

    def check_url(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme == "https" and parts.hostname:
            return url
        if parts.scheme == "http" and parts.hostname and self.allow_http_loopback and is_loopback(parts.hostname):
            return url
        raise FetchError(url, "only https URLs are fetched")

    def get_json(self, url: str) -> dict[str, Any]:
        url = url.partition("#")[0]
        if url not in self._memo:
            self._memo[url] = self._get(self.check_url(url))
        return self._memo[url]

    def _get(self, url: str) -> dict[str, Any]:
        parts = urlsplit(url)
        target = url
        if self.allow_http_loopback and parts.scheme == "https" and is_loopback(parts.hostname or ""):
            target = parts._replace(scheme="http").geturl()
        # check_url admitted only https (or loopback http): no file: or custom schemes reach urlopen
        request = urllib.request.Request(target, headers={"Accept": ACCEPT, "User-Agent": "microvet-verify"})  # noqa: S310
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body = response.read(self.max_bytes + 1)
        except urllib.error.HTTPError as exc:
            raise FetchError(url, f"HTTP {exc.code} {exc.reason}") from exc
        except urllib.error.URLError as exc:
            raise FetchError(url, f"cannot connect: {exc.reason}") from exc
        except TimeoutError as exc:
            raise FetchError(url, f"no answer within {self.timeout:g} s") from exc
        except OSError as exc:
            raise FetchError(url, f"connection failed: {exc}") from exc
        if len(body) > self.max_bytes:
            raise FetchError(url, f"larger than {self.max_bytes} bytes; refused")
        try:
            document = json.loads(body)
        except ValueError as exc:
            raise FetchError(url, f"not JSON: {exc}") from exc
        if not isinstance(document, dict):
            raise FetchError(url, "expected a JSON object")
        return document


class _RedirectPolicy(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to a URL the fetcher would fetch itself (no downgrade to http)."""

    def __init__(self, fetcher: Fetcher):
        super().__init__()
        self.fetcher = fetcher

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0917 - urllib's signature
        self.fetcher.check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class FetchingResolver(OfflineResolver):
    """did:key natively; did:web and https issuers from ``resolve_dir`` copies if present, else fetched.

    The JWT keys of a fetched issuer are the JsonWebKey methods its document lists under
    assertionMethod (what DID resolvers use), so no separate JWKS request is made.
    """

    def __init__(self, fetcher: Fetcher, resolve_dir: str | Path | None = None, issuers: Iterable[IssuerKeys] = ()):
        super().__init__(resolve_dir, issuers)
        self.fetcher = fetcher

    def _documents(self, controller: str) -> tuple[dict[str, Any], dict[str, Any]]:
        if controller in self._issuers or (
            self.resolve_dir is not None and document_paths(controller, self.resolve_dir)[0].exists()
        ):
            return super()._documents(controller)
        url = document_urls(controller)[0]
        document = self.fetcher.get_json(url)
        if document.get("id") != controller:  # the JWT keys below are trusted only as this issuer's
            raise FetchError(url, f"is the document of {document.get('id')!r}, not of {controller!r}")
        return document, jwks_of(document)


def jwks_of(document: Mapping[str, Any]) -> dict[str, Any]:
    """A JWK set of the JsonWebKey methods a DID / controller document lists under assertionMethod."""
    listed = {p if isinstance(p, str) else p.get("id") for p in document.get("assertionMethod", [])}
    return {
        "keys": [
            {**method["publicKeyJwk"], "kid": method["id"]}
            for method in document.get("verificationMethod", [])
            if isinstance(method, Mapping)
            and method.get("id") in listed
            and isinstance(method.get("publicKeyJwk"), dict)
        ]
    }


def status_fetcher(fetcher: Fetcher, resolve_dir: str | Path | None = None):
    """Status list credentials from ``resolve_dir`` copies when present, else fetched."""
    local = file_status_fetcher(resolve_dir) if resolve_dir is not None else None

    def fetch(url: str) -> Mapping[str, Any]:
        if local is not None:
            try:
                return local(url)
            except OSError:
                pass
        return fetcher.get_json(url)

    return fetch
