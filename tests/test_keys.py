"""Issuer key sets on disk: generation, permissions, public documents, rotation and offline resolution."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from badge_issuer import multibase
from badge_issuer.errors import KeyMaterialError
from badge_issuer.issuer_keys import IssuerKeys
from badge_issuer.jwk import did_key_from_public_key, public_jwk
from badge_issuer.keystore import generate_issuer, load_issuer, rotate_keys
from badge_issuer.proofs.data_integrity import sign_di, verify_di
from badge_issuer.proofs.jwt import sign_jwt, verify_jwt
from badge_issuer.resolve import OfflineResolver, document_urls, publication, publish
from tests.conftest import OB3_DATA

PROFILE = {
    "name": "Aurora VET",
    "url": "https://aurora-vet.example.it",
    "email": "c@aurora-vet.example.it",
    "country": "IT",
    "region": "Emilia-Romagna",
}
PRIVATE_JWK_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "k", "oth"}


def credential_for(issuer: IssuerKeys) -> dict:
    """The OB 3.0 test vector credential, re-issued by ``issuer``."""
    document = json.loads((OB3_DATA / "test-vectors" / "ob3-eddsa-rdfc-2022" / "unsigned.json").read_text())
    return document | {"issuer": issuer.issuer_profile()}


@pytest.fixture(
    params=[("key", "EdDSA"), ("web", "ES256"), ("https", "RS256"), ("web", "EdDSA")], ids=lambda p: f"{p[0]}-{p[1]}"
)
def issuer_dir(request, tmp_path) -> Path:
    method, alg = request.param
    generate_issuer(
        tmp_path / "issuer",
        did=method,
        domain="aurora-vet.example.it",
        path="issuers/aurora",
        jwt_alg=alg,
        profile=PROFILE,
    )
    return tmp_path / "issuer"


def test_private_keys_are_0600_and_never_in_public_files(issuer_dir):
    issuer = load_issuer(issuer_dir)
    pem_files = sorted((issuer_dir / "keys").iterdir())
    assert [p.name for p in pem_files] == sorted(f"{k}.pem" for k in {issuer.active_di, issuer.active_jwt})
    for pem in pem_files:
        assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert sorted(p.name for p in issuer_dir.iterdir()) == ["issuer.json", "keys"]  # no temp file left behind
    public_text = json.dumps(
        [
            json.loads((issuer_dir / "issuer.json").read_text()),
            issuer.jwks(include_iss=True),
            issuer.controller_document(),
        ]
    )
    for key_id, private in issuer.private_keys.items():
        der = private.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        assert der.hex() not in public_text and "PRIVATE KEY" not in public_text, key_id


def test_jwks_has_kid_alg_use_and_no_private_member(issuer_dir):
    issuer = load_issuer(issuer_dir)
    jwks = issuer.jwks(include_iss=True)
    assert len(jwks["keys"]) == 1
    jwk = jwks["keys"][0]
    assert jwk["kid"] == issuer.jwt_kid and jwk["alg"] == issuer.jwt_alg and jwk["use"] == "sig"
    assert jwk["iss"] == issuer.issuer_id
    assert not PRIVATE_JWK_MEMBERS & set(jwk)
    assert "iss" not in issuer.jwks()["keys"][0]


def test_group_readable_private_key_is_refused_naming_the_file(issuer_dir):
    pem = issuer_dir / "keys" / "key-1.pem"
    pem.chmod(0o640)
    with pytest.raises(KeyMaterialError) as error:
        load_issuer(issuer_dir)
    assert error.value.subject == str(pem)
    assert "0640" in error.value.reason and "chmod 600" in error.value.reason


def test_private_key_that_does_not_match_issuer_json_is_refused(issuer_dir):
    pem = issuer_dir / "keys" / "key-1.pem"
    other = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pem.write_bytes(other)
    with pytest.raises(KeyMaterialError, match="does not match the public key of key-1"):
        load_issuer(issuer_dir)


def test_missing_private_key_names_the_file(issuer_dir):
    (issuer_dir / "keys" / "key-1.pem").unlink()
    with pytest.raises(KeyMaterialError) as error:
        load_issuer(issuer_dir)
    assert error.value.subject.endswith("key-1.pem")


def test_did_key_known_answer_from_the_w3c_vector_key():
    pair = json.loads((OB3_DATA / "test-vectors" / "w3c-eddsa-rdfc-2022" / "keyPair.json").read_text())
    raw = multibase.public_key_from_multibase(pair["publicKeyMultibase"])
    did = did_key_from_public_key(ed25519.Ed25519PublicKey.from_public_bytes(raw))
    assert did == "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    resolved = OfflineResolver().resolve_verification_method(f"{did}#{pair['publicKeyMultibase']}")
    assert resolved.controller == did and resolved.assertion_method
    assert resolved.public_key == ed25519.Ed25519PublicKey.from_public_bytes(raw)


def test_did_key_issuer_ids_and_documents(tmp_path):
    issuer = generate_issuer(tmp_path, did="key", profile=PROFILE)
    fingerprint = issuer.issuer_id.removeprefix("did:key:")
    assert fingerprint.startswith("z6Mk")
    assert issuer.di_verification_method == f"{issuer.issuer_id}#{fingerprint}" == issuer.jwt_kid
    document = issuer.did_document()
    assert document["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
    assert document["verificationMethod"] == [
        {
            "id": issuer.di_verification_method,
            "type": "Multikey",
            "controller": issuer.issuer_id,
            "publicKeyMultibase": fingerprint,
        }
    ]
    assert document["assertionMethod"] == [issuer.di_verification_method]


def test_did_web_and_https_verification_method_ids(tmp_path):
    web = generate_issuer(tmp_path / "w", did="web", domain="aurora-vet.example.it", profile=PROFILE)
    assert web.issuer_id == "did:web:aurora-vet.example.it"
    assert web.di_verification_method == "did:web:aurora-vet.example.it#key-1"
    assert web.jwt_kid == "did:web:aurora-vet.example.it#key-2"
    https = generate_issuer(
        tmp_path / "h", did="https", domain="aurora-vet.example.it", path="/issuers/aurora/", profile=PROFILE
    )
    assert https.issuer_id == "https://aurora-vet.example.it/issuers/aurora"
    controller = https.controller_document()
    assert controller["id"] == https.issuer_id
    assert controller["verificationMethod"][0]["controller"] == https.issuer_id
    assert controller["assertionMethod"] == [https.di_verification_method, https.jwt_kid]
    assert [m["type"] for m in controller["verificationMethod"]] == ["Multikey", "JsonWebKey"]
    assert "d" not in controller["verificationMethod"][1]["publicKeyJwk"]
    with pytest.raises(KeyMaterialError):
        https.did_document()


@pytest.mark.parametrize(
    ("kwargs", "subject"),
    [
        ({"did": "key", "jwt_alg": "RS256"}, "jwt_alg"),
        ({"did": "web", "domain": "https://aurora.example"}, "domain"),
        ({"did": "web", "domain": None}, "domain"),
        ({"did": "https", "domain": "aurora.example"}, "path"),
        ({"did": "web", "domain": "aurora.example", "jwt_alg": "HS256"}, "jwt_alg"),
        ({"did": "key", "profile": {"name": "A", "country": "Italy"}}, "profile.country"),
        ({"did": "key", "profile": {"url": "https://a.example"}}, "profile.name"),
        ({"did": "key", "profile": {"name": "A", "phone": "1"}}, "profile.phone"),
    ],
)
def test_generate_rejects_bad_input_naming_the_field(tmp_path, kwargs, subject):
    with pytest.raises(KeyMaterialError) as error:
        generate_issuer(tmp_path, **({"profile": PROFILE} | kwargs))
    assert error.value.subject == subject
    assert not (tmp_path / "issuer.json").exists()


def test_generate_refuses_to_overwrite_an_issuer(tmp_path):
    generate_issuer(tmp_path, did="key", profile=PROFILE)
    before = (tmp_path / "issuer.json").read_text()
    with pytest.raises(KeyMaterialError, match="already exists"):
        generate_issuer(tmp_path, did="key", profile=PROFILE)
    assert (tmp_path / "issuer.json").read_text() == before


def test_issuer_profile_has_the_awarding_body_fields(tmp_path):
    issuer = generate_issuer(tmp_path, did="key", profile=PROFILE)
    assert load_issuer(tmp_path).issuer_profile() == {
        "id": issuer.issuer_id,
        "type": ["Profile"],
        "name": "Aurora VET",
        "url": "https://aurora-vet.example.it",
        "email": "c@aurora-vet.example.it",
        "address": {"type": ["Address"], "addressCountryCode": "IT", "addressRegion": "Emilia-Romagna"},
    }


def test_rotation_keeps_old_credentials_verifiable(tmp_path):
    directory, resolve = tmp_path / "issuer", tmp_path / "resolve"
    old = generate_issuer(directory, did="web", domain="aurora-vet.example.it", jwt_alg="ES256", profile=PROFILE)
    publish(old, resolve)
    old_di = sign_di(credential_for(old), old.di_key, old.di_verification_method)
    old_jwt = sign_jwt(credential_for(old), old.jwt_key, old.jwt_kid)

    new = rotate_keys(directory)
    publish(new, resolve)
    assert (new.active_di, new.active_jwt) == ("key-3", "key-4")
    assert {k.key_id for k in new.keys if k.retired} == {"key-1", "key-2"}
    assert sorted(p.name for p in (directory / "keys").iterdir()) == ["key-3.pem", "key-4.pem"]
    reloaded = load_issuer(directory)
    assert reloaded.di_verification_method == "did:web:aurora-vet.example.it#key-3"
    assert reloaded.did_document()["assertionMethod"] == [
        "did:web:aurora-vet.example.it#key-1",
        "did:web:aurora-vet.example.it#key-2",
        "did:web:aurora-vet.example.it#key-3",
        "did:web:aurora-vet.example.it#key-4",
    ]
    assert [k["kid"] for k in reloaded.jwks()["keys"]] == [
        "did:web:aurora-vet.example.it#key-2",
        "did:web:aurora-vet.example.it#key-4",
    ]

    resolver = OfflineResolver(resolve)
    assert all(c.passed for c in verify_di(old_di, resolver)), verify_di(old_di, resolver)
    assert all(c.passed for c in verify_jwt(old_jwt, resolver)[1])
    new_di = sign_di(credential_for(reloaded), reloaded.di_key, reloaded.di_verification_method)
    assert all(c.passed for c in verify_di(new_di, resolver))


def test_did_key_cannot_rotate(tmp_path):
    generate_issuer(tmp_path, did="key", profile=PROFILE)
    with pytest.raises(KeyMaterialError, match="cannot rotate"):
        rotate_keys(tmp_path)


# ---------------------------------------------------------------- resolver


@pytest.fixture
def published(tmp_path) -> tuple[IssuerKeys, IssuerKeys, Path]:
    resolve = tmp_path / "resolve"
    web = generate_issuer(
        tmp_path / "w", did="web", domain="aurora-vet.example.it", path="vet", jwt_alg="ES256", profile=PROFILE
    )
    https = generate_issuer(
        tmp_path / "h",
        did="https",
        domain="aurora-vet.example.it",
        path="issuers/aurora",
        jwt_alg="RS256",
        profile=PROFILE,
    )
    assert publish(web, resolve) == (
        resolve / "aurora-vet.example.it/vet/did.json",
        resolve / "aurora-vet.example.it/vet/jwks.json",
    )
    assert publish(https, resolve) == (
        resolve / "aurora-vet.example.it/issuers/aurora.json",
        resolve / "aurora-vet.example.it/issuers/aurora.jwks.json",
    )
    return web, https, resolve


def test_did_web_is_published_where_resolvers_fetch_it(tmp_path):
    """DID spec: did:web:<host> -> https://<host>/.well-known/did.json, did:web:<host>:a:b -> /a/b/did.json."""
    bare = generate_issuer(tmp_path / "b", did="web", domain="aurora-vet.example.it", profile=PROFILE)
    assert document_urls(bare.issuer_id) == (
        "https://aurora-vet.example.it/.well-known/did.json",
        "https://aurora-vet.example.it/.well-known/jwks.json",
    )
    assert document_urls("did:web:lms.example.org%3A8443:microvet:issuer") == (
        "https://lms.example.org:8443/microvet/issuer/did.json",
        "https://lms.example.org:8443/microvet/issuer/jwks.json",
    )
    files = publication(bare, tmp_path / "public")
    assert [(p.relative_to(tmp_path / "public").as_posix(), url) for p, url in files] == [
        ("aurora-vet.example.it/.well-known/did.json", "https://aurora-vet.example.it/.well-known/did.json"),
        ("aurora-vet.example.it/.well-known/jwks.json", "https://aurora-vet.example.it/.well-known/jwks.json"),
    ]
    publish(bare, tmp_path / "public")
    assert json.loads(files[0][0].read_text())["id"] == "did:web:aurora-vet.example.it"


def test_jwks_is_also_at_the_well_known_url_merged_per_host(published):
    web, https, resolve = published
    merged = json.loads((resolve / "aurora-vet.example.it/.well-known/jwks.json").read_text())
    assert [k["kid"] for k in merged["keys"]] == [web.jwt_kid, https.jwt_kid]
    publish(web, resolve)  # publishing again replaces the issuer's own keys, keeps the other's
    merged = json.loads((resolve / "aurora-vet.example.it/.well-known/jwks.json").read_text())
    assert [k["kid"] for k in merged["keys"]] == [https.jwt_kid, web.jwt_kid]


def test_resolver_still_reads_the_old_bare_host_layout(tmp_path):
    bare = generate_issuer(tmp_path / "b", did="web", domain="aurora-vet.example.it", profile=PROFILE)
    old = tmp_path / "resolve" / "aurora-vet.example.it"
    old.mkdir(parents=True)
    (old / "did.json").write_text(json.dumps(bare.did_document()))
    found = OfflineResolver(tmp_path / "resolve").resolve_verification_method(bare.di_verification_method)
    assert found.public_key == bare.di_key.public_key()


def test_resolver_reads_did_web_and_https_documents(published):
    web, https, resolve = published
    resolver = OfflineResolver(resolve)
    for issuer in (web, https):
        found = resolver.resolve_verification_method(issuer.di_verification_method)
        assert found.controller == issuer.issuer_id and found.assertion_method
        assert found.public_key == issuer.di_key.public_key()
        by_kid = resolver.resolve_jwt_key(issuer.issuer_id, kid=issuer.jwt_kid)
        assert by_kid.public_key == issuer.jwt_key.public_key()
        by_jwk = resolver.resolve_jwt_key(issuer.issuer_id, jwk=public_jwk(issuer.jwt_key))
        assert by_jwk.id == issuer.jwt_kid


def test_resolver_uses_in_memory_issuers_without_files(published):
    web, _, _ = published
    resolver = OfflineResolver(issuers=[web])
    assert resolver.resolve_verification_method(web.di_verification_method).assertion_method


def test_resolver_reports_a_key_not_listed_under_assertion_method(published):
    web, _, resolve = published
    path = resolve / "aurora-vet.example.it/vet/did.json"
    document = json.loads(path.read_text())
    path.write_text(json.dumps(document | {"assertionMethod": []}))
    found = OfflineResolver(resolve).resolve_verification_method(web.di_verification_method)
    assert found.assertion_method is False


@pytest.mark.parametrize(
    ("vm_id", "reason"),
    [
        ("did:web:unknown.example#key-1", "cannot read"),
        ("did:web:aurora-vet.example.it:vet#key-9", "not listed in the document"),
        ("did:web:aurora-vet.example.it:vet", "#fragment"),
        ("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#key-1", "must repeat the key"),
        ("did:example:123#key-1", "only did:web and https"),
    ],
)
def test_resolver_errors_name_the_verification_method(published, vm_id, reason):
    with pytest.raises(KeyMaterialError, match=reason):
        OfflineResolver(published[2]).resolve_verification_method(vm_id)


def test_resolver_without_directory_never_looks_anywhere(published):
    with pytest.raises(KeyMaterialError, match="nothing is fetched"):
        OfflineResolver().resolve_verification_method(published[0].di_verification_method)


def test_jwt_key_resolution_refuses_keys_the_issuer_does_not_list(published):
    web, https, resolve = published
    resolver = OfflineResolver(resolve)
    with pytest.raises(KeyMaterialError, match="not a key of the issuer"):
        resolver.resolve_jwt_key(https.issuer_id, kid=web.jwt_kid)
    stranger = public_jwk(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(KeyMaterialError, match="not in the JWKS"):
        resolver.resolve_jwt_key(web.issuer_id, jwk=stranger)
    with pytest.raises(KeyMaterialError, match="private key members"):
        resolver.resolve_jwt_key(web.issuer_id, jwk=stranger | {"d": "AAAA"})
