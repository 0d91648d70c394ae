"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (W3C vc-di-eddsa, section 3.3).

hashData = SHA-256(RDFC(proof config)) || SHA-256(RDFC(document without proof)); the proof config is
the proof without ``proofValue`` plus the document's ``@context``. ``proof`` is always emitted as an
array (the OB 3.0 JSON schema requires it); a single object is accepted when verifying.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from .. import multibase
from ..canonical import canonize
from ..contexts import check_safe_mode
from ..dates import xsd_datetime
from ..errors import KeyMaterialError, MicrovetError, SigningError
from ..model import issuer_id
from ..resolve import KeyResolver
from . import Check

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PURPOSE = "assertionMethod"
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def hash_data(document: dict[str, Any], proof_config: dict[str, Any]) -> bytes:
    """proofHash || docHash, the 64 bytes an eddsa-rdfc-2022 signature covers."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof_hash = hashlib.sha256(canonize(proof_config).encode("utf-8")).digest()
    doc_hash = hashlib.sha256(canonize(unsecured).encode("utf-8")).digest()
    return proof_hash + doc_hash


def _proof_config(document: dict[str, Any], proof: dict[str, Any]) -> dict[str, Any]:
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = document["@context"]
    return config


def sign_di(
    document: dict[str, Any],
    key: ed25519.Ed25519PrivateKey,
    verification_method: str,
    created: str | None = None,
) -> dict[str, Any]:
    """Return a copy of ``document`` with an eddsa-rdfc-2022 proof appended to ``proof: [...]``.

    Refuses (SafeModeError) a document with undefined terms or relative IRIs: they would be dropped
    from the signed N-Quads and so be displayed without being protected by the signature.
    """
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise SigningError("key", "eddsa-rdfc-2022 needs an Ed25519 private key")
    if "#" not in verification_method:
        raise SigningError("verificationMethod", "must be a verification method id with a #fragment")
    created = created or xsd_datetime()
    if not _DATETIME.match(created):
        raise SigningError("proof.created", f"{created!r} is not an XML Schema dateTime with a time zone")
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    check_safe_mode(unsecured)
    proof = {
        "type": PROOF_TYPE,
        "created": created,
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": PURPOSE,
    }
    signature = key.sign(hash_data(unsecured, _proof_config(unsecured, proof)))
    proof["proofValue"] = multibase.encode(signature)
    existing = document.get("proof", [])
    proofs = list(existing) if isinstance(existing, list) else [existing]
    return unsecured | {"proof": [*proofs, proof]}


def verify_di(document: dict[str, Any], resolver: KeyResolver) -> list[Check]:
    """Verify every DataIntegrityProof of ``document``; one list of named checks (prefixed per proof if several)."""
    raw = document.get("proof")
    proofs = raw if isinstance(raw, list) else ([raw] if isinstance(raw, dict) else [])
    if not proofs:
        return [Check("proof present", False, "the document has no proof")]
    checks = [Check("proof present", True)]
    for index, proof in enumerate(proofs):
        prefix = f"proof[{index}] " if len(proofs) > 1 else ""
        checks += [Check(prefix + c.name, c.passed, c.reason) for c in _verify_one(document, proof, resolver)]
    return checks


def _verify_one(document: dict[str, Any], proof: Any, resolver: KeyResolver) -> list[Check]:
    if not isinstance(proof, dict):
        return [Check("cryptosuite supported", False, "the proof is not a JSON object")]
    checks: list[Check] = []

    def check(name: str, passed: bool, reason: str) -> bool:
        checks.append(Check(name, passed, "" if passed else reason))
        return passed

    suite_ok = check(
        "cryptosuite supported",
        proof.get("type") == PROOF_TYPE and proof.get("cryptosuite") == CRYPTOSUITE,
        f"type {proof.get('type')!r} / cryptosuite {proof.get('cryptosuite')!r}; "
        f"only {PROOF_TYPE} with {CRYPTOSUITE} is supported",
    )
    check(
        "proofPurpose assertionMethod",
        proof.get("proofPurpose") == PURPOSE,
        f"proofPurpose is {proof.get('proofPurpose')!r}; a credential proof must be {PURPOSE}",
    )
    vm_id = proof.get("verificationMethod")
    resolved = None
    try:
        if not isinstance(vm_id, str):
            raise KeyMaterialError("proof.verificationMethod", "missing or not a string")
        resolved = resolver.resolve_verification_method(vm_id)
    except MicrovetError as exc:
        check("verification method resolvable", False, str(exc))
    else:
        check("verification method resolvable", True, "")
    issuer = issuer_id(document)
    if resolved is not None:
        check(
            "controller is issuer",
            resolved.controller == issuer,
            f"the key is controlled by {resolved.controller!r}, the issuer is {issuer!r}",
        )
        check(
            "key listed under assertionMethod",
            resolved.assertion_method,
            f"{vm_id} is not listed under assertionMethod of {resolved.controller}",
        )
    if suite_ok and resolved is not None:
        check("signature valid", *_signature(document, proof, resolved.public_key))
    else:
        check("signature valid", False, "not checked: unsupported proof or unresolvable key")
    return checks


def _signature(document: dict[str, Any], proof: dict[str, Any], public_key: Any) -> tuple[bool, str]:
    if not isinstance(public_key, ed25519.Ed25519PublicKey):
        return False, "the verification method is not an Ed25519 key"
    try:
        signature = multibase.decode(proof.get("proofValue", ""), subject="proof.proofValue")
    except KeyMaterialError as exc:
        return False, str(exc)
    if len(signature) != 64:
        return False, "proof.proofValue: an Ed25519 signature has 64 bytes"
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    try:
        data = hash_data(unsecured, _proof_config(unsecured, proof))
    except MicrovetError as exc:
        return False, f"cannot canonicalize: {exc}"
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False, "the signature does not match the document and the key (altered document or wrong key)"
    return True, ""
