"""An issuer's key set as this package models it, and the public documents made from it: the DID or
controller document, the JWKS and the OB 3.0 issuer Profile.

Every key, active or retired, stays in the public documents, so older credentials keep verifying;
only the active keys have a loaded private key (files and rotation: :mod:`keystore`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric import ed25519

from . import multibase
from .contexts import DID_V1, JWK_V1, MULTIKEY_V1
from .errors import KeyMaterialError
from .jwk import PrivateKey, PublicKey, public_jwk, public_key_from_jwk, raw_ed25519


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
                "publicKeyMultibase": multibase.public_key_multibase(raw_ed25519(record.public_key())),
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
