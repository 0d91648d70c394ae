"""The ``microvet`` command: a thin layer that parses arguments, calls badge_issuer and prints.

Every MicrovetError becomes one line ``microvet: <field or file>: <reason>`` and exit status 2;
outputs are written atomically, so a failed command leaves no half-written file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from . import bake, endorse, fetch, status
from .badge_image import default_badge_of
from .definition import load_definition
from .elm import to_elm
from .errors import DefinitionError, MicrovetError
from .files import write_atomic, write_json
from .issue import IssuedCredential, issue_credential, sign_credential
from .issuer_keys import IssuerKeys
from .keystore import PROFILE_FIELDS, generate_issuer, load_issuer, rotate_keys
from .model import Recipient
from .resolve import OfflineResolver, publication, publish
from .verify import file_status_fetcher, is_jwt, verify

#: Entry point group of the subcommands other packages add: each entry is a function given the subparsers.
#: The packages built on badge_issuer (course_templates) register so; badge_issuer never imports them.
COMMANDS_GROUP = "microvet.commands"
FORMAT_CHOICES = {"di": ("di",), "jwt": ("jwt",), "both": ("di", "jwt")}
VERIFY_LAYOUT = f"""\
--resolve-dir layout: one file per URL, DIR/<host>/<path> (a port as <host>_<port>):
  did:web:example.org          DIR/example.org/.well-known/did.json
  did:web:example.org:a:b      DIR/example.org/a/b/did.json
  https://example.org/iss/x    DIR/example.org/iss/x.json (controller document; JWKS: x.jwks.json)
  status list https://example.org/microvet/status/revocation-1
                               DIR/example.org/microvet/status/revocation-1 (or ...revocation-1.json)
`microvet keygen` writes this layout under <keys>/public. Fetching: HTTPS only, {fetch.DEFAULT_TIMEOUT:g} s
timeout, at most {fetch.MAX_BYTES // 1024 // 1024} MiB per document, redirects only to HTTPS.
Exit status: 0 valid, 1 invalid, 2 usage or input error."""


def _read_credential(path: str) -> dict[str, Any] | str:
    """A credential file: JSON-LD (embedded proof), a compact VC-JWT, or a baked PNG/SVG badge."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise MicrovetError(path, f"cannot read: {exc.strerror or exc}") from exc
    if data.startswith(b"\x89PNG") or data.lstrip().startswith((b"<svg", b"<?xml")):
        return bake.extract(data)
    text = data.decode("utf-8", errors="replace").strip()
    if is_jwt(text):
        return text
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MicrovetError(path, f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}) nor a VC-JWT") from exc
    if not isinstance(document, dict):
        raise MicrovetError(path, "a credential must be a JSON object")
    return document


def _write_issued(issued: IssuedCredential, out: str, formats: tuple[str, ...]) -> list[str]:
    """Write the DI document to OUT and/or the JWT (to OUT, or OUT with .jwt beside the JSON)."""
    target = Path(out)
    written: list[str] = []
    if "di" in formats:
        write_json(target, issued.document)
        written.append(str(target))
    if issued.jwt is not None:
        jwt_path = target if formats == ("jwt",) else target.with_suffix(".jwt")
        write_atomic(jwt_path, (issued.jwt + "\n").encode("ascii"))
        written.append(str(jwt_path))
    return written


# ---------------------------------------------------------------- commands


def cmd_keygen(args: argparse.Namespace) -> int:
    profile = {name: getattr(args, name) for name in PROFILE_FIELDS if getattr(args, name)}
    method = args.did or ("web" if args.domain else "key")
    issuer = generate_issuer(
        args.out, did=method, domain=args.domain, path=args.path, jwt_alg=args.jwt_alg, profile=profile
    )
    print(f"issuer {issuer.issuer_id} written to {args.out}")
    if issuer.method == "https":
        print(
            "note: wallets running verifier-core (Learner Credential Wallet, VerifierPlus) cannot dereference "
            "the #key-N methods of an https issuer; use --did web for credentials that wallets verify"
        )
    _print_publication(issuer, Path(args.out) / "public")
    return 0


def _print_publication(issuer: IssuerKeys, public: Path) -> None:
    """Write the tree to publish and say which URL serves each file (what resolvers fetch)."""
    if issuer.method == "key":
        return
    publish(issuer, public)
    print(f"publish the files under {public} at these URLs (content type application/json):")
    for path, url in publication(issuer, public):
        print(f"  {path}  ->  {url}")


def cmd_rotate(args: argparse.Namespace) -> int:
    issuer = rotate_keys(args.keys)
    print(
        f"new active keys {issuer.active_di} (Data Integrity) and {issuer.active_jwt} (VC-JWT) for {issuer.issuer_id}"
    )
    print("publish again: retired public keys stay listed, so older credentials still verify")
    _print_publication(issuer, Path(args.keys) / "public")
    return 0


def _status_entries(args: argparse.Namespace) -> list[dict[str, Any]]:
    entries = []
    for spec in args.status or []:
        name, sep, url = spec.partition("=")
        if not sep:
            raise DefinitionError("--status", f"{spec!r} must be NAME=URL (a list in --status-dir and its public URL)")
        store = status.FileStatusStore(args.status_dir)
        purpose = store.load(name).status_list.purpose
        entries.append(status.status_entry(url, store.allocate(name), purpose))
    return entries


def cmd_issue(args: argparse.Namespace) -> int:
    if args.status and not args.status_dir:
        raise DefinitionError("--status-dir", "is required with --status")
    definition = load_definition(args.achievement)
    issuer = load_issuer(args.keys)
    formats = FORMAT_CHOICES[args.format]
    recipient = Recipient(email=args.recipient_email, subject_id=args.recipient_id, name=args.recipient_name)
    issued = issue_credential(
        definition,
        recipient,
        issuer,
        formats=formats,
        score=args.score,
        include_name=args.include_name,
        status_entries=_status_entries(args),
    )
    for path in _write_issued(issued, args.out, formats):
        print(f"wrote {path}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    credential = _read_credential(args.file)
    if args.offline:
        resolver = OfflineResolver(args.resolve_dir)
        statuses = file_status_fetcher(args.resolve_dir) if args.resolve_dir else None
    else:
        if args.timeout <= 0:
            raise DefinitionError("--timeout", "must be a positive number of seconds")
        fetcher = fetch.Fetcher(timeout=args.timeout, allow_http_loopback=args.allow_http_loopback)
        resolver = fetch.FetchingResolver(fetcher, args.resolve_dir)
        statuses = fetch.status_fetcher(fetcher, args.resolve_dir)
    report = verify(credential, resolver=resolver, recipient_email=args.recipient_email, status_fetcher=statuses)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(report.verdict())
        if not report.ok:
            for check in report.failures:
                print(f"  - {check.name}: {check.reason}")
    return 0 if report.ok else 1


def cmd_bake(args: argparse.Namespace) -> int:
    credential = _read_credential(args.credential)
    kind = Path(args.out).suffix.lower().lstrip(".")
    if kind not in ("png", "svg"):
        raise DefinitionError("--out", "must end in .png or .svg")
    try:
        image = Path(args.image).read_bytes() if args.image else default_badge_of(credential, kind)
    except OSError as exc:
        raise MicrovetError(args.image, f"cannot read: {exc.strerror or exc}") from exc
    baked = bake.bake_png(image, credential) if kind == "png" else bake.bake_svg(image, credential).encode("utf-8")
    write_atomic(args.out, baked)
    print(f"wrote {args.out}")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    try:
        found = bake.extract(Path(args.image).read_bytes())
    except OSError as exc:
        raise MicrovetError(args.image, f"cannot read: {exc.strerror or exc}") from exc
    text = found if isinstance(found, str) else json.dumps(found, indent=2, ensure_ascii=False)
    if args.out:
        write_atomic(args.out, (text + "\n").encode("utf-8"))
        print(f"wrote {args.out}")
    else:
        print(text)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    store = status.FileStatusStore(args.dir)
    if args.action == "create":
        store.create(args.name, args.purpose, args.size)
        print(f"created {args.purpose} list {args.name!r} in {args.dir}")
    elif args.action in ("revoke", "suspend", "reinstate"):
        if args.index is None:
            raise DefinitionError("--index", f"is required to {args.action}")
        store.apply(args.name, args.index, args.action)
        print(f"{args.action}: index {args.index} of list {args.name!r}")
    elif args.action == "show":
        stored = store.load(args.name)
        set_bits = [i for i in sorted(stored.allocated) if stored.status_list.get(i)]
        print(
            json.dumps(
                {
                    "name": args.name,
                    "purpose": stored.status_list.purpose,
                    "allocated": len(stored.allocated),
                    "set": set_bits,
                }
            )
        )
    if args.publish:
        if not (args.keys and args.url):
            raise DefinitionError("--publish", "needs --keys and --url")
        stored = store.load(args.name)
        issuer = load_issuer(args.keys)
        unsigned = status.status_list_credential(
            args.url, issuer.issuer_id, stored.status_list.purpose, stored.status_list.encode(), datetime.now(UTC)
        )
        write_json(args.publish, sign_credential(unsigned, issuer).document)
        print(f"wrote signed status list credential {args.publish}")
    return 0


def cmd_export_elm(args: argparse.Namespace) -> int:
    credential = _read_credential(args.credential)
    if not isinstance(credential, dict):
        raise DefinitionError(args.credential, "Europass export needs the JSON-LD credential, not a JWT")
    write_json(args.out, to_elm(load_definition(args.achievement), credential))
    print(f"wrote {args.out}")
    return 0


def cmd_endorse(args: argparse.Namespace) -> int:
    issuer = load_issuer(args.keys)
    unsigned = endorse.build_endorsement(
        subject_id=args.subject_id, issuer_profile=issuer.issuer_profile(), name=args.name, comment=args.comment
    )
    issued = sign_credential(unsigned, issuer, FORMAT_CHOICES[args.format])
    for path in _write_issued(issued, args.out, FORMAT_CHOICES[args.format]):
        print(f"wrote {path}")
    return 0


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:  # noqa: PLR0915 - one declarative table of commands
    parser = argparse.ArgumentParser(
        prog="microvet",
        description="Issue and verify EU micro-credentials as Open Badges 3.0 (W3C VC 2.0) credentials, offline.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("keygen", help="create an issuer key set and its public documents")
    p.add_argument("--out", required=True, help="directory for issuer.json and the 0600 private keys")
    p.add_argument(
        "--did",
        choices=["key", "web", "https"],
        help="issuer id: did:web (the default with --domain: production, rotatable, what wallets resolve), "
        "did:key (the default without: offline demos) or an https issuer URL (JOSE verifiers only)",
    )
    p.add_argument("--domain", help="domain for did:web / https issuers")
    p.add_argument(
        "--path",
        default="",
        help="did:web path (a/b: did:web:<domain>:a:b, served at https://<domain>/a/b/did.json; none: "
        "https://<domain>/.well-known/did.json) or the path of an https issuer id (e.g. issuers/aurora)",
    )
    p.add_argument("--jwt-alg", choices=["RS256", "ES256", "EdDSA"], default="EdDSA")
    for field in PROFILE_FIELDS:
        p.add_argument(f"--{field}", help=f"issuer profile {field}")
    p.set_defaults(func=cmd_keygen)

    p = sub.add_parser("rotate", help="rotate an issuer's keys (did:web / https); retired keys stay published")
    p.add_argument("--keys", required=True)
    p.set_defaults(func=cmd_rotate)

    p = sub.add_parser("issue", help="issue a micro-credential from a JSON or YAML definition")
    p.add_argument("--keys", required=True)
    p.add_argument("--achievement", required=True, help="definition file (see examples/micro-credential.yaml)")
    p.add_argument("--recipient-email", required=True)
    p.add_argument("--recipient-id", help="a urn:uuid or a DID the learner supplies")
    p.add_argument("--recipient-name", help="the learner's name (only in the credential with --include-name)")
    p.add_argument("--include-name", action="store_true")
    p.add_argument("--score", type=float, help="final score in percent (the grade element)")
    p.add_argument("--format", choices=list(FORMAT_CHOICES), default="di")
    p.add_argument("--status-dir", help="directory of status lists (microvet status create)")
    p.add_argument(
        "--status", action="append", metavar="NAME=URL", help="allocate an index in list NAME published at URL"
    )
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_issue)

    p = sub.add_parser(
        "verify",
        help="verify a credential (JSON-LD, VC-JWT or baked badge)",
        description="Verify a credential as a learner downloaded it. By default the documents verification "
        "needs are fetched over HTTPS (status list credentials, did:web DID documents, https issuer documents; "
        "JSON-LD contexts never: they are bundled). --offline fetches nothing.",
        epilog=VERIFY_LAYOUT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file")
    p.add_argument("--recipient-email")
    p.add_argument("--resolve-dir", help="local copies of issuer documents and status lists (layout below); used first")
    p.add_argument("--offline", action="store_true", help="fetch nothing: only --resolve-dir and did:key")
    p.add_argument(
        "--timeout", type=float, default=fetch.DEFAULT_TIMEOUT, help="seconds per request (default %(default)s)"
    )
    p.add_argument(
        "--allow-http-loopback",
        action="store_true",
        help="speak plain http to localhost / 127.0.0.1 / ::1, also for https URLs (a local LMS in development)",
    )
    p.add_argument("--json", action="store_true", help="print the full JSON report")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("bake", help="bake a credential into a PNG or SVG badge")
    p.add_argument("--credential", required=True)
    p.add_argument("--image", help="PNG or SVG to bake into (default: a generated badge)")
    p.add_argument("--out", required=True, help="*.png or *.svg")
    p.set_defaults(func=cmd_bake)

    p = sub.add_parser("extract", help="extract the credential baked into a PNG or SVG")
    p.add_argument("image")
    p.add_argument("--out")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("status", help="manage Bitstring Status Lists (revocation, suspension)")
    p.add_argument("action", choices=["create", "revoke", "suspend", "reinstate", "show"])
    p.add_argument("--dir", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--purpose", choices=list(status.PURPOSES), default="revocation")
    p.add_argument("--size", type=int, default=status.MIN_SIZE)
    p.add_argument("--index", type=int)
    p.add_argument("--publish", metavar="FILE", help="also write the signed status list credential")
    p.add_argument("--keys")
    p.add_argument("--url", help="public URL of the status list credential")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("export-elm", help="export the award as a Europass ELM v3 credential (unsigned)")
    p.add_argument("--achievement", required=True)
    p.add_argument("--credential", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_export_elm)

    p = sub.add_parser("endorse", help="issue an EndorsementCredential for an achievement, issuer or credential")
    p.add_argument("--keys", required=True)
    p.add_argument("--subject-id", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--comment")
    p.add_argument("--format", choices=list(FORMAT_CHOICES), default="di")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_endorse)

    for command in entry_points(group=COMMANDS_GROUP):  # course_templates: ``microvet course``
        command.load()(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.func
    try:
        return handler(args)
    except MicrovetError as exc:
        print(f"microvet: {exc}", file=sys.stderr)
        for field, reason in list(getattr(exc, "errors", {}).items())[1:]:
            print(f"microvet: {field}: {reason}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
