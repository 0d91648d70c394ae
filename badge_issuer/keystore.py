"""Issuer key sets on disk: create, load (permission-checked) and rotate.

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
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from .dates import xsd_datetime
from .errors import KeyMaterialError
from .files import write_atomic, write_json
from .issuer_keys import IssuerKeys, KeyRecord
from .jwk import JwtAlg, PrivateKey, alg_for_key, did_key_from_public_key, new_private_key, public_jwk

ISSUER_FILE = "issuer.json"
KEYS_DIR = "keys"


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


def _new_issuer_id(method: str, domain: str | None, path: str, di_key: ed25519.Ed25519PrivateKey) -> str:
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


#: The members of an issuer profile (issuer.json, ``microvet keygen --name ...``).
PROFILE_FIELDS = ("name", "url", "email", "country", "region")


def _profile(profile: Mapping[str, str]) -> dict[str, str]:
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise KeyMaterialError(f"profile.{sorted(unknown)[0]}", f"unknown field; allowed: {', '.join(PROFILE_FIELDS)}")
    if not str(profile.get("name", "")).strip():
        raise KeyMaterialError("profile.name", "the issuer needs a name")
    country = profile.get("country", "")
    if country and not (len(country) == 2 and country.isalpha() and country.isupper()):
        raise KeyMaterialError("profile.country", "use an ISO 3166-1 alpha-2 code such as IT")
    return {k: str(profile[k]) for k in PROFILE_FIELDS if profile.get(k)}


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
    issuer_id = _new_issuer_id(did, domain, path, di_key)
    created = xsd_datetime()
    private: dict[str, PrivateKey] = {"key-1": di_key}
    records = [KeyRecord("key-1", "di", "EdDSA", public_jwk(di_key), created)]
    active_jwt = "key-1"
    if did != "key":
        private["key-2"] = new_private_key(jwt_alg)
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
    di_key, jwt_key = ed25519.Ed25519PrivateKey.generate(), new_private_key(old.jwt_alg)
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
