"""Multibase base58btc and Ed25519 Multikey encodings, against the published test vector keys."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import given
from hypothesis import strategies as st

from badge_issuer import multibase
from badge_issuer.errors import KeyMaterialError
from tests.conftest import OB3_DATA
from tests.multikeys import secret_key_multibase, seed_from_secret_multibase

VECTORS = OB3_DATA / "test-vectors"


def _raw_public(key: ed25519.Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def test_w3c_vector_secret_key_derives_its_public_multikey():
    pair = json.loads((VECTORS / "w3c-eddsa-rdfc-2022" / "keyPair.json").read_text())
    seed = seed_from_secret_multibase(pair["privateKeyMultibase"])
    key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    assert multibase.public_key_multibase(_raw_public(key)) == pair["publicKeyMultibase"]
    assert secret_key_multibase(seed) == pair["privateKeyMultibase"]


def test_ob3_vector_64_byte_secret_key_is_seed_then_public():
    pair = json.loads((VECTORS / "ob3-eddsa-rdfc-2022" / "keyPair.json").read_text())
    seed = seed_from_secret_multibase(pair["secretKeyMultibase"])
    assert seed.hex() == pair["privateKeyHex_seed_plus_public"][:64]
    assert multibase.public_key_from_multibase(pair["publicKeyMultibase"]).hex() == pair["publicKeyHex"]
    key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    assert _raw_public(key).hex() == pair["publicKeyHex"]


def test_public_multikey_has_the_ed25519_multicodec_prefix():
    encoded = multibase.public_key_multibase(bytes(32))
    assert encoded.startswith("z6Mk")
    assert multibase.decode(encoded)[:2] == b"\xed\x01"


def test_leading_zero_bytes_survive_as_ones():
    assert multibase.encode(b"\x00\x00\x01") == "z112"
    assert multibase.decode("z112") == b"\x00\x00\x01"


@given(st.binary(max_size=80))
def test_round_trip(data):
    assert multibase.decode(multibase.encode(data)) == data


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("u6Mk", "starting with 'z'"),  # base64url multibase, not base58btc
        ("z0OIl", "not valid base58btc"),  # characters outside the Bitcoin alphabet
    ],
)
def test_decode_rejects_non_base58btc(value, reason):
    with pytest.raises(KeyMaterialError, match=reason):
        multibase.decode(value)


def test_public_key_from_multibase_rejects_a_secret_key_and_names_the_field():
    pair = json.loads((VECTORS / "w3c-eddsa-rdfc-2022" / "keyPair.json").read_text())
    with pytest.raises(KeyMaterialError) as error:
        multibase.public_key_from_multibase(pair["privateKeyMultibase"])
    assert error.value.subject == "publicKeyMultibase"
    with pytest.raises(KeyMaterialError) as error:
        seed_from_secret_multibase(pair["publicKeyMultibase"])
    assert error.value.subject == "secretKeyMultibase"
