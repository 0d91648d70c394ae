"""Our credentials and the published test vectors, verified by the independent Node verifiers.

interop/verify.mjs uses the libraries wallets use (Digital Bazaar's vc + data-integrity +
eddsa-rdfc-2022 for Data Integrity, jose for VC-JWT) with a strict offline loader. Node starts once
per group of files (one JSON line per file comes back), so the whole module costs a few node runs.
"""

from __future__ import annotations

import base64
import copy
import json
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from badge_issuer import issue, status
from badge_issuer.definition import load_definition
from badge_issuer.keystore import generate_issuer, load_issuer
from badge_issuer.model import Recipient
from badge_issuer.proofs.data_integrity import sign_di
from badge_issuer.proofs.jwt import expected_claims, sign_jwt
from badge_issuer.resolve import publish
from tests.conftest import OB3_DATA, ROOT, require

pytestmark = pytest.mark.interop

INTEROP = ROOT / "interop"
VECTORS = OB3_DATA / "test-vectors"
OB3_VECTOR = VECTORS / "ob3-eddsa-rdfc-2022"
W3C_VECTOR = VECTORS / "w3c-eddsa-rdfc-2022"
NODE_TIMEOUT = 120  # seconds for one node run over a batch of files (RSA and RDF canonicalization included)


NODE = shutil.which("node")


def _node_ready() -> bool:
    return NODE is not None and (INTEROP / "node_modules" / "@digitalbazaar" / "vc").is_dir()


@pytest.fixture(scope="module", autouse=True)
def _node() -> None:
    require(_node_ready(), "Node.js with interop/node_modules (make node)")


def run_node(script: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run interop/<script> with fixed arguments (no shell), bounded by NODE_TIMEOUT."""
    argv = [str(NODE), str(INTEROP / script), *map(str, args)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=NODE_TIMEOUT, check=False)  # noqa: S603


def run_verify(files: Iterable[Path], *args: str) -> dict[str, dict[str, Any]]:
    """Run verify.mjs once over ``files``; the per-file results keyed by file stem."""
    files = list(files)
    proc = run_node("verify.mjs", *files, *args)
    assert proc.returncode in (0, 1), f"verify.mjs failed to run: {proc.stderr}"
    results = {Path(r["file"]).stem: r for r in map(json.loads, proc.stdout.splitlines())}
    assert len(results) == len(files), proc.stdout
    assert proc.returncode == (0 if all(r["verified"] for r in results.values()) else 1)
    return results


def stranger_key(alg: str):
    """A fresh key of the same type as the issuer's, unknown to every resolver."""
    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if alg == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ed25519.Ed25519PrivateKey.generate()


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def tamper_leaf(credential: dict[str, Any]) -> dict[str, Any]:
    """A copy whose achievement name (a leaf under credentialSubject) differs by one character."""
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["achievement"]["name"] += "!"
    return tampered


def tamper_jwt_payload(token: str, change) -> str:
    """Re-encode the payload after ``change(payload)``, keeping the original header and signature."""
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(data)
    encoded = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


# ---------------------------------------------------------------- published test vectors


@pytest.fixture(scope="module")
def vector_results(tmp_path_factory) -> dict[str, dict[str, dict[str, Any]]]:
    """verify.mjs over the vectors and tampered copies: with a resolve dir, proof-only, and with no dir."""
    tmp = tmp_path_factory.mktemp("vectors")
    key = json.loads((OB3_VECTOR / "keyPair.json").read_text())
    resolve = tmp / "resolve"
    resolve.mkdir()
    public_method = {k: key[k] for k in ("id", "type", "controller", "publicKeyMultibase")}
    write_json(
        resolve / "issuer.json",
        {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": key["controller"],
            "verificationMethod": [public_method],
            "assertionMethod": [key["id"]],
        },
    )
    ob3 = json.loads((OB3_VECTOR / "signed.json").read_text())
    w3c = json.loads((W3C_VECTOR / "signedDataInt.json").read_text())
    w3c_tampered = copy.deepcopy(w3c)
    w3c_tampered["credentialSubject"]["alumniOf"] = "The School of Counterexamples"
    undefined_term = copy.deepcopy(ob3)
    undefined_term["credentialSubject"]["favouriteColour"] = "green"
    unknown_context = copy.deepcopy(ob3)
    unknown_context["@context"].append("https://example.org/not-bundled/context.jsonld")
    return {
        "resolved": run_verify(
            [
                OB3_VECTOR / "signed.json",
                write_json(tmp / "ob3_tampered.json", tamper_leaf(ob3)),
                write_json(tmp / "ob3_unknown_context.json", unknown_context),
                write_json(tmp / "ob3_undefined_term.json", undefined_term),
                W3C_VECTOR / "signedDataInt.json",
            ],
            "--resolve-dir",
            str(resolve),
        ),
        "proof_only": run_verify(
            [
                W3C_VECTOR / "signedDataInt.json",
                write_json(tmp / "w3c_tampered.json", w3c_tampered),
            ],
            "--proof-only",
        ),
        "no_resolve_dir": run_verify([OB3_VECTOR / "signed.json"]),
        "before_valid_from": run_verify(
            [OB3_VECTOR / "signed.json"], "--resolve-dir", str(resolve), "--now", "2009-12-31T00:00:00Z"
        ),
    }


def test_ob3_vector_verifies_with_its_controller_document(vector_results):
    result = vector_results["resolved"]["signed"]
    assert result == {
        "file": str(OB3_VECTOR / "signed.json"),
        "verified": True,
        "format": "di",
        "proofs": ["eddsa-rdfc-2022"],
        "error": None,
    }


def test_w3c_vector_signature_verifies(vector_results):
    assert vector_results["proof_only"]["signedDataInt"]["verified"] is True


def test_w3c_vector_issuer_is_not_its_key_controller(vector_results):
    """The W3C vector's issuer (https://vc.example/...) does not control its did:key: binding refused."""
    result = vector_results["resolved"]["signedDataInt"]
    assert result["verified"] is False
    assert "issuer must match the verification method controller" in result["error"]


@pytest.mark.parametrize(("run", "stem"), [("resolved", "ob3_tampered"), ("proof_only", "w3c_tampered")])
def test_tampered_vector_is_rejected(vector_results, run, stem):
    result = vector_results[run][stem]
    assert result["verified"] is False
    assert "Invalid signature" in result["error"]


def test_loader_refuses_an_unbundled_context(vector_results):
    result = vector_results["resolved"]["ob3_unknown_context"]
    assert result["verified"] is False
    assert "https://example.org/not-bundled/context.jsonld" in result["error"]


def test_undefined_term_is_refused_in_safe_mode(vector_results):
    """A term no context defines would be signed-over-nothing; jsonld safe mode refuses it by name."""
    result = vector_results["resolved"]["ob3_undefined_term"]
    assert result["verified"] is False
    assert "Safe mode validation error" in result["error"]
    assert '"property":"favouriteColour"' in result["error"]


def test_credential_is_not_yet_valid_before_valid_from(vector_results):
    result = vector_results["before_valid_from"]["signed"]
    assert result["verified"] is False
    assert 'is before "validFrom" (2010-01-01T00:00:00Z)' in result["error"]


def test_loader_fetches_no_controller_document(vector_results):
    result = vector_results["no_resolve_dir"]["signed"]
    assert result["verified"] is False
    assert "https://example.edu/issuers/565049#z6Mk" in result["error"]
    assert "not available offline" in result["error"]


def test_missing_resolve_dir_is_a_usage_error(tmp_path):
    proc = run_node("verify.mjs", OB3_VECTOR / "signed.json", "--resolve-dir", tmp_path / "absent")
    assert proc.returncode == 2
    assert str(tmp_path / "absent") in proc.stderr
    assert proc.stdout == ""


# ---------------------------------------------------------------- our credentials

#: (name, did method, JWT algorithm): did:key signs both formats with its one Ed25519 key;
#: the https and did:web issuers publish controller / DID documents and JWK sets in the resolve dir.
ISSUERS = [
    ("didkey", "key", "EdDSA"),
    ("https_es256", "https", "ES256"),
    ("https_rs256", "https", "RS256"),
    ("didweb_eddsa", "web", "EdDSA"),
]
CASES = ["di", "jwt", "both", "both-document", "jwk_header", "vc_claim"]


#: Issuers whose credentials also get a revocation list entry (one did:key, one https issuer).
STATUS_ISSUERS = ["didkey", "https_es256"]


def write_status_cases(issue, issuer, name: str, *, definition, recipient, resolve: Path, out) -> None:
    """Credentials with a Bitstring Status List entry: clear bit, set bit, and a list altered after signing.

    The signed list credentials go into the resolve dir, where the Node loader finds them by id.
    """
    list_url = f"https://{name.replace('_', '-')}.example.org/status/revocation/1"
    forged_url = f"https://{name.replace('_', '-')}.example.org/status/revocation/2"
    revocations = status.StatusList("revocation")
    kept, revoked = revocations.allocate(()), revocations.allocate(())
    while revoked == kept:
        revoked = revocations.allocate(())
    revocations.revoke(revoked)
    listed = issue.sign_credential(
        status.status_list_credential(
            list_url, issuer.issuer_id, "revocation", revocations.encode(), "2026-01-01T00:00:00Z"
        ),
        issuer,
    ).document
    write_json(resolve / f"status-{name}.json", listed)
    clear = status.StatusList("revocation")
    forged = issue.sign_credential(
        status.status_list_credential(
            forged_url, issuer.issuer_id, "revocation", clear.encode(), "2026-01-01T00:00:00Z"
        ),
        issuer,
    ).document
    clear.set(kept)  # flip a bit after signing: the list's own proof must now fail
    forged["credentialSubject"]["encodedList"] = clear.encode()
    write_json(resolve / f"status-{name}-forged.json", forged)

    def issued(url: str, index: int, formats: tuple[str, ...]):
        entry = status.status_entry(url, index, "revocation")
        return issue.issue_credential(definition, recipient, issuer, formats=formats, status_entries=[entry])

    out(f"{name}-status-clear-di", issued(list_url, kept, ("di",)).document)
    out(f"{name}-status-clear-jwt", issued(list_url, kept, ("jwt",)).jwt)
    out(f"{name}-status-revoked-di", issued(list_url, revoked, ("di",)).document)
    out(f"{name}-status-revoked-jwt", issued(list_url, revoked, ("jwt",)).jwt)
    out(f"{name}-status-revoked-both", issued(list_url, revoked, ("di", "jwt")).jwt)
    out(f"{name}-status-forged-list-di", issued(forged_url, kept, ("di",)).document)


@pytest.fixture(scope="module")
def our_results(tmp_path_factory, example_definition_path) -> dict[str, dict[str, Any]]:
    """Issue with badge_issuer for every issuer and format, plus tampered and wrongly keyed copies."""
    tmp = tmp_path_factory.mktemp("ours")
    resolve = tmp / "resolve"
    definition = load_definition(example_definition_path)
    recipient = Recipient("learner@example.org", subject_id="did:example:learner-7")
    files: list[Path] = []

    def out(name: str, content: dict | str) -> None:
        path = tmp / (f"{name}.json" if isinstance(content, dict) else f"{name}.jwt")
        path.write_text(json.dumps(content) if isinstance(content, dict) else content, encoding="utf-8")
        files.append(path)

    issuers = {}
    for name, method, alg in ISSUERS:
        issuer = generate_issuer(
            tmp / name,
            did=method,
            domain=f"{name.replace('_', '-')}.example.org",
            path="issuers/vet-college",
            jwt_alg=alg,
            profile={"name": "VET College"},
        )
        if method != "key":
            publish(issuer, resolve)
        issuers[name] = issuer
        signed = issue.issue_credential(definition, recipient, issuer, formats=("di",)).document
        token = issue.issue_credential(definition, recipient, issuer, formats=("jwt",)).jwt
        both = issue.issue_credential(definition, recipient, issuer, formats=("di", "jwt"))
        out(f"{name}-di", signed)
        out(f"{name}-jwt", token)
        out(f"{name}-both", both.jwt)
        out(f"{name}-both-document", both.document)
        unsigned = {k: v for k, v in signed.items() if k != "proof"}
        out(f"{name}-jwk_header", sign_jwt(unsigned, issuer.jwt_key, None, embed_jwk=True))
        # VC 1.1 JWT encoding: the credential in a "vc" claim, its id and issuer carried only by jti and iss.
        out(
            f"{name}-vc_claim",
            jwt.encode(
                expected_claims(unsigned) | {"vc": {k: v for k, v in unsigned.items() if k not in ("id", "issuer")}},
                issuer.jwt_key,
                algorithm=issuer.jwt_alg,
                headers={"typ": "JWT", "kid": issuer.jwt_kid},
            ),
        )
        # Tampered: a changed leaf under a valid proof / signature.
        out(f"{name}-di-tampered", tamper_leaf(signed))
        out(
            f"{name}-jwt-tampered",
            tamper_jwt_payload(token, lambda p: p["credentialSubject"]["achievement"].update(name="Forged")),
        )
        # The JWS is valid, the Data Integrity proof inside it is not.
        out(f"{name}-both-inner-tampered", sign_jwt(tamper_leaf(signed), issuer.jwt_key, issuer.jwt_kid))
        # Swapped key: signed by a stranger's key while naming the issuer's verification method / kid.
        out(f"{name}-di-swapped", sign_di(unsigned, stranger_key("EdDSA"), issuer.di_verification_method))
        out(f"{name}-jwt-swapped", sign_jwt(unsigned, stranger_key(alg), issuer.jwt_kid))
        out(f"{name}-jwk-stranger", sign_jwt(unsigned, stranger_key(alg), None, embed_jwk=True))
        # An extra JOSE header (OB 3.0: none allowed besides alg, kid, jwk, typ).
        out(
            f"{name}-jwt-extra-header",
            jwt.encode(
                expected_claims(unsigned) | unsigned,
                issuer.jwt_key,
                algorithm=issuer.jwt_alg,
                headers={"typ": "JWT", "kid": issuer.jwt_kid, "jku": "https://attacker.example/jwks.json"},
            ),
        )

    for name in STATUS_ISSUERS:
        write_status_cases(
            issue, issuers[name], name, definition=definition, recipient=recipient, resolve=resolve, out=out
        )
    # A credential naming the https issuer but signed by the did:key issuer's (real, resolvable) key.
    https, didkey = issuers["https_es256"], issuers["didkey"]
    impostor = issue.issue_credential(definition, recipient, https, formats=("jwt",)).document
    out("impostor-di", sign_di(impostor, didkey.di_key, didkey.di_verification_method))
    out("impostor-jwt", sign_jwt(impostor, didkey.jwt_key, didkey.jwt_kid))
    # Header rules: an HMAC "alg" (anyone holding the secret could sign) and a typ other than JWT.
    own = issue.issue_credential(definition, recipient, didkey, formats=("jwt",)).document
    claims = expected_claims(own) | own
    out(
        "header-hs256",
        jwt.encode(
            claims, "a shared secret of 32 bytes len!", algorithm="HS256", headers={"typ": "JWT", "kid": didkey.jwt_kid}
        ),
    )
    out(
        "header-typ",
        jwt.encode(claims, didkey.jwt_key, algorithm="EdDSA", headers={"typ": "vc+jwt", "kid": didkey.jwt_kid}),
    )
    return run_verify(files, "--resolve-dir", str(resolve))


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("issuer", [name for name, _, _ in ISSUERS])
def test_our_credential_verifies_in_node(our_results, issuer, case):
    result = our_results[f"{issuer}-{case}"]
    assert result["verified"] is True, result["error"]
    assert result["format"] == ("di" if case.startswith("di") or case.endswith("document") else "jwt")
    expected = {"jwt": ["jws"], "jwk_header": ["jws"], "vc_claim": ["jws"], "both": ["jws", "eddsa-rdfc-2022"]}.get(
        case, ["eddsa-rdfc-2022"]
    )
    assert result["proofs"] == expected


REJECTIONS = {
    "di-tampered": "Invalid signature",
    "jwt-tampered": "signature verification failed",
    "both-inner-tampered": "embedded Data Integrity proof: Invalid signature",
    "di-swapped": "Invalid signature",
    "jwt-swapped": "signature verification failed",
    "jwk-stranger": 'the "jwk" header is not a key issuer',
    "jwt-extra-header": 'JOSE header "jku" is not allowed',
}


@pytest.mark.parametrize("case", list(REJECTIONS))
@pytest.mark.parametrize("issuer", [name for name, _, _ in ISSUERS])
def test_altered_credential_is_rejected_in_node(our_results, issuer, case):
    result = our_results[f"{issuer}-{case}"]
    assert result["verified"] is False
    assert REJECTIONS[case] in result["error"]


@pytest.mark.parametrize(
    ("stem", "reason"),
    [
        ("impostor-di", "issuer must match the verification method controller"),
        ("impostor-jwt", "is not a key issuer https://https-es256.example.org/issuers/vet-college publishes"),
    ],
)
def test_key_of_another_issuer_is_rejected_in_node(our_results, stem, reason):
    """Signed by a real, resolvable key, but one the credential's issuer does not control."""
    result = our_results[stem]
    assert result["verified"] is False
    assert reason in result["error"]


@pytest.mark.parametrize("issuer", STATUS_ISSUERS)
@pytest.mark.parametrize("fmt", ["di", "jwt"])
def test_credential_with_clear_status_bit_verifies_in_node(our_results, issuer, fmt):
    result = our_results[f"{issuer}-status-clear-{fmt}"]
    assert result["verified"] is True, result["error"]


@pytest.mark.parametrize("issuer", STATUS_ISSUERS)
@pytest.mark.parametrize("fmt", ["di", "jwt", "both"])
def test_revoked_credential_is_rejected_in_node(our_results, issuer, fmt):
    result = our_results[f"{issuer}-status-revoked-{fmt}"]
    assert result["verified"] is False
    assert "credential is revoked (https://" in result["error"]


@pytest.mark.parametrize("issuer", STATUS_ISSUERS)
def test_status_list_altered_after_signing_is_rejected_in_node(our_results, issuer):
    result = our_results[f"{issuer}-status-forged-list-di"]
    assert result["verified"] is False
    assert '"BitstringStatusListCredential" not verified' in result["error"]
    assert "Invalid signature" in result["error"]


@pytest.mark.parametrize(
    ("stem", "reason"),
    [
        ("header-hs256", 'JOSE header "alg" "HS256" is not one of RS256,ES256,EdDSA'),
        ("header-typ", 'JOSE header "typ" is "vc+jwt", must be "JWT"'),
    ],
)
def test_jose_header_outside_ob3_is_rejected_in_node(our_results, stem, reason):
    result = our_results[stem]
    assert result["verified"] is False
    assert reason in result["error"]


# ---------------------------------------------------------------- benchmark helper interface


def test_bench_signs_and_verifies_with_the_vector_key(tmp_path):
    """bench.mjs (used by benchmarks/issuer.py) accepts a seed key pair and reports both rates."""
    seed = json.loads((OB3_VECTOR / "keyPair.json").read_text())["privateKeyHex_seed_plus_public"][:64]
    keypair = write_json(tmp_path / "keypair.json", {"seed": seed})
    proc = run_node("bench.mjs", OB3_VECTOR / "unsigned.json", keypair, "--n", "2")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["n"] == 2
    assert report["js_di_issue_ops"] > 0 and report["js_di_verify_ops"] > 0


# ---------------------------------------------------------------- verifier-core: what wallets run

WALLET_HOST = "college.example.org"


def _node_wallet_ready() -> bool:
    return (INTEROP / "node_modules" / "@digitalcredentials" / "verifier-core").is_dir()


def run_wallet(files: Iterable[Path], published: Path) -> dict[str, dict[str, Any]]:
    """interop/wallet.mjs (verifier-core, HTTP answered only from ``published``): results by file stem."""
    require(_node_wallet_ready(), "interop/node_modules with @digitalcredentials/verifier-core (make node)")
    files = list(files)
    proc = run_node("wallet.mjs", *files, "--published", published)
    assert proc.returncode in (0, 1), f"wallet.mjs failed to run: {proc.stderr}"
    results = {Path(r["file"]).stem: r for r in map(json.loads, proc.stdout.splitlines())}
    assert len(results) == len(files), proc.stdout
    return results


def _cli(*argv: Any) -> None:
    from badge_issuer.cli import main  # noqa: PLC0415

    assert main([str(a) for a in argv]) == 0, argv


@pytest.fixture(scope="module")
def wallet_results(tmp_path_factory, example_definition_path) -> dict[str, dict[str, Any]]:
    """Credentials made with the `microvet` command, as an issuer would: did:key and a bare-host did:web
    whose keygen tree is published as is; revocation and suspension lists published at their URLs."""
    tmp = tmp_path_factory.mktemp("wallet")
    published = tmp / "published"
    files: list[Path] = []
    for name, did in (("didkey", ["--did", "key"]), ("didweb", ["--domain", WALLET_HOST])):
        keys_dir = tmp / name
        _cli("keygen", "--out", keys_dir, *did, "--name", "VET College", "--country", "IT")
        if (keys_dir / "public").exists():
            shutil.copytree(keys_dir / "public", published, dirs_exist_ok=True)
        lists = {}
        for purpose in ("revocation", "suspension"):
            list_name = f"{name}-{purpose}"
            url = f"https://{WALLET_HOST}/status/{list_name}.json"
            _cli("status", "create", "--dir", tmp / "status", "--name", list_name, "--purpose", purpose)
            lists[purpose] = (list_name, url)
        for case, purpose in (("active", "revocation"), ("revoked", "revocation"), ("suspended", "suspension")):
            list_name, url = lists[purpose]
            out = tmp / f"{name}-{case}.json"
            _cli(
                "issue", "--keys", keys_dir, "--achievement", example_definition_path,
                "--recipient-email", "learner@example.org", "--score", "80",
                "--status-dir", tmp / "status", "--status", f"{list_name}={url}", "--out", out,
            )  # fmt: skip
            files.append(out)
            index = json.loads(out.read_text())["credentialStatus"]["statusListIndex"]
            if case != "active":
                action = "revoke" if purpose == "revocation" else "suspend"
                _cli("status", action, "--dir", tmp / "status", "--name", list_name, "--index", index)
        for list_name, url in lists.values():
            target = published / WALLET_HOST / "status" / f"{list_name}.json"
            _cli("status", "show", "--dir", tmp / "status", "--name", list_name,
                 "--publish", target, "--keys", keys_dir, "--url", url)  # fmt: skip
        active = json.loads((tmp / f"{name}-active.json").read_text())
        files.append(write_json(tmp / f"{name}-tampered.json", tamper_leaf(active)))
    # A credential as issued before: the unpublished w3id context URL instead of the inline context.
    legacy = json.loads((tmp / "didkey-active.json").read_text())
    legacy["@context"] = [*legacy["@context"][:3], "https://w3id.org/microvet/context/v1.jsonld"]
    issuer = load_issuer(tmp / "didkey")
    unsigned = {k: v for k, v in legacy.items() if k != "proof"}
    files.append(write_json(tmp / "legacy-w3id.json", sign_di(unsigned, issuer.di_key, issuer.di_verification_method)))
    return run_wallet(files, published)


@pytest.mark.parametrize("issuer", ["didkey", "didweb"])
def test_wallet_verifies_cli_credentials_without_fetching_anything_unpublished(wallet_results, issuer):
    result = wallet_results[f"{issuer}-active"]
    assert result["verified"] is True, result
    assert result["status"] == "active"
    assert [s["valid"] for s in result["schemas"]] == [True]  # the OB 3.0 schema the credential names
    assert result["refused"] == []
    assert f"https://{WALLET_HOST}/status/{issuer}-revocation.json" in result["fetched"]
    if issuer == "didweb":
        assert f"https://{WALLET_HOST}/.well-known/did.json" in result["fetched"]
    assert not [url for url in result["fetched"] if "w3id.org/microvet" in url]


@pytest.mark.parametrize("issuer", ["didkey", "didweb"])
@pytest.mark.parametrize("case", ["revoked", "suspended"])
def test_wallet_reports_revoked_and_suspended_as_such(wallet_results, issuer, case):
    result = wallet_results[f"{issuer}-{case}"]
    assert result["status"] == case, result
    assert result["verified"] is False
    assert {"id": "valid_signature", "valid": True} in result["log"]  # genuine, but not in good standing
    assert result["refused"] == []


@pytest.mark.parametrize("issuer", ["didkey", "didweb"])
def test_wallet_rejects_a_tampered_credential(wallet_results, issuer):
    result = wallet_results[f"{issuer}-tampered"]
    assert result["verified"] is False
    assert [e["name"] for e in result["errors"]] == ["invalid_signature"]
    assert result["refused"] == []


def test_wallet_fails_on_the_old_unpublished_context_url(wallet_results):
    """Why the context is inline now (ADR 0012): the old URL is fetched, fails, and reads as a forgery."""
    result = wallet_results["legacy-w3id"]
    assert result["verified"] is False
    assert result["refused"] == ["https://w3id.org/microvet/context/v1.jsonld"]


@pytest.mark.django_db
def test_wallet_verifies_service_credentials_served_by_the_lms(tmp_path, client, settings):
    """Credentials issued by the Django service, with the DID document and status lists exactly as the
    LMS serves them (did:web:lms.example.org:microvet -> /microvet/did.json)."""
    from microcredential_xblock.service import api  # noqa: PLC0415
    from microcredential_xblock.service.models import StatusList  # noqa: PLC0415
    from tests import service_fixtures as fx  # noqa: PLC0415

    api.register_definition(fx.COURSE, fx.MC_BLOCK, fx.example_definition(), fx.RULES)

    def issue(user_id: str):
        learner = api.Learner(user_id=user_id, email=f"l{user_id}@example.org", name="L")
        return api.record_assessment(learner, fx.COURSE, fx.QUIZ1, fx.all_validated(), 9, 10)[0].credential

    settings.MICROVET = {**settings.MICROVET, "STATUS_PURPOSE": "suspension"}
    suspended = issue("1")
    api.suspend(suspended.uuid, actor="staff", reason="review")
    settings.MICROVET = {k: v for k, v in settings.MICROVET.items() if k != "STATUS_PURPOSE"}  # the default
    active, revoked = issue("2"), issue("3")
    api.revoke(revoked.uuid, actor="staff", reason="fraud")

    published = tmp_path / "published" / "lms.example.org" / "microvet"
    (published / "status").mkdir(parents=True)
    (published / "did.json").write_bytes(client.get("/microvet/did.json").content)
    for row in StatusList.objects.all():
        (published / "status" / row.list_id).write_bytes(client.get(f"/microvet/status/{row.list_id}").content)
    files = []
    for name, row in (("active", active), ("revoked", revoked), ("suspended", suspended)):
        files.append(tmp_path / f"{name}.json")
        files[-1].write_bytes(client.get(f"/microvet/credentials/{row.uuid}").content)
    files.append(write_json(tmp_path / "tampered.json", tamper_leaf(json.loads(files[0].read_text()))))

    results = run_wallet(files, tmp_path / "published")
    assert results["active"]["verified"] is True, results["active"]
    assert "https://lms.example.org/microvet/did.json" in results["active"]["fetched"]
    assert [results[n]["status"] for n in ("active", "revoked", "suspended")] == ["active", "revoked", "suspended"]
    assert [e["name"] for e in results["tampered"]["errors"]] == ["invalid_signature"]
    assert all(r["refused"] == [] for r in results.values()), results


@pytest.mark.django_db
def test_wallet_verifies_a_service_credential_with_an_embedded_alliance_endorsement(tmp_path, client):
    """An alliance member's endorsement (did:key), accepted by the service and embedded in the next
    credential: the wallet's verifier accepts the credential, its proof covering the endorsement."""
    from datetime import date  # noqa: PLC0415

    from badge_issuer.endorse import build_endorsement  # noqa: PLC0415
    from badge_issuer.issue import sign_credential  # noqa: PLC0415
    from microcredential_xblock.service import alliance, api  # noqa: PLC0415
    from microcredential_xblock.service.alliance_models import AllianceMember  # noqa: PLC0415
    from microcredential_xblock.service.models import StatusList  # noqa: PLC0415
    from tests import service_fixtures as fx  # noqa: PLC0415

    row = api.register_definition(fx.COURSE, fx.MC_BLOCK, fx.example_definition(), fx.RULES)
    member_keys = generate_issuer(tmp_path / "member", did="key", profile={"name": "Chamber"})
    member = AllianceMember.objects.create(
        name="Chamber", country="IT", organisation_type="chamber", expertise="Crafts",
        mou_signed=date(2026, 1, 1), identifier=member_keys.issuer_id,
    )  # fmt: skip
    unsigned = build_endorsement(
        subject_id=row.microcredential_id, issuer_profile=member_keys.issuer_profile(), name="E"
    )
    alliance.accept_endorsement(member, json.dumps(sign_credential(unsigned, member_keys, ("di",)).document), actor="s")
    learner = api.Learner(user_id="7", email="l7@example.org", name="L")
    credential = api.record_assessment(learner, fx.COURSE, fx.QUIZ1, fx.all_validated(), 9, 10)[0].credential
    assert credential.document["credentialSubject"]["achievement"]["endorsement"][0]["id"] == unsigned["id"]

    published = tmp_path / "published" / "lms.example.org" / "microvet"
    (published / "status").mkdir(parents=True)
    (published / "did.json").write_bytes(client.get("/microvet/did.json").content)
    for status_list in StatusList.objects.all():
        (published / "status" / status_list.list_id).write_bytes(
            client.get(f"/microvet/status/{status_list.list_id}").content
        )
    file = tmp_path / "endorsed.json"
    file.write_bytes(client.get(f"/microvet/credentials/{credential.uuid}").content)
    result = run_wallet([file], tmp_path / "published")["endorsed"]
    assert result["verified"] is True, result
    assert result["refused"] == []
