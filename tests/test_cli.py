"""The microvet command: every subcommand, one clear message for bad input, no half-written output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from badge_issuer.cli import main

from .issuing import EXAMPLE


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def keys(tmp_path, capsys):
    code, out, _ = run(capsys, "keygen", "--out", tmp_path / "keys", "--name", "Aurora", "--country", "IT")
    assert code == 0 and "did:key:z6Mk" in out
    return tmp_path / "keys"


def test_issue_verify_bake_extract_export_endorse(tmp_path, keys, capsys):
    out = tmp_path / "ana.json"
    assert (
        run(
            capsys,
            "issue",
            "--keys",
            keys,
            "--achievement",
            EXAMPLE,
            "--recipient-email",
            "ana@example.org",
            "--format",
            "both",
            "--out",
            out,
        )[0]
        == 0
    )
    code, stdout, _ = run(capsys, "verify", out, "--recipient-email", "ana@example.org")
    assert code == 0 and stdout.startswith("VALID")
    code, stdout, _ = run(capsys, "verify", out.with_suffix(".jwt"), "--json")
    assert code == 0 and json.loads(stdout)["ok"] is True
    assert run(capsys, "verify", out, "--recipient-email", "bob@example.org")[0] == 1

    for suffix in ("png", "svg"):
        badge = tmp_path / f"ana.{suffix}"
        assert run(capsys, "bake", "--credential", out, "--out", badge)[0] == 0
        assert run(capsys, "verify", badge)[0] == 0  # verify reads baked badges directly
        assert run(capsys, "extract", badge, "--out", tmp_path / f"x-{suffix}.json")[0] == 0
        assert json.loads((tmp_path / f"x-{suffix}.json").read_text()) == json.loads(out.read_text())

    assert (
        run(capsys, "export-elm", "--achievement", EXAMPLE, "--credential", out, "--out", tmp_path / "elm.json")[0] == 0
    )
    assert "EuropeanDigitalCredential" in json.loads((tmp_path / "elm.json").read_text())["type"]

    achievement_id = json.loads(out.read_text())["credentialSubject"]["achievement"]["id"]
    endorsement = tmp_path / "endorsement.json"
    assert (
        run(capsys, "endorse", "--keys", keys, "--subject-id", achievement_id, "--name", "QA", "--out", endorsement)[0]
        == 0
    )
    assert run(capsys, "verify", endorsement)[0] == 0


def test_status_lifecycle(tmp_path, keys, capsys):
    url = "https://aurora-vet.example.it/status/rev1"
    published = tmp_path / "resolve" / "aurora-vet.example.it" / "status" / "rev1.json"
    st = ["--dir", tmp_path / "status", "--name", "rev1"]
    assert run(capsys, "status", "create", *st)[0] == 0
    out = tmp_path / "c.json"
    assert (
        run(
            capsys,
            "issue",
            "--keys",
            keys,
            "--achievement",
            EXAMPLE,
            "--recipient-email",
            "a@b.org",
            "--status-dir",
            tmp_path / "status",
            "--status",
            f"rev1={url}",
            "--out",
            out,
        )[0]
        == 0
    )
    index = int(json.loads(out.read_text())["credentialStatus"]["statusListIndex"])
    publish = ["--publish", published, "--keys", keys, "--url", url]
    assert run(capsys, "status", "show", *st, *publish)[0] == 0
    assert run(capsys, "verify", out, "--resolve-dir", tmp_path / "resolve")[0] == 0
    assert run(capsys, "status", "revoke", *st, "--index", index, *publish)[0] == 0
    code, stdout, _ = run(capsys, "verify", out, "--resolve-dir", tmp_path / "resolve")
    assert code == 1 and "revoked" in stdout
    code, _, err = run(capsys, "status", "reinstate", *st, "--index", index)
    assert code == 2 and "revocation" in err  # revocation is final; only suspension can be reinstated


def _definition(tmp_path: Path, **changes) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text()) | changes
    path = tmp_path / "definition.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda tmp: _definition(tmp, eqf_level=9), "eqf_level"),
        (lambda tmp: _definition(tmp, title=""), "title"),
        (lambda tmp: (tmp / "bad.yaml").write_text("title: [unclosed\n") and tmp / "bad.yaml", "bad.yaml"),
        (lambda tmp: (tmp / "bad.json").write_text('{"title": }') and tmp / "bad.json", "bad.json"),
        (lambda tmp: tmp / "missing.yaml", "missing.yaml"),
    ],
    ids=["eqf-9", "empty-title", "malformed-yaml", "malformed-json", "missing-file"],
)
def test_bad_definitions_give_one_clear_message_and_no_output(tmp_path, keys, capsys, setup, expected):
    definition = setup(tmp_path)
    out = tmp_path / "out.json"
    code, _, err = run(
        capsys, "issue", "--keys", keys, "--achievement", definition, "--recipient-email", "a@b.org", "--out", out
    )
    assert code == 2
    assert err.startswith("microvet: ") and expected in err.splitlines()[0]
    assert "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".out.json.*"))


def test_unreadable_and_wrong_type_keys(tmp_path, keys, capsys):
    private = next((keys / "keys").glob("*.pem"))
    private.chmod(0o644)
    code, _, err = run(
        capsys,
        "issue",
        "--keys",
        keys,
        "--achievement",
        EXAMPLE,
        "--recipient-email",
        "a@b.org",
        "--out",
        tmp_path / "o.json",
    )
    assert code == 2 and private.name in err
    private.chmod(0o600)
    private.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    code, _, err = run(
        capsys,
        "issue",
        "--keys",
        keys,
        "--achievement",
        EXAMPLE,
        "--recipient-email",
        "a@b.org",
        "--out",
        tmp_path / "o.json",
    )
    assert code == 2 and private.name in err
    assert not (tmp_path / "o.json").exists()


def test_verify_reports_garbage_clearly(tmp_path, capsys):
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    code, _, err = run(capsys, "verify", garbage)
    assert code == 2 and "garbage.json" in err and "line 1" in err


def test_rotate_keeps_earlier_credentials_verifiable(tmp_path, capsys):
    keys_dir = tmp_path / "keys"
    assert (
        run(
            capsys,
            "keygen",
            "--out",
            keys_dir,
            "--did",
            "web",
            "--domain",
            "aurora.example",
            "--name",
            "A",
            "--country",
            "IT",
        )[0]
        == 0
    )
    before = tmp_path / "before.json"
    assert (
        run(
            capsys,
            "issue",
            "--keys",
            keys_dir,
            "--achievement",
            EXAMPLE,
            "--recipient-email",
            "a@b.org",
            "--out",
            before,
        )[0]
        == 0
    )
    code, out, _ = run(capsys, "rotate", "--keys", keys_dir)
    assert code == 0 and "key-3" in out
    after = tmp_path / "after.json"
    assert (
        run(
            capsys,
            "issue",
            "--keys",
            keys_dir,
            "--achievement",
            EXAMPLE,
            "--recipient-email",
            "a@b.org",
            "--out",
            after,
        )[0]
        == 0
    )
    for credential in (before, after):
        assert run(capsys, "verify", credential, "--resolve-dir", keys_dir / "public")[0] == 0
    assert run(capsys, "keygen", "--out", tmp_path / "dk", "--name", "A", "--country", "IT")[0] == 0
    assert run(capsys, "rotate", "--keys", tmp_path / "dk")[0] == 2  # a did:key is its key: it cannot rotate


def test_keygen_with_a_domain_defaults_to_did_web_and_says_where_each_file_goes(tmp_path, capsys):
    code, out, _ = run(capsys, "keygen", "--out", tmp_path / "k", "--domain", "aurora.example", "--name", "A")
    assert code == 0
    assert "issuer did:web:aurora.example written" in out
    public = tmp_path / "k" / "public" / "aurora.example" / ".well-known"
    assert f"{public / 'did.json'}  ->  https://aurora.example/.well-known/did.json" in out
    assert f"{public / 'jwks.json'}  ->  https://aurora.example/.well-known/jwks.json" in out
    assert json.loads((public / "did.json").read_text())["id"] == "did:web:aurora.example"
    code, out, _ = run(
        capsys, "keygen", "--out", tmp_path / "p", "--domain", "aurora.example", "--path", "vet/x", "--name", "A"
    )
    assert "https://aurora.example/vet/x/did.json" in out
    assert "https://aurora.example/.well-known/jwks.json" in out  # the conventional JWKS, merged per host


def test_a_credential_naming_the_old_w3id_context_url_still_verifies(tmp_path, keys, capsys):
    """Issued before the context went inline (ADR 0012): same terms, same N-Quads, same verdict."""
    from badge_issuer.contexts import MICROVET_V1  # noqa: PLC0415
    from badge_issuer.keystore import load_issuer  # noqa: PLC0415
    from badge_issuer.proofs.data_integrity import sign_di  # noqa: PLC0415

    out = tmp_path / "new.json"
    issue = ["issue", "--keys", keys, "--achievement", EXAMPLE, "--recipient-email", "a@b.org"]
    assert run(capsys, *issue, "--out", out)[0] == 0
    document = json.loads(out.read_text())
    assert isinstance(document["@context"][3], dict)
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    unsigned["@context"] = [*unsigned["@context"][:3], MICROVET_V1]
    issuer = load_issuer(keys)
    old = tmp_path / "old.json"
    old.write_text(json.dumps(sign_di(unsigned, issuer.di_key, issuer.di_verification_method)))
    code, stdout, _ = run(capsys, "verify", old, "--offline")
    assert code == 0 and stdout.startswith("VALID"), stdout
    # and the signature is over the same RDF: the old proof also verifies the inline form
    moved = json.loads(old.read_text()) | {"@context": document["@context"]}
    old.write_text(json.dumps(moved))
    assert run(capsys, "verify", old, "--offline")[0] == 0
