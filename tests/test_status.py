"""Bitstring Status List: bit order, encoding, allocation, entries, list credentials, file store."""

from __future__ import annotations

import base64
import gzip
import json
import random
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from badge_issuer.contexts import check_safe_mode
from badge_issuer.errors import DefinitionError, StatusListError
from badge_issuer.keystore import generate_issuer
from badge_issuer.proofs.data_integrity import sign_di, verify_di
from badge_issuer.resolve import OfflineResolver
from badge_issuer.status import (
    MIN_SIZE,
    FileStatusStore,
    StatusList,
    check_status,
    decode,
    status_entry,
    status_list_credential,
)
from badge_issuer.verify import verify

LIST_URL = "https://lms.example/ob3/status/rev-1"
ISSUER = "https://lms.example/ob3/issuers/org1"
#: The all-clear 16 KiB list from the W3C Bitstring Status List spec's example credential.
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def _encode_raw(raw: bytes) -> str:
    """An encodedList built independently of StatusList.encode (to test decode on its own)."""
    return "u" + base64.urlsafe_b64encode(gzip.compress(raw)).rstrip(b"=").decode()


def test_index_zero_is_most_significant_bit_of_first_byte():
    status = StatusList("revocation")
    status.set(0)
    status.set(7)
    status.set(8)
    assert status.bits[:2] == bytearray([0x81, 0x80])
    raw = bytearray(MIN_SIZE // 8)
    raw[0] = 0x40  # spec order: bit 1 of the list is the second bit from the left
    decoded = StatusList.from_encoded("revocation", _encode_raw(bytes(raw)))
    assert [decoded.get(i) for i in range(3)] == [False, True, False]


def test_spec_example_list_decodes_to_minimum_size_all_clear():
    bits = decode(SPEC_EXAMPLE)
    assert len(bits) * 8 == MIN_SIZE
    assert not any(bits)


@settings(max_examples=25, deadline=None)
@given(st.sets(st.integers(0, MIN_SIZE - 1), max_size=40))
def test_encode_decode_round_trip(indexes):
    status = StatusList("suspension")
    for index in indexes:
        status.set(index)
    encoded = status.encode()
    assert encoded.startswith("u") and "=" not in encoded
    again = StatusList.from_encoded("suspension", encoded)
    assert {i for i in range(MIN_SIZE) if again.get(i)} == indexes


@pytest.mark.parametrize(
    "encoded, reason",
    [
        ("zH4sIAAAA", "multibase prefix"),
        ("u!!!!", "base64url"),
        ("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA=", "base64url"),
        ("u" + base64.urlsafe_b64encode(b"not gzip at all").rstrip(b"=").decode(), "GZIP"),
        (SPEC_EXAMPLE[:-8], "truncated"),
        (_encode_raw(bytes(100)), "minimum"),
        (12, "multibase prefix"),
    ],
)
def test_decode_rejects_malformed_lists(encoded, reason):
    with pytest.raises(StatusListError) as info:
        decode(encoded)
    assert info.value.subject == "encodedList"
    assert reason in info.value.reason


def test_decode_refuses_gzip_bombs(monkeypatch):
    monkeypatch.setattr("badge_issuer.status.MAX_BYTES", MIN_SIZE // 8)
    with pytest.raises(StatusListError, match="inflates to more than"):
        decode(_encode_raw(bytes(MIN_SIZE // 4)))


@pytest.mark.parametrize("size", [MIN_SIZE - 8, MIN_SIZE + 1])
def test_size_below_minimum_or_not_whole_bytes_is_refused(size):
    with pytest.raises(StatusListError) as info:
        StatusList("revocation", size)
    assert info.value.subject == "size"


def test_unknown_purpose_and_out_of_range_index_are_named():
    with pytest.raises(StatusListError) as info:
        StatusList("refresh")
    assert info.value.subject == "statusPurpose"
    with pytest.raises(StatusListError) as info:
        StatusList("revocation").get(MIN_SIZE)
    assert info.value.subject == "statusListIndex"


def test_allocate_is_random_unique_and_skips_set_bits():
    status = StatusList("revocation")
    status.set(5)
    taken: set[int] = set()
    for _ in range(200):
        index = status.allocate(taken, random.Random(len(taken)))
        assert index not in taken and index != 5
        taken.add(index)
    assert max(taken) > MIN_SIZE // 2  # spread over the list, not sequential


def test_allocate_finds_the_last_free_index_and_then_reports_full():
    status = StatusList("revocation")
    taken = set(range(MIN_SIZE)) - {4242}
    assert status.allocate(taken, random.Random(1)) == 4242
    with pytest.raises(StatusListError, match="full"):
        status.allocate(taken | {4242})


def test_revocation_is_final_and_suspension_can_be_lifted():
    revocations = StatusList("revocation")
    revocations.revoke(9)
    assert revocations.get(9)
    with pytest.raises(StatusListError, match="revocation is final"):
        revocations.reinstate(9)
    assert revocations.get(9)
    with pytest.raises(StatusListError, match="cannot suspend"):
        revocations.suspend(3)

    suspensions = StatusList("suspension")
    suspensions.suspend(9)
    assert suspensions.get(9)
    suspensions.reinstate(9)
    assert not suspensions.get(9)
    with pytest.raises(StatusListError, match="cannot revoke"):
        suspensions.revoke(9)


def test_status_entry_shape():
    assert status_entry(LIST_URL, 94567, "revocation") == {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }
    with pytest.raises(StatusListError) as info:
        status_entry("status/rev-1", 1, "revocation")
    assert info.value.subject == "statusListCredential"
    with pytest.raises(StatusListError):
        status_entry(LIST_URL, -1, "revocation")


def _list_credential(status: StatusList, url: str = LIST_URL) -> dict:
    return status_list_credential(url, ISSUER, status.purpose, status.encode(), "2026-11-28T12:00:00Z", ttl_ms=300_000)


def test_status_list_credential_is_well_formed_and_safe_mode_clean():
    credential = _list_credential(StatusList("revocation"))
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["credentialSubject"] == {
        "id": f"{LIST_URL}#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": StatusList("revocation").encode(),
        "ttl": 300_000,
    }
    check_safe_mode(credential)  # raises if any term is undefined
    with pytest.raises(StatusListError) as info:
        status_list_credential(LIST_URL, ISSUER, "revocation", "uAAAA", "2026-11-28T12:00:00Z")
    assert info.value.subject == "encodedList"
    for when in ("2026-11-28 noon", "2026-11-28T12:00:00", datetime(2026, 11, 28)):  # noqa: DTZ001 - naive is refused
        with pytest.raises(DefinitionError) as info:
            status_list_credential(LIST_URL, ISSUER, "revocation", SPEC_EXAMPLE, when)
        assert info.value.subject == "validFrom"
    aware = datetime(2026, 11, 28, 13, 30, 5, 999, tzinfo=timezone(timedelta(hours=1)))
    assert status_list_credential(LIST_URL, ISSUER, "revocation", SPEC_EXAMPLE, aware)["validFrom"] == (
        "2026-11-28T12:30:05Z"
    )


def test_check_status_reads_the_entry_bit():
    status = StatusList("revocation")
    status.revoke(77)
    entry_revoked = status_entry(LIST_URL, 77, "revocation")
    entry_fine = status_entry(LIST_URL, 78, "revocation")
    credential = _list_credential(status)
    assert check_status(entry_revoked, credential) is True
    assert check_status(entry_fine, credential) is False


def test_check_status_rejects_mismatched_lists():
    suspensions = _list_credential(StatusList("suspension"))
    revocations = _list_credential(StatusList("revocation"))
    entry = status_entry(LIST_URL, 1, "revocation")
    with pytest.raises(StatusListError) as info:
        check_status(entry, suspensions)
    assert info.value.subject.endswith("statusPurpose")
    with pytest.raises(StatusListError) as info:
        check_status(entry, _list_credential(StatusList("revocation"), LIST_URL + "-other"))
    assert info.value.subject == "statusListCredential.id"
    with pytest.raises(StatusListError) as info:
        check_status({**entry, "statusListIndex": "1e3"}, revocations)
    assert info.value.subject == "credentialStatus.statusListIndex"
    with pytest.raises(StatusListError):
        check_status({**entry, "statusListIndex": str(MIN_SIZE)}, revocations)


def test_file_store_round_trip_and_lifecycle(tmp_path):
    store = FileStatusStore(tmp_path / "status")
    store.create("rev-1", "revocation")
    store.create("sus-1", "suspension")
    assert store.names() == ["rev-1", "sus-1"]
    first = store.allocate("rev-1", random.Random(3))
    second = store.allocate("rev-1", random.Random(3))
    assert first != second
    store.apply("rev-1", first, "revoke")
    loaded = store.load("rev-1")
    assert loaded.allocated == {first, second}
    assert loaded.status_list.get(first) and not loaded.status_list.get(second)
    with pytest.raises(StatusListError, match="revocation is final"):
        store.apply("rev-1", first, "reinstate")
    with pytest.raises(StatusListError, match="never allocated"):
        store.apply("rev-1", next(i for i in range(3) if i not in {first, second}), "revoke")
    with pytest.raises(StatusListError, match="already exists"):
        store.create("rev-1", "revocation")
    assert not list((tmp_path / "status").glob(".*.tmp"))


def test_file_store_refuses_path_names_and_reports_broken_files(tmp_path):
    store = FileStatusStore(tmp_path)
    with pytest.raises(StatusListError) as info:
        store.create("../escape", "revocation")
    assert info.value.subject == "name"
    (tmp_path / "broken.json").write_text(json.dumps({"purpose": "revocation", "encodedList": "uAA", "allocated": []}))
    with pytest.raises(StatusListError) as info:
        store.load("broken")
    assert info.value.subject.endswith("broken.json") and "encodedList" in info.value.reason
    with pytest.raises(StatusListError, match="no such status list"):
        store.load("missing")


def test_file_store_keeps_the_old_file_when_a_write_fails(tmp_path, monkeypatch):
    store = FileStatusStore(tmp_path)
    store.create("rev-1", "revocation")
    index = store.allocate("rev-1")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("badge_issuer.status.os.replace", broken_replace)
    with pytest.raises(OSError):
        store.apply("rev-1", index, "revoke")
    reloaded = store.load("rev-1")
    assert index in reloaded.allocated  # the earlier allocation was saved...
    assert not reloaded.status_list.get(index)  # ...the failed revocation left no trace
    assert not list(tmp_path.glob(".*.tmp"))


def test_signed_list_credential_verifies_and_still_answers(tmp_path):
    issuer = generate_issuer(tmp_path / "issuer", did="key", profile={"name": "Aurora"})
    status = StatusList("suspension")
    status.suspend(1234)
    unsigned = status_list_credential(LIST_URL, issuer.issuer_id, "suspension", status.encode(), "2026-11-28T12:00:00Z")
    signed = sign_di(unsigned, issuer.di_key, issuer.di_verification_method)
    assert all(check.passed for check in verify_di(signed, OfflineResolver(issuers=[issuer])))
    assert check_status(status_entry(LIST_URL, 1234, "suspension"), signed) is True


# ---------------------------------------------------------------- the service's status design (ADR 0013)


@pytest.fixture
def revocation_default(settings):
    """The shipped default: MICROVET without STATUS_PURPOSE (the test settings choose suspension)."""
    settings.MICROVET = {k: v for k, v in settings.MICROVET.items() if k != "STATUS_PURPOSE"}


def _service():
    from microcredential_xblock.service import api  # noqa: PLC0415 - Django is set up by the fixtures
    from tests import service_fixtures  # noqa: PLC0415

    return api, service_fixtures


def _status_checks(credential):
    """Our verifier on the stored credential, reading status lists from the database (as the verify page does)."""
    from microcredential_xblock.service.config import issuer_keys  # noqa: PLC0415
    from microcredential_xblock.service.views import _status_fetcher  # noqa: PLC0415

    report = verify(
        credential.document, resolver=OfflineResolver(issuers=[issuer_keys()]), status_fetcher=_status_fetcher
    )
    return [c for c in report.checks if c.name.startswith("status")]


def _issue(api, fx, registered, user_id: str):
    learner = api.Learner(user_id=user_id, email=f"learner{user_id}@example.org", name="L")
    (progress,) = api.record_assessment(learner, fx.COURSE, fx.QUIZ1, fx.all_validated(), 9, 10)
    return progress.credential


@pytest.mark.django_db
def test_by_default_a_revoked_credential_reads_as_revoked(revocation_default, db):
    api, fx = _service()
    from microcredential_xblock.service.config import config  # noqa: PLC0415

    assert config().status_purpose == "revocation"
    registered = api.register_definition(fx.COURSE, fx.MC_BLOCK, fx.example_definition(), fx.RULES)
    credential = _issue(api, fx, registered, "1")
    entry = credential.document["credentialStatus"]
    assert entry["statusPurpose"] == "revocation" and "/status/revocation-1" in entry["statusListCredential"]
    api.revoke(credential.uuid, actor="staff", reason="Plagiarism")
    credential.refresh_from_db()
    (status,) = _status_checks(credential)
    assert (status.name, status.passed, status.reason) == ("status (revocation)", False, "the credential is revoked")
    with pytest.raises(api.InvalidInput) as refused:  # suspending a revocation-list credential would revoke it
        api.suspend(_issue(api, fx, registered, "2").uuid, actor="staff", reason="review")
    assert refused.value.subject == "action"


@pytest.mark.django_db
def test_credentials_on_suspension_lists_keep_working_after_the_default_changes(settings, db):
    api, fx = _service()
    registered = api.register_definition(fx.COURSE, fx.MC_BLOCK, fx.example_definition(), fx.RULES)
    settings.MICROVET = {**settings.MICROVET, "STATUS_PURPOSE": "suspension"}
    old = _issue(api, fx, registered, "1")
    settings.MICROVET = {**settings.MICROVET, "STATUS_PURPOSE": "revocation"}
    new = _issue(api, fx, registered, "2")
    assert old.document["credentialStatus"]["statusPurpose"] == "suspension"
    assert new.document["credentialStatus"]["statusPurpose"] == "revocation"
    api.suspend(old.uuid, actor="staff", reason="review")  # its own list is a suspension list
    old.refresh_from_db()
    assert [(c.passed, c.reason) for c in _status_checks(old)] == [(False, "the credential is suspended")]
    api.reinstate(old.uuid, actor="staff", reason="cleared")
    old.refresh_from_db()
    assert [c.passed for c in _status_checks(old)] == [True]
    api.revoke(new.uuid, actor="staff", reason="fraud")
    new.refresh_from_db()
    assert [(c.passed, c.reason) for c in _status_checks(new)] == [(False, "the credential is revoked")]
