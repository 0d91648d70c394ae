"""Issuer key sets on disk, their public documents (DID / controller document, JWKS, Profile), rotation,
and an offline resolver for verification methods and JWT keys.

Layout of an issuer directory (see docs/decisions/0002-proof-formats-and-keys.md)::

    issuer.json          public: issuer id, profile, every key (active and retired) with its public part
    keys/<key-id>.pem    private keys of the ACTIVE keys only, PKCS#8 PEM, mode 0600

Retired private keys are deleted on rotation (a retired key must never sign again); their public
parts stay in issuer.json and in every published document, so older credentials keep verifying.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from . import multibase
from .contexts import DID_V1, JWK_V1, MULTIKEY_V1
from .errors import KeyMaterialError
from .files import write_atomic, write_json
from .dates import xsd_datetime

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey
JwtAlg = Literal["EdDSA", "ES256", "RS256"]
JWT_ALGS: tuple[str, ...] = ("EdDSA", "ES256", "RS256")
ISSUER_FILE = "issuer.json"
KEYS_DIR = "keys"
RSA_BITS = 3072  # above the 2048-bit floor, the NIST size for use beyond 2030


@dataclass(frozen=True)
class KeyRecord:
    """Public description of one key in issuer.json. ``alg`` is the JOSE name (Ed25519 DI keys: EdDSA)."""

    key_id: str  # "key-1"; the verification method id is issuer-specific (see IssuerKeys.vm_id)
    purpose: Literal["di", "jwt"]
    alg: str
    public_jwk: dict[str, Any]
    created: str
    retired: str | None = None

    def public_key(self) -> PublicKey:
        return public_key_from_jwk(self.public_jwk, subject=self.key_id)

    def to_json(self) -> dict[str, Any]:
        data = {
            "id": self.key_id,
            "purpose": self.purpose,
            "alg": self.alg,
            "publicJwk": self.public_jwk,
            "created": self.created,
        }
        return data | ({"retired": self.retired} if self.retired else {})


@dataclass(frozen=True)
class IssuerKeys:
    """An issuer: its id, profile, all key records, and the loaded private keys of the active keys."""

    issuer_id: str
    method: Literal["key", "web", "https"]
    profile: dict[str, str]
    keys: tuple[KeyRecord, ...]
    active_di: str
    active_jwt: str
    private_keys: Mapping[str, PrivateKey] = field(default_factory=dict, repr=False, compare=False)

    # ----- verification method ids -----
    def vm_id(self, key_id: str) -> str:
        """Verification method id of a key: did:key:z..#z.., did:web:d#key-N or https://d/p#key-N."""
        if self.method == "key":
            return f"{self.issuer_id}#{self.issuer_id.removeprefix('did:key:')}"
        return f"{self.issuer_id}#{key_id}"

    @property
    def di_verification_method(self) -> str:
        return self.vm_id(self.active_di)

    @property
    def jwt_kid(self) -> str:
        return self.vm_id(self.active_jwt)

    @property
    def jwt_alg(self) -> str:
        return self.record(self.active_jwt).alg

    @property
    def di_key(self) -> ed25519.Ed25519PrivateKey:
        key = self.private_keys.get(self.active_di)
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise KeyMaterialError(self.active_di, "the active Data Integrity private key is not loaded")
        return key

    @property
    def jwt_key(self) -> PrivateKey:
        key = self.private_keys.get(self.active_jwt)
        if key is None:
            raise KeyMaterialError(self.active_jwt, "the active VC-JWT private key is not loaded")
        return key

    @property
    def retired_keys(self) -> tuple[KeyRecord, ...]:
        return tuple(k for k in self.keys if k.retired)

    def record(self, key_id: str) -> KeyRecord:
        for record in self.keys:
            if record.key_id == key_id:
                return record
        raise KeyMaterialError(key_id, "no such key in issuer.json")

    # ----- public documents -----
    def did_document(self) -> dict[str, Any]:
        """DID document (did:key and did:web): the same methods as the controller document."""
        if self.method == "https":
            raise KeyMaterialError(self.issuer_id, "an https issuer has a controller document, not a DID document")
        return self.controller_document()

    def controller_document(self) -> dict[str, Any]:
        """Controller/DID document: every key, active and retired, under verificationMethod and assertionMethod.

        Ed25519 Data Integrity keys are Multikeys; VC-JWT keys are JsonWebKey methods, so a verifier that
        resolves a JWT ``kid`` through the DID document (as DID resolvers do) finds it, not only via the JWKS.
        """
        methods = [self._method(k) for k in self.keys]
        methods = list({m["id"]: m for m in methods}.values())  # did:key: one key serves both formats
        contexts = [DID_V1, MULTIKEY_V1] + ([JWK_V1] if any(m["type"] == "JsonWebKey" for m in methods) else [])
        ids = [m["id"] for m in methods]
        return {"@context": contexts, "id": self.issuer_id, "verificationMethod": methods, "assertionMethod": ids}

    def _method(self, record: KeyRecord) -> dict[str, Any]:
        method = {"id": self.vm_id(record.key_id), "controller": self.issuer_id}
        if record.purpose == "di":
            return method | {
                "type": "Multikey",
                "publicKeyMultibase": multibase.public_key_multibase(_raw_ed25519(record.public_key())),
            }
        return method | {"type": "JsonWebKey", "publicKeyJwk": public_jwk(record.public_key())}

    def jwks(self, *, include_iss: bool = False) -> dict[str, Any]:
        """JWKS of every JWT key (active and retired): public members only, plus kid, alg and use."""
        keys = []
        for k in self.keys:
            if k.purpose != "jwt" and k.key_id != self.active_jwt:  # did:key: the DI key also signs JWTs
                continue
            jwk = public_jwk(k.public_key()) | {"kid": self.vm_id(k.key_id), "alg": k.alg, "use": "sig"}
            keys.append(jwk | ({"iss": self.issuer_id} if include_iss else {}))
        return {"keys": keys}

    def issuer_profile(self) -> dict[str, Any]:
        """OB 3.0 Profile of the issuer, embedded as the credential's ``issuer``."""
        profile: dict[str, Any] = {"id": self.issuer_id, "type": ["Profile"], "name": self.profile["name"]}
        for name in ("url", "email"):
            if self.profile.get(name):
                profile[name] = self.profile[name]
        if self.profile.get("country"):
            address = {"type": ["Address"], "addressCountryCode": self.profile["country"]}
            if self.profile.get("region"):
                address["addressRegion"] = self.profile["region"]
            profile["address"] = address
        return profile

    def to_json(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer_id,
            "method": self.method,
            "profile": self.profile,
            "activeKeys": {"di": self.active_di, "jwt": self.active_jwt},
            "keys": [k.to_json() for k in self.keys],
        }


# ---------------------------------------------------------------- key conversions


def _raw_ed25519(key: PublicKey) -> bytes:
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise KeyMaterialError("publicKeyMultibase", "only Ed25519 keys are published as Multikey")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_jwk(key: PublicKey | PrivateKey) -> dict[str, Any]:
    """Public JWK of a key (private members are never produced, even from a private key)."""
    if isinstance(key, (ed25519.Ed25519PrivateKey, rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        key = key.public_key()
    if isinstance(key, ed25519.Ed25519PublicKey):
        jwk = OKPAlgorithm.to_jwk(key, as_dict=True)
    elif isinstance(key, rsa.RSAPublicKey):
        jwk = RSAAlgorithm.to_jwk(key, as_dict=True)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        jwk = ECAlgorithm.to_jwk(key, as_dict=True)
    else:
        raise KeyMaterialError("jwk", f"unsupported key type {type(key).__name__}")
    return {k: v for k, v in jwk.items() if k in _PUBLIC_MEMBERS}


_PUBLIC_MEMBERS = frozenset({"kty", "crv", "x", "y", "n", "e"})


def public_key_from_jwk(jwk: Mapping[str, Any], *, subject: str = "jwk") -> PublicKey:
    """Parse a public JWK (OKP Ed25519, EC P-256, RSA); a JWK with a private member is refused."""
    if not isinstance(jwk, Mapping):
        raise KeyMaterialError(subject, "a JWK must be a JSON object")
    if "d" in jwk or "p" in jwk:
        raise KeyMaterialError(subject, "contains private key members; only public JWKs are accepted")
    kty = jwk.get("kty")
    try:
        if kty == "OKP" and jwk.get("crv") == "Ed25519":
            key = OKPAlgorithm.from_jwk(dict(jwk))
        elif kty == "EC" and jwk.get("crv") == "P-256":
            key = ECAlgorithm.from_jwk(dict(jwk))
        elif kty == "RSA":
            key = RSAAlgorithm.from_jwk(dict(jwk))
        else:
            raise KeyMaterialError(subject, f"unsupported key type kty={kty!r} crv={jwk.get('crv')!r}")
    except (ValueError, KeyError, TypeError) as exc:  # PyJWT raises InvalidKeyError (a ValueError subclass)
        raise KeyMaterialError(subject, f"not a valid public JWK: {exc}") from exc
    return key  # type: ignore[return-value]


def alg_for_key(key: PublicKey | PrivateKey) -> str:
    """JOSE alg for a key: Ed25519 -> EdDSA, P-256 -> ES256, RSA (>= 2048 bits) -> RS256."""
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return "EdDSA"
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        if not isinstance(key.curve, ec.SECP256R1):
            raise KeyMaterialError("alg", f"EC curve {key.curve.name} is not supported; use P-256 (ES256)")
        return "ES256"
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        if key.key_size < 2048:
            raise KeyMaterialError("alg", f"RSA key of {key.key_size} bits is too short; RS256 needs >= 2048")
        return "RS256"
    raise KeyMaterialError("alg", f"unsupported key type {type(key).__name__}")


def did_key_from_public_key(key: ed25519.Ed25519PublicKey) -> str:
    """did:key of an Ed25519 public key: ``did:key:`` + its publicKeyMultibase."""
    return "did:key:" + multibase.public_key_multibase(_raw_ed25519(key))


def _new_private_key(alg: str) -> PrivateKey:
    if alg == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if alg == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    raise KeyMaterialError("jwt_alg", f"{alg!r} is not supported; use one of {', '.join(JWT_ALGS)}")


# ---------------------------------------------------------------- files


def _write_private_key(directory: Path, key_id: str, key: PrivateKey) -> None:
    keys_dir = directory / KEYS_DIR
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    write_atomic(keys_dir / f"{key_id}.pem", pem, 0o600)


def load_private_key(path: Path) -> PrivateKey:
    """Load a PEM private key, refusing one that is readable or writable by group or others."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise KeyMaterialError(str(path), f"cannot read the private key file: {exc.strerror}") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyMaterialError(
            str(path), f"private key file has unsafe permissions {stat.S_IMODE(mode):04o}; run chmod 600 on it"
        )
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise KeyMaterialError(str(path), "not an unencrypted PEM private key") from exc
    if not isinstance(key, (ed25519.Ed25519PrivateKey, rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise KeyMaterialError(str(path), f"unsupported private key type {type(key).__name__}")
    alg_for_key(key)  # size / curve rules
    return key


# ---------------------------------------------------------------- generate / load / rotate


def _issuer_id(method: str, domain: str | None, path: str, di_key: ed25519.Ed25519PrivateKey) -> str:
    if method == "key":
        return did_key_from_public_key(di_key.public_key())
    host, _, port = (domain or "").partition("%3A")
    if not host or "/" in host or ":" in host or host != host.strip().lower() or (port and not port.isdigit()):
        raise KeyMaterialError("domain", f"{domain!r} is not a lower-case host name (a port as %3A<port>, no path)")
    if method == "web":
        return "did:web:" + domain + "".join(":" + part for part in path.strip("/").split("/") if part)
    if method == "https":
        return f"https://{domain.replace('%3A', ':')}/" + path.strip("/")
    raise KeyMaterialError("did", f"{method!r} is not supported; use key, web or https")


_PROFILE_FIELDS = ("name", "url", "email", "country", "region")


def _profile(profile: Mapping[str, str]) -> dict[str, str]:
    unknown = set(profile) - set(_PROFILE_FIELDS)
    if unknown:
        raise KeyMaterialError(f"profile.{sorted(unknown)[0]}", f"unknown field; allowed: {', '.join(_PROFILE_FIELDS)}")
    if not str(profile.get("name", "")).strip():
        raise KeyMaterialError("profile.name", "the issuer needs a name")
    country = profile.get("country", "")
    if country and not (len(country) == 2 and country.isalpha() and country.isupper()):
        raise KeyMaterialError("profile.country", "use an ISO 3166-1 alpha-2 code such as IT")
    return {k: str(profile[k]) for k in _PROFILE_FIELDS if profile.get(k)}


def generate_issuer(
    out_dir: str | os.PathLike[str],
    *,
    did: Literal["key", "web", "https"] = "key",
    domain: str | None = None,
    path: str = "",
    jwt_alg: JwtAlg = "EdDSA",
    profile: Mapping[str, str],
) -> IssuerKeys:
    """Create a new issuer key set in ``out_dir`` (must not already hold one).

    did:key uses ONE Ed25519 key for both proofs (a did:key document holds only that key), so it
    needs jwt_alg="EdDSA". did:web and https issuers get a separate JWT key. ``path`` is the
    issuer URL path (https, e.g. "issuers/aurora") or the did:web path segments.
    """
    directory = Path(out_dir)
    if (directory / ISSUER_FILE).exists():
        raise KeyMaterialError(str(directory / ISSUER_FILE), "an issuer already exists here; use rotate")
    if did == "key" and jwt_alg != "EdDSA":
        raise KeyMaterialError("jwt_alg", "a did:key issuer signs VC-JWT with its Ed25519 key: use EdDSA")
    if did == "https" and not path.strip("/"):
        raise KeyMaterialError("path", "an https issuer id needs a path, e.g. issuers/<name>")
    clean_profile = _profile(profile)
    di_key = ed25519.Ed25519PrivateKey.generate()
    issuer_id = _issuer_id(did, domain, path, di_key)
    created = xsd_datetime()
    private: dict[str, PrivateKey] = {"key-1": di_key}
    records = [KeyRecord("key-1", "di", "EdDSA", public_jwk(di_key), created)]
    active_jwt = "key-1"
    if did != "key":
        private["key-2"] = _new_private_key(jwt_alg)
        records.append(KeyRecord("key-2", "jwt", jwt_alg, public_jwk(private["key-2"]), created))
        active_jwt = "key-2"
    issuer = IssuerKeys(issuer_id, did, clean_profile, tuple(records), "key-1", active_jwt, private)
    directory.mkdir(parents=True, exist_ok=True)
    for key_id, key in private.items():
        _write_private_key(directory, key_id, key)
    write_json(directory / ISSUER_FILE, issuer.to_json())
    return issuer


def load_issuer(directory: str | os.PathLike[str]) -> IssuerKeys:
    """Load issuer.json and the active private keys (permission-checked) from an issuer directory."""
    directory = Path(directory)
    issuer_file = directory / ISSUER_FILE
    try:
        data = json.loads(issuer_file.read_text(encoding="utf-8"))
        records = tuple(
            KeyRecord(k["id"], k["purpose"], k["alg"], k["publicJwk"], k["created"], k.get("retired"))
            for k in data["keys"]
        )
        issuer = IssuerKeys(
            data["issuer"],
            data["method"],
            data["profile"],
            records,
            data["activeKeys"]["di"],
            data["activeKeys"]["jwt"],
        )
    except OSError as exc:
        raise KeyMaterialError(str(issuer_file), f"cannot read: {exc.strerror}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyMaterialError(str(issuer_file), f"not a valid issuer file ({exc!r})") from exc
    private: dict[str, PrivateKey] = {}
    for key_id in dict.fromkeys((issuer.active_di, issuer.active_jwt)):
        path = directory / KEYS_DIR / f"{key_id}.pem"
        key = load_private_key(path)
        if public_jwk(key) != issuer.record(key_id).public_jwk:
            raise KeyMaterialError(str(path), f"does not match the public key of {key_id} in issuer.json")
        private[key_id] = key
    return IssuerKeys(
        issuer.issuer_id, issuer.method, issuer.profile, issuer.keys, issuer.active_di, issuer.active_jwt, private
    )


def rotate_keys(directory: str | os.PathLike[str]) -> IssuerKeys:
    """Make new active DI and JWT keys; retire the old ones (public part kept, private file deleted).

    A did:key issuer cannot rotate: its identifier *is* its key. Move to did:web or https for that.
    """
    directory = Path(directory)
    old = load_issuer(directory)
    if old.method == "key":
        raise KeyMaterialError(old.issuer_id, "a did:key identifier is its key and cannot rotate; use did:web or https")
    now = xsd_datetime()
    next_number = max(int(k.key_id.removeprefix("key-")) for k in old.keys) + 1
    new_di, new_jwt = f"key-{next_number}", f"key-{next_number + 1}"
    di_key, jwt_key = ed25519.Ed25519PrivateKey.generate(), _new_private_key(old.jwt_alg)
    retired = {old.active_di, old.active_jwt}
    records = (
        *(replace(k, retired=now) if k.key_id in retired else k for k in old.keys),
        KeyRecord(new_di, "di", "EdDSA", public_jwk(di_key), now),
        KeyRecord(new_jwt, "jwt", old.jwt_alg, public_jwk(jwt_key), now),
    )
    issuer = IssuerKeys(
        old.issuer_id, old.method, old.profile, records, new_di, new_jwt, {new_di: di_key, new_jwt: jwt_key}
    )
    _write_private_key(directory, new_di, di_key)
    _write_private_key(directory, new_jwt, jwt_key)
    write_json(directory / ISSUER_FILE, issuer.to_json())  # the commit point of the rotation
    for key_id in retired:
        (directory / KEYS_DIR / f"{key_id}.pem").unlink(missing_ok=True)
    return issuer


rotate = rotate_keys  # name used in docs/internal-api.md


# ---------------------------------------------------------------- publishing and resolving


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
