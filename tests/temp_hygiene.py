"""What a test run may not leave in the system's temp dir: private keys (tests/conftest.py checks it)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

#: A PEM private key (badge_issuer.keystore, cryptography); a JWK holds its private part in ``"d"``.
_PEM_PRIVATE = b"PRIVATE KEY-----"
_JWK_PRIVATE = (b'"kty"', b'"d"')
#: Larger files are databases and logs, never key files.
_LARGEST_KEY_FILE = 64 * 1024


def _files(entry: Path) -> Iterator[Path]:
    if entry.is_symlink():
        return
    if entry.is_file():
        yield entry
    elif entry.is_dir():
        for root, _dirs, names in os.walk(entry, onerror=lambda _error: None):
            yield from (Path(root) / name for name in names)


def holds_private_key(entry: Path) -> bool:
    """Whether a file, or any file under a folder, holds a private key."""
    for path in _files(entry):
        try:
            if path.is_symlink() or path.stat().st_size > _LARGEST_KEY_FILE:
                continue
            data = path.read_bytes()
        except OSError:  # gone meanwhile, or unreadable: not ours to judge
            continue
        if _PEM_PRIVATE in data or all(marker in data for marker in _JWK_PRIVATE):
            return True
    return False


def _live_other_run(entry: Path, owner_file: str) -> bool:
    """Another test run's folder while that run is alive (runs in parallel work trees share /tmp)."""
    try:
        pid = int((entry / owner_file).read_text(encoding="ascii"))
    except (OSError, ValueError):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def leftovers(temp_dir: Path, before: Iterable[str], owner_file: str) -> list[Path]:
    """Entries of ``temp_dir`` that were not there ``before`` and hold a private key."""
    known = set(before)
    new = sorted(entry for entry in temp_dir.iterdir() if entry.name not in known)
    return [entry for entry in new if not _live_other_run(entry, owner_file) and holds_private_key(entry)]
