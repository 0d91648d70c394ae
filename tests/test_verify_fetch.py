"""`microvet verify` on what a learner downloads: it fetches status lists and issuer documents itself.

A real HTTP server on 127.0.0.1 (a thread, stopped after each test) serves the tree `microvet
keygen` writes. did:web always means https; the tests pass --allow-http-loopback, which speaks plain
http to loopback hosts only, so no certificate is needed.
"""

from __future__ import annotations

import http.server
import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from badge_issuer.cli import main
from badge_issuer.fetch import Fetcher, FetchError

from .issuing import EXAMPLE


class _Handler(http.server.SimpleHTTPRequestHandler):
    requests: list[str]

    def do_GET(self):
        self.requests.append(self.path)
        if self.path == "/slow":
            time.sleep(2)  # longer than the client's timeout; it has gone, so answer nothing
            return
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "http://example.org/status/1")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path) -> Iterator[tuple[str, Path, list[str]]]:
    """(host with port as in a did:web, the served directory, the request paths seen)."""
    root = tmp_path / "www"
    root.mkdir()
    requests: list[str] = []
    handler = type("Handler", (_Handler,), {"requests": requests})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: handler(*a, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}", root, requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _issuer_with_status(tmp_path, capsys, host: str, root: Path) -> tuple[Path, list]:
    """A did:web issuer on the loopback host, a credential on its revocation list, both published."""
    keys = tmp_path / "keys"
    assert run(capsys, "keygen", "--out", keys, "--domain", host.replace(":", "%3A"), "--name", "A")[0] == 0
    shutil.copytree(keys / "public" / host.replace(":", "_"), root, dirs_exist_ok=True)
    status = ["--dir", tmp_path / "status", "--name", "rev"]
    assert run(capsys, "status", "create", *status)[0] == 0
    url = f"https://{host}/status/rev.json"
    out = tmp_path / "credential.json"
    issue = ["issue", "--keys", keys, "--achievement", EXAMPLE, "--recipient-email", "a@b.org"]
    assert run(capsys, *issue, "--status-dir", tmp_path / "status", "--status", f"rev={url}", "--out", out)[0] == 0
    publish = [*status, "--publish", root / "status" / "rev.json", "--keys", keys, "--url", url]
    assert run(capsys, "status", "show", *publish)[0] == 0
    return out, publish


def test_verify_fetches_the_did_document_and_status_list_and_sees_a_revocation(tmp_path, capsys, server):
    host, root, requests = server
    credential, publish = _issuer_with_status(tmp_path, capsys, host, root)
    code, out, _ = run(capsys, "verify", credential, "--allow-http-loopback")
    assert (code, out.split(":")[0]) == (0, "VALID"), out
    assert sorted(requests) == ["/.well-known/did.json", "/status/rev.json"]  # what verification needs, no context
    index = json.loads(credential.read_text())["credentialStatus"]["statusListIndex"]
    assert run(capsys, "status", "revoke", *publish, "--index", index)[0] == 0
    code, out, _ = run(capsys, "verify", credential, "--allow-http-loopback")
    assert code == 1 and "status (revocation): the credential is revoked" in out


def test_without_the_flag_only_https_is_spoken(tmp_path, capsys, server):
    host, root, _ = server
    credential, _ = _issuer_with_status(tmp_path, capsys, host, root)
    code, out, _ = run(capsys, "verify", credential, "--timeout", "3")
    assert code == 1
    assert f"https://{host}/.well-known/did.json: cannot connect" in out  # a TLS handshake with an http server


def test_offline_fetches_nothing_and_says_what_is_missing(tmp_path, capsys, server):
    host, root, requests = server
    credential, _ = _issuer_with_status(tmp_path, capsys, host, root)
    code, out, _ = run(capsys, "verify", credential, "--offline")
    assert code == 1 and requests == []
    assert "unknown issuer and no resolve directory was given" in out
    code, out, _ = run(capsys, "verify", credential, "--offline", "--resolve-dir", tmp_path / "keys" / "public")
    assert code == 1 and requests == []
    assert f"status list https://{host}/status/rev.json could not be read" in out


def test_local_copies_come_first(tmp_path, capsys, server):
    host, root, requests = server
    credential, _ = _issuer_with_status(tmp_path, capsys, host, root)
    copies = tmp_path / "copies"
    shutil.copytree(tmp_path / "keys" / "public", copies)
    shutil.copytree(root / "status", copies / host.replace(":", "_") / "status")
    assert run(capsys, "verify", credential, "--resolve-dir", copies, "--allow-http-loopback")[0] == 0
    assert requests == []


def test_missing_documents_are_named_with_the_http_status(tmp_path, capsys, server):
    host, root, _ = server
    credential, _ = _issuer_with_status(tmp_path, capsys, host, root)
    (root / "status" / "rev.json").unlink()
    code, out, _ = run(capsys, "verify", credential, "--allow-http-loopback")
    assert code == 1
    assert (
        f"status list https://{host}/status/rev.json could not be read: https://{host}/status/rev.json: HTTP 404" in out
    )


def test_fetcher_limits_size_time_scheme_and_redirects(server):
    host, root, _ = server
    (root / "big.json").write_text(json.dumps({"x": "y" * 5000}))
    (root / "list.json").write_text("[1, 2]")
    fetcher = Fetcher(allow_http_loopback=True, max_bytes=1000, timeout=0.5)
    with pytest.raises(FetchError, match="larger than 1000 bytes"):
        fetcher.get_json(f"https://{host}/big.json")
    with pytest.raises(FetchError, match=r"no answer within 0\.5 s"):
        fetcher.get_json(f"https://{host}/slow")
    with pytest.raises(FetchError, match="expected a JSON object"):
        fetcher.get_json(f"https://{host}/list.json")
    with pytest.raises(FetchError, match=r"http://example\.org/status/1: only https URLs are fetched"):
        fetcher.get_json(f"https://{host}/redirect")
    with pytest.raises(FetchError, match="only https URLs are fetched"):
        Fetcher().get_json(f"http://{host}/list.json")  # loopback http only with the explicit flag
    with pytest.raises(FetchError, match="only https URLs are fetched"):
        Fetcher(allow_http_loopback=True).get_json("http://example.org/list.json")


def test_help_documents_the_resolve_dir_layout(capsys):
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    text = capsys.readouterr().out
    assert "DIR/example.org/.well-known/did.json" in text
    assert "DIR/example.org/a/b/did.json" in text
    assert "--offline" in text and "never" in text


def test_a_fetched_document_of_another_issuer_is_refused(tmp_path, capsys, server):
    host, root, _ = server
    credential, _ = _issuer_with_status(tmp_path, capsys, host, root)
    did = root / ".well-known" / "did.json"
    did.write_text(json.dumps(json.loads(did.read_text()) | {"id": "did:web:other.example"}))
    code, out, _ = run(capsys, "verify", credential, "--allow-http-loopback")
    assert code == 1 and "is the document of 'did:web:other.example', not of 'did:web:127.0.0.1%3A" in out
