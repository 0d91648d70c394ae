"""Where an issuer's public documents are published, and an offline resolver for verification
methods and JWT keys that reads them (or in-memory issuers, or a did:key itself).

One layout serves both: :func:`document_paths` maps an issuer id to files under a directory that
can be served as is, :func:`publish` writes them there, and :class:`OfflineResolver` reads them back.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ed25519

from . import multibase
from .errors import KeyMaterialError
from .files import write_json
from .issuer_keys import IssuerKeys
from .jwk import PublicKey, public_key_from_jwk


def document_urls(issuer_id: str) -> tuple[str, str]:
    """The URLs a resolver fetches for an issuer's (DID or controller document, JWKS).

    did:web:example.org            -> https://example.org/.well-known/did.json (DID spec: bare host)
    did:web:example.org:a:b        -> https://example.org/a/b/did.json
    https://example.org/issuers/x  -> https://example.org/issuers/x (the controller document is the id)
    The JWKS sits beside the document (did:web) or at <id>.jwks.json (https).
    """
    if issuer_id.startswith("did:web:"):
        host, *segments = issuer_id.removeprefix("did:web:").split(":")
        if not host or any(s in ("", ".", "..") for s in segments):
            raise KeyMaterialError(issuer_id, "not a did:web identifier (did:web:<host>[:<path>...])")
        base = f"https://{host.replace('%3A', ':')}/" + "".join(f"{s}/" for s in segments)
        base = base if segments else base + ".well-known/"
        return base + "did.json", base + "jwks.json"
    if issuer_id.startswith("https://"):
        url = urlsplit(issuer_id)
        segments = [s for s in url.path.split("/") if s]
        if not url.netloc or not segments or any(s in (".", "..") for s in segments):
            raise KeyMaterialError(issuer_id, "an https issuer id needs a host and a path")
        return issuer_id, issuer_id + ".jwks.json"
    raise KeyMaterialError(issuer_id, "only did:web and https issuers are published as files")


def well_known_jwks_url(issuer_id: str) -> str:
    """``https://<host>/.well-known/jwks.json``, where JOSE verifiers look first (OB 3.0 implementation guide)."""
    return f"https://{urlsplit(document_urls(issuer_id)[0]).netloc}/.well-known/jwks.json"


def url_path(url: str, resolve_dir: str | os.PathLike[str]) -> Path:
    """The file under ``resolve_dir`` that stands for ``url``: <dir>/<host>/<path> (a port as host_port).

    An https issuer's controller document, whose URL has no file name suffix, is <dir>/<host>/<path>.json.
    """
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if not parts.netloc or not segments or any(s in (".", "..") for s in segments):
        raise KeyMaterialError(url, "not an http(s) URL with a path")
    return Path(resolve_dir).joinpath(parts.netloc.replace(":", "_"), *segments)


def document_paths(issuer_id: str, resolve_dir: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Where an issuer's (DID or controller document, JWKS) live under a resolve or publish directory:
    the files of :func:`document_urls` laid out by :func:`url_path`, so the tree can be served as is."""
    doc_url, jwks_url = document_urls(issuer_id)
    doc_path = url_path(doc_url, resolve_dir)
    if issuer_id.startswith("https://"):
        doc_path = doc_path.with_name(doc_path.name + ".json")
    return doc_path, url_path(jwks_url, resolve_dir)


def publish(issuer: IssuerKeys, resolve_dir: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write the issuer's DID / controller document and JWKS where resolvers fetch them (and where
    :class:`OfflineResolver` looks), plus the JWKS merged into <host>/.well-known/jwks.json."""
    doc_path, jwks_path = document_paths(issuer.issuer_id, resolve_dir)
    document = issuer.did_document() if issuer.method == "web" else issuer.controller_document()
    jwks = issuer.jwks(include_iss=True)
    write_json(doc_path, document)
    write_json(jwks_path, jwks)
    well_known = url_path(well_known_jwks_url(issuer.issuer_id), resolve_dir)
    if well_known != jwks_path:
        ours = {k["kid"] for k in jwks["keys"]}
        others = _read_json(well_known).get("keys", []) if well_known.exists() else []
        kept = [k for k in others if isinstance(k, dict) and k.get("kid") not in ours]
        write_json(well_known, {"keys": kept + jwks["keys"]})
    return doc_path, jwks_path


def publication(issuer: IssuerKeys, resolve_dir: str | os.PathLike[str]) -> list[tuple[Path, str]]:
    """(file, URL to serve it at) for every file :func:`publish` writes, for people publishing by hand."""
    doc_url, jwks_url = document_urls(issuer.issuer_id)
    doc_path, jwks_path = document_paths(issuer.issuer_id, resolve_dir)
    files = [(doc_path, doc_url), (jwks_path, jwks_url)]
    well_known = well_known_jwks_url(issuer.issuer_id)
    if well_known != jwks_url:
        files.append((url_path(well_known, resolve_dir), well_known))
    return files


@dataclass(frozen=True)
class ResolvedKey:
    """A verification method or JWT key found by a resolver."""

    id: str
    controller: str
    public_key: PublicKey
    assertion_method: bool


class KeyResolver(Protocol):
    def resolve_verification_method(self, vm_id: str) -> ResolvedKey: ...

    def resolve_jwt_key(
        self, issuer_id: str, *, kid: str | None = None, jwk: Mapping[str, Any] | None = None
    ) -> ResolvedKey: ...


class OfflineResolver:
    """Resolve keys without any network: did:key natively; did:web / https from files or IssuerKeys.

    ``resolve_dir`` uses the layout of :func:`document_paths`; ``issuers`` are in-memory issuers
    (for example the one this installation signs with), consulted before the files.
    """

    def __init__(self, resolve_dir: str | os.PathLike[str] | None = None, issuers: Iterable[IssuerKeys] = ()):
        self.resolve_dir = Path(resolve_dir) if resolve_dir is not None else None
        self._issuers = {i.issuer_id: i for i in issuers}

    def _documents(self, controller: str) -> tuple[dict[str, Any], dict[str, Any]]:
        issuer = self._issuers.get(controller)
        if issuer is not None:
            document = issuer.did_document() if issuer.method != "https" else issuer.controller_document()
            return document, issuer.jwks()
        if self.resolve_dir is None:
            raise KeyMaterialError(controller, "unknown issuer and no resolve directory was given (nothing is fetched)")
        doc_path, jwks_path = document_paths(controller, self.resolve_dir)
        if not doc_path.exists() and doc_path.parent.name == ".well-known":
            # earlier versions wrote a bare-host did:web document to <host>/did.json
            doc_path, jwks_path = doc_path.parent.parent / "did.json", doc_path.parent.parent / "jwks.json"
        return _read_json(doc_path), (_read_json(jwks_path) if jwks_path.exists() else {"keys": []})

    def resolve_verification_method(self, vm_id: str) -> ResolvedKey:
        """Public key, controller and assertionMethod membership of a verification method id."""
        controller, sep, fragment = vm_id.partition("#")
        if not sep or not fragment:
            raise KeyMaterialError(vm_id, "a verification method id needs a #fragment")
        if controller.startswith("did:key:"):
            return _did_key_method(vm_id, controller, fragment)
        document, _ = self._documents(controller)
        if document.get("id") != controller:
            raise KeyMaterialError(vm_id, f"the document found is for {document.get('id')!r}, not {controller!r}")
        for method in document.get("verificationMethod", []):
            if isinstance(method, dict) and method.get("id") == vm_id:
                if method.get("type") != "Multikey" or "publicKeyMultibase" not in method:
                    raise KeyMaterialError(vm_id, "not a Multikey with publicKeyMultibase")
                raw = multibase.public_key_from_multibase(method["publicKeyMultibase"])
                purposes = document.get("assertionMethod", [])
                listed = any(p == vm_id or (isinstance(p, dict) and p.get("id") == vm_id) for p in purposes)
                return ResolvedKey(
                    vm_id, str(method.get("controller", "")), ed25519.Ed25519PublicKey.from_public_bytes(raw), listed
                )
        raise KeyMaterialError(vm_id, f"not listed in the document of {controller}")

    def resolve_jwt_key(
        self, issuer_id: str, *, kid: str | None = None, jwk: Mapping[str, Any] | None = None
    ) -> ResolvedKey:
        """The issuer's key for a JWT, named by ``kid`` or given as a ``jwk`` that the issuer must list."""
        if (kid is None) == (jwk is None):
            raise KeyMaterialError("kid", "exactly one of kid and jwk identifies the signing key")
        if issuer_id.startswith("did:key:"):
            own = _did_key_method(
                f"{issuer_id}#{issuer_id.removeprefix('did:key:')}", issuer_id, issuer_id.removeprefix("did:key:")
            )
            if kid is not None and kid != own.id:
                raise KeyMaterialError(kid, f"a did:key issuer has only the key {own.id}")
            if jwk is not None and public_key_from_jwk(jwk) != own.public_key:
                raise KeyMaterialError("jwk", "is not the did:key issuer's key")
            return own
        _, jwks = self._documents(issuer_id)
        candidates = [k for k in jwks.get("keys", []) if isinstance(k, dict)]
        if kid is not None:
            if kid.partition("#")[0] != issuer_id:
                raise KeyMaterialError(kid, f"kid is not a key of the issuer {issuer_id}")
            match = [k for k in candidates if k.get("kid") == kid]
        else:
            wanted = public_key_from_jwk(jwk)  # type: ignore[arg-type]
            match = [k for k in candidates if public_key_from_jwk(k, subject=str(k.get("kid"))) == wanted]
        if not match:
            raise KeyMaterialError(kid or "jwk", f"not in the JWKS of {issuer_id}")
        found = match[0]
        return ResolvedKey(
            str(found.get("kid", "")), issuer_id, public_key_from_jwk(found, subject=str(found.get("kid"))), True
        )


@lru_cache(maxsize=256)  # a pure function of the DID; decoding it cost a tenth of a verification
def _did_key_method(vm_id: str, controller: str, fragment: str) -> ResolvedKey:
    identifier = controller.removeprefix("did:key:")
    if fragment != identifier:
        raise KeyMaterialError(vm_id, "a did:key verification method fragment must repeat the key")
    raw = multibase.public_key_from_multibase(identifier)
    return ResolvedKey(vm_id, controller, ed25519.Ed25519PublicKey.from_public_bytes(raw), True)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KeyMaterialError(str(path), f"cannot read: {exc.strerror}") from exc
    except ValueError as exc:
        raise KeyMaterialError(str(path), f"not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise KeyMaterialError(str(path), "expected a JSON object")
    return data
