"""The microVET alliance: member checks, endorsements verified on upload and embedded at issuance.

An endorsement is accepted only when ``badge_issuer.verify`` passes it (proof, key bound to the
issuer, validity period, status), its issuer is the member's own DID or issuer URL, and its subject
is a micro-credential (achievement id) or the issuer profile of this platform. Accepted endorsements
are embedded in credentials issued from then on; each is checked again at most every
``RECHECK_AFTER`` before that, so a revoked or expired one stops being embedded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import jwt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from badge_issuer.bake import PNG_SIGNATURE
from badge_issuer.did import valid_did
from badge_issuer.formats import parse_datetime
from badge_issuer.i18n import LANGUAGES
from badge_issuer.model import issuer_id
from badge_issuer.resolve import KeyResolver, OfflineResolver
from badge_issuer.verify import (
    Report,
    StatusFetcher,
    credential_types,
    file_status_fetcher,
    is_jwt,
    verify,
)
from badge_issuer.vocab import COUNTRY_ALPHA3

from .alliance_models import ORGANISATION_TYPES, AllianceMember, Endorsement
from .check_labels import check_label
from .config import issuer_keys
from .errors import InvalidInput
from .models import MicroCredentialDefinition

#: A logo larger than this is refused (it is served on every directory page).
LOGO_MAX_BYTES = 256 * 1024
#: Width and height limit, checked before decoding (a small file can inflate to a huge image).
LOGO_MAX_SIDE = 2048
DESCRIPTION_MAX_CHARS = 2000
#: An embedded endorsement's status is checked again when its last check is older than this.
RECHECK_AFTER = timedelta(hours=1)
#: An uploaded endorsement larger than this is refused before it is parsed.
ENDORSEMENT_MAX_BYTES = 512 * 1024


def language_names() -> list[tuple[str, str]]:
    """(code, name) of the languages a member description may be written in."""
    # .. setting_name: MICROVET['ALLIANCE_LANGUAGES']
    # .. setting_default: the six languages the package is translated into (en, it, el, es, pt, de)
    # .. setting_description: Languages of the alliance members' descriptions, as (code, name)
    #    pairs; the directory shows the visitor's language, else English, else any.
    configured = (getattr(settings, "MICROVET", None) or {}).get("ALLIANCE_LANGUAGES")
    return [tuple(pair) for pair in configured] if configured else list(LANGUAGES)


def languages() -> list[str]:
    return [code for code, _name in language_names()]


# ------------------------------------------------------------------------------------ member input


def logo_problem(data: bytes) -> str | None:
    """Why ``data`` cannot be a member's logo, or None: a PNG that decodes, within the size limit."""
    if len(data) > LOGO_MAX_BYTES:
        return _("The logo is larger than {limit} KB.").format(limit=LOGO_MAX_BYTES // 1024)
    if not data.startswith(PNG_SIGNATURE):
        return _("The logo must be a PNG image.")
    import png  # noqa: PLC0415  (pypng, a dependency of the baking code)

    try:
        width, height, rows, _info = png.Reader(bytes=data).read()
        if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
            return _("The logo is larger than {side} by {side} pixels.").format(side=LOGO_MAX_SIDE)
        for _row in rows:  # pypng decodes lazily: a truncated file fails only here
            pass
    except (png.Error, ValueError, EOFError, OverflowError):
        return _("The logo is not a readable PNG image.")
    return None


def identifier_problem(value: str) -> str | None:
    """A member signs under a did:key, a did:web or an HTTPS issuer URL."""
    if not value:
        return None
    if value.startswith("did:"):
        return None if valid_did(value) else _("Enter a did:key or did:web DID, such as did:web:example.org.")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc:
        return _("Enter a DID (did:key or did:web) or an https:// issuer URL.")
    return None


def member_problems(values: Mapping[str, Any]) -> dict[str, str]:
    """Field -> reason for everything wrong in a member's values (empty when they can be saved)."""
    problems: dict[str, str] = {}
    if not str(values.get("name") or "").strip():
        problems["name"] = _("A member needs a name.")
    if values.get("country") not in COUNTRY_ALPHA3:
        problems["country"] = _("Enter an ISO 3166-1 alpha-2 country code in capitals, such as IT.")
    if values.get("organisation_type") not in dict(ORGANISATION_TYPES):
        problems["organisation_type"] = _("Choose a type of organisation from the list.")
    if not str(values.get("expertise") or "").strip():
        problems["expertise"] = _("Describe the member's field of expertise.")
    description = values.get("description") or {}
    allowed = languages()
    if not isinstance(description, Mapping) or not all(
        isinstance(v, str) and len(v) <= DESCRIPTION_MAX_CHARS for v in description.values()
    ):
        problems["description"] = _("Give one text of at most {limit} characters per language.").format(
            limit=DESCRIPTION_MAX_CHARS
        )
    elif unknown := sorted(set(description) - set(allowed)):
        problems["description"] = _("Unknown language code(s) {codes}; use one of {allowed}.").format(
            codes=", ".join(unknown), allowed=", ".join(allowed)
        )
    logo = values.get("logo_png") or b""
    if logo and (reason := logo_problem(bytes(logo))):
        problems["logo_png"] = reason
    if reason := identifier_problem(str(values.get("identifier") or "")):
        problems["identifier"] = reason
    return problems


def localized(description: Mapping[str, str], language: str) -> str:
    """The description in ``language``, else English, else any language it has."""
    base = language.split("-", maxsplit=1)[0]
    for code in (language, base, "en"):
        if description.get(code):
            return description[code]
    return next((text for text in description.values() if text), "")


# ------------------------------------------------------------------------------------ endorsements


def _resolver() -> KeyResolver:
    """Keys of members: did:key offline; did:web and HTTPS issuers from the published-documents
    folder ``MICROVET['ALLIANCE_RESOLVE_DIR']`` (the layout of ``microvet verify --resolve-dir``)."""
    return OfflineResolver(resolve_dir=_resolve_dir())


def _resolve_dir() -> str | None:
    # .. setting_name: MICROVET['ALLIANCE_RESOLVE_DIR']
    # .. setting_default: None
    # .. setting_description: Folder with the published DID documents, issuer documents and status
    #    lists of alliance members (laid out like their URLs, as ``microvet verify --resolve-dir``),
    #    used to verify members' endorsements. did:key members need nothing.
    return (getattr(settings, "MICROVET", None) or {}).get("ALLIANCE_RESOLVE_DIR") or None


def _status_fetcher() -> StatusFetcher | None:
    directory = _resolve_dir()
    return file_status_fetcher(directory) if directory else None


def parse_upload(raw: bytes | str) -> dict[str, Any] | str:
    """The uploaded endorsement: a JSON object (Data Integrity) or a compact JWS, else InvalidInput."""
    if isinstance(raw, bytes):
        if len(raw) > ENDORSEMENT_MAX_BYTES:
            raise InvalidInput("endorsement", _("The file is larger than {limit} KB.").format(limit=512))
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("endorsement", _("The file is not UTF-8 text.")) from None
    text = raw.strip()
    if is_jwt(text):
        return text
    try:
        document = json.loads(text)
    except ValueError:
        raise InvalidInput("endorsement", _("The file is neither JSON nor a compact JWS.")) from None
    if not isinstance(document, dict):
        raise InvalidInput("endorsement", _("The file must hold one credential (a JSON object)."))
    return document


def _endorsed_subjects() -> dict[str, str]:
    """Subject id -> kind, for everything on this platform that can be endorsed."""
    subjects = dict.fromkeys(
        MicroCredentialDefinition.objects.values_list("microcredential_id", flat=True).distinct(),
        Endorsement.ACHIEVEMENT,
    )
    subjects[issuer_keys().issuer_id] = Endorsement.ISSUER  # the id of the issuer Profile
    return subjects


def _first_failure(report: Report) -> str:
    failure = report.failures[0] if report.failures else None
    return f"{check_label(failure.name)}: {failure.reason}" if failure else _("the endorsement could not be verified")


def _time(value: Any, path: str) -> datetime | None:
    """A validity bound the verification has already read; None where the endorsement has none."""
    return None if value is None else parse_datetime(value, path)


def check_endorsement(
    member: AllianceMember,
    raw: bytes | str,
    *,
    resolver: KeyResolver | None = None,
    status_fetcher: StatusFetcher | None = None,
    now: datetime | None = None,
) -> Endorsement:
    """The unsaved row for an uploaded endorsement of ``member``; InvalidInput names the failing check.

    Checks, in order: it parses, it is an EndorsementCredential, ``verify`` passes it (proof, key
    bound to its issuer, validity period, status), its issuer is the member's DID or issuer URL, and
    its subject is a micro-credential of this platform or the platform's issuer profile.
    """
    endorsement = parse_upload(raw)
    report = verify(
        endorsement,
        resolver=resolver or _resolver(),
        now=now,
        status_fetcher=status_fetcher or _status_fetcher(),
    )
    document = report.document or {}
    if report.document is not None and "EndorsementCredential" not in credential_types(document):
        raise InvalidInput("type", _("This is not an EndorsementCredential."))
    if not report.ok:
        raise InvalidInput("endorsement", _first_failure(report))
    if not member.identifier:
        raise InvalidInput("member", _("Give the member's DID or issuer URL before uploading its endorsements."))
    signer = str(issuer_id(document) or "")
    if signer != member.identifier:
        raise InvalidInput(
            "issuer",
            _("Signed by {signer}, not by the member's {identifier}.").format(
                signer=signer, identifier=member.identifier
            ),
        )
    subject = document.get("credentialSubject") or {}
    subject_id = str(subject.get("id", "")) if isinstance(subject, Mapping) else ""
    kind = _endorsed_subjects().get(subject_id)
    if kind is None:
        raise InvalidInput(
            "credentialSubject.id",
            _("{subject} is neither a micro-credential of this platform nor its issuer.").format(subject=subject_id),
        )
    credential_id = str(document.get("id") or "")
    if Endorsement.objects.filter(credential_id=credential_id).exists():
        raise InvalidInput("id", _("This endorsement was uploaded before."))
    checked = now or timezone.now()
    return Endorsement(
        member=member,
        credential_id=credential_id,
        subject_kind=kind,
        subject_id=subject_id,
        name=str(document.get("name") or "")[:200],
        document=endorsement,
        valid_from=_time(document.get("validFrom"), "validFrom") or checked,
        valid_until=_time(document.get("validUntil"), "validUntil"),
        checked_at=checked,
    )


def accept_endorsement(member: AllianceMember, raw: bytes | str, *, actor: str, **checks: Any) -> Endorsement:
    """Verify an uploaded endorsement of ``member`` and store it (see ``check_endorsement``)."""
    row = check_endorsement(member, raw, **checks)
    row.uploaded_by = actor[:150]
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise InvalidInput("id", _("This endorsement was uploaded before.")) from None
    return row


def _state_of(report: Report) -> tuple[str, str]:
    if report.ok:
        return Endorsement.ACCEPTED, ""
    failure = report.failures[0]
    if failure.name.startswith("status (revocation)"):
        return Endorsement.REVOKED, failure.reason
    if failure.name.startswith("status (suspension)"):
        return Endorsement.SUSPENDED, failure.reason
    if failure.name == "validity period":
        return Endorsement.EXPIRED, failure.reason
    return Endorsement.REVOKED, _first_failure(report)


def recheck(endorsement: Endorsement, *, now: datetime | None = None, force: bool = False) -> Endorsement:
    """Verify a stored endorsement again (when its last check is stale) and record the outcome."""
    moment = now or timezone.now()
    if endorsement.valid_until is not None and endorsement.valid_until < moment:
        state, reason = Endorsement.EXPIRED, _("expired on {date}").format(date=endorsement.valid_until.isoformat())
    elif not force and moment - endorsement.checked_at < RECHECK_AFTER:
        return endorsement
    else:
        report = verify(endorsement.document, resolver=_resolver(), now=moment, status_fetcher=_status_fetcher())
        state, reason = _state_of(report)
    if (state, reason) != (endorsement.state, endorsement.state_reason) or force:
        Endorsement.objects.filter(pk=endorsement.pk).update(state=state, state_reason=reason, checked_at=moment)
        endorsement.state, endorsement.state_reason, endorsement.checked_at = state, reason, moment
    return endorsement


def shown_endorsements(document: Mapping[str, Any]) -> list[dict[str, str]]:
    """The endorsements embedded in an issued credential, with their state today (for people)."""
    subject = document.get("credentialSubject") or {}
    nodes = [document.get("issuer"), subject.get("achievement") if isinstance(subject, Mapping) else None]
    ids = []
    for node in (n for n in nodes if isinstance(n, Mapping)):
        ids += [str(e.get("id")) for e in node.get("endorsement") or [] if isinstance(e, Mapping)]
        ids += [_jws_id(token) for token in node.get("endorsementJwt") or [] if isinstance(token, str)]
    rows = {
        row.credential_id: row for row in Endorsement.objects.filter(credential_id__in=ids).select_related("member")
    }
    shown = []
    for credential_id in ids:
        row = rows.get(credential_id)
        if row is None:
            continue  # not uploaded here: badge_issuer.verify still checks it on the page
        row = recheck(row)
        shown.append(
            {
                "member": row.member.name,
                "name": row.name,
                "state": row.state,
                "state_label": str(dict(Endorsement.STATES)[row.state]),
            }
        )
    return shown


def _jws_id(token: str) -> str:
    """The credential id inside a compact JWS endorsement (its signature is checked by verify)."""
    try:
        payload = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return ""
    payload = payload.get("vc", payload) if isinstance(payload, dict) else {}
    return str(payload.get("id") or payload.get("jti") or "")


def is_endorsement_check(name: str) -> bool:
    """Whether a check of ``badge_issuer.verify`` is about an embedded endorsement (not the credential)."""
    return name.rsplit(".", maxsplit=1)[-1].startswith(("endorsement[", "endorsementJwt["))


def page_resolver(issuer: Any) -> KeyResolver:
    """Keys for the verification page: this platform's issuer, and members' published documents."""
    return OfflineResolver(resolve_dir=_resolve_dir(), issuers=[issuer])


def member_status_fetcher() -> StatusFetcher | None:
    """Status lists of members, from the alliance's published-documents folder (or None)."""
    return _status_fetcher()


def count_view(credential_pk: int) -> None:
    """One more opening of a credential's verification page: it was shared (atomic increment)."""
    from django.db.models import F  # noqa: PLC0415

    from .alliance_models import CredentialViews  # noqa: PLC0415

    views, _created = CredentialViews.objects.get_or_create(credential_id=credential_pk)
    CredentialViews.objects.filter(pk=views.pk).update(count=F("count") + 1)
