"""The unsigned OB 3.0 OpenBadgeCredential (VC 2.0) for one award of a micro-credential definition.

Mapping of the EU Annex I elements: docs/decisions/0001-eu-elements-in-ob3.md. Serialisation follows
OB 3.0 §Serialization: arrays wherever the spec allows a set, and no nulls or empty arrays.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from .contexts import credential_contexts
from .dates import xsd_datetime
from .definition import Definition, LearningOutcome
from .errors import DefinitionError
from .field_checks import https_url_problem
from .formats import is_email_address
from .i18n import translator
from .vocab import ASSESSMENT_TYPES, PARTICIPATION_FORMS, SUPERVISION, eqf_level

ACHIEVEMENT_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json"
)
EVIDENCE_FIELDS = ("id", "name", "description", "narrative", "genre", "audience")


@dataclass(frozen=True)
class Recipient:
    """The learner (EU element 1). ``email`` is only ever stored salted and hashed."""

    email: str
    subject_id: str | None = None
    name: str | None = None


def normalise_email(email: str) -> str:
    """Strip and lower-case: the same address typed differently must give the same hash."""
    return email.strip().lower()


def identity_hash(value: str, salt: str) -> str:
    """OB 3.0 IdentityHash: ``sha256$`` + hex SHA-256 of UTF-8(value ‖ salt)."""
    return "sha256$" + hashlib.sha256((value + salt).encode("utf-8")).hexdigest()


def verify_recipient(credential: Mapping[str, Any], email: str) -> bool:
    """True if one emailAddress identity of the credential subject matches ``email`` (normalised)."""
    wanted = normalise_email(email)
    subject = credential.get("credentialSubject") or {}
    for identity in subject.get("identifier") or ():
        if not isinstance(identity, Mapping) or identity.get("identityType") != "emailAddress":
            continue
        stored = str(identity.get("identityHash", ""))
        if not identity.get("hashed"):
            if normalise_email(stored) == wanted:
                return True
            continue
        algorithm, _, digest = stored.partition("$")
        if algorithm not in ("sha256", "md5"):
            continue
        computed = hashlib.new(algorithm, (wanted + str(identity.get("salt", ""))).encode("utf-8")).hexdigest()
        if hmac.compare_digest(computed, digest.lower()):
            return True
    return False


def achievement_of(definition: Definition) -> dict[str, Any]:
    """The OB 3.0 Achievement for a definition: the same for every award, so it can be endorsed.

    Built once per definition (a fresh copy each call, so callers may change theirs).
    """
    return json.loads(_achievement_json(definition))


@lru_cache(maxsize=256)
def _achievement_json(definition: Definition) -> str:
    assessment = ASSESSMENT_TYPES[definition.assessment_type]
    participation = PARTICIPATION_FORMS[definition.participation]
    eqf = eqf_level(definition.eqf_level)
    achievement: dict[str, Any] = {
        "id": definition.id,
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": definition.title,
        "description": _description(definition),
        "criteria": _criteria(definition),
        "alignment": _alignments(definition),
        "creditsAvailable": definition.ects,
        "inLanguage": definition.language,
        "fieldOfStudy": definition.field_of_study,
        "version": definition.version,
        "image": {"id": definition.image, "type": "Image"} if definition.image else None,
        "resultDescription": [_result_description(definition)],
        # EU extension terms (contexts/microvet-v1.jsonld)
        "volumeOfLearning": f"PT{decimal_text(definition.hours)}H",
        "ectsCredits": decimal_text(definition.ects),
        "eqfLevel": eqf.iri,
        "nqfLevel": definition.nqf_level,
        "learningMode": participation.iri,
        "learningModeLabel": participation.label,
        "assessmentType": assessment.iri,
        "assessmentTypeLabel": assessment.label,
        "qualityAssurance": definition.quality_assurance,
        "entryRequirement": definition.prerequisites,
        "integrationStackability": definition.stackability,
        "furtherInformation": definition.further_information,
        "learningOutcome": [_outcome(lo) for lo in definition.learning_outcomes],
    }
    if definition.supervision:
        supervision = SUPERVISION[definition.supervision]
        achievement["idVerification"] = supervision.iri
        achievement["idVerificationLabel"] = supervision.label
    return json.dumps(prune(achievement), ensure_ascii=False)


def build_credential(
    definition: Definition,
    recipient: Recipient,
    issuer_profile: Mapping[str, Any],
    *,
    credential_id: str,
    issued_at: datetime,
    score: float | None = None,
    evidence: Iterable[Mapping[str, Any]] = (),
    status_entries: Iterable[Mapping[str, Any]] = (),
    include_name: bool = False,
    salt: str | None = None,
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential awarding ``definition`` to ``recipient``.

    Raises DefinitionError naming the bad argument (``recipient.email``, ``score``, ``issued_at``...).
    """
    _check_iri(credential_id, "credential_id")
    issuer_id = issuer_profile.get("id")
    if not isinstance(issuer_id, str):
        raise DefinitionError("issuer_profile.id", "is required (the issuer's https URL or DID)")
    _check_iri(issuer_id, "issuer_profile.id")
    if issued_at.tzinfo is None:
        raise DefinitionError("issued_at", "must be timezone-aware (UTC)")
    issued = issued_at.astimezone(UTC).replace(microsecond=0)
    valid_until = expiry(issued, definition.valid_for_days)
    statuses = [dict(entry) for entry in status_entries]
    if len(statuses) > 1:
        raise DefinitionError("status_entries", "OB 3.0 allows one credentialStatus entry per credential")
    credential: dict[str, Any] = {
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": definition.title,
        "description": _award_description(definition, score),
        "issuer": _issuer(definition, issuer_profile, issuer_id),
        "validFrom": xsd_datetime(issued),
        "awardedDate": xsd_datetime(issued),
        "validUntil": xsd_datetime(valid_until) if valid_until else None,
        "credentialSubject": _subject(definition, recipient, score, include_name, salt),
        "evidence": [_evidence(item, index) for index, item in enumerate(evidence)],
        "credentialSchema": [{"id": ACHIEVEMENT_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
        "credentialStatus": statuses[0] if statuses else None,
    }
    # The contexts and the achievement (the largest parts) have nothing to prune: added after pruning the rest.
    credential = {"@context": credential_contexts(), **prune(credential)}
    credential["credentialSubject"]["achievement"] = achievement_of(definition)
    return credential


def issuer_id(document: Mapping[str, Any]) -> Any:
    """The issuer's id, whether ``issuer`` is a Profile object or a bare IRI."""
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def expiry(issued_at: datetime, valid_for_days: int | None) -> datetime | None:
    """``validUntil`` of a credential issued at ``issued_at`` (None: it does not expire)."""
    return None if valid_for_days is None else issued_at + timedelta(days=valid_for_days)


def _issuer(definition: Definition, profile: Mapping[str, Any], issuer_id: str) -> dict[str, Any]:
    """The issuer Profile: the key holder's id and extras, with the awarding body's EU elements 3-4."""
    body = definition.awarding_body
    issuer = {k: v for k, v in profile.items() if k != "@context"}
    awarding = {
        "id": issuer_id,
        "type": ["Profile"],
        "name": body.name,
        "url": body.url,
        "email": body.email,
        "address": {"type": ["Address"], "addressCountryCode": body.country, "addressRegion": body.region},
    }
    issuer.update({k: v for k, v in awarding.items() if v})  # an empty awarding-body email keeps the profile's
    return issuer


def _subject(
    definition: Definition, recipient: Recipient, score: float | None, include_name: bool, salt: str | None
) -> dict[str, Any]:
    email = normalise_email(recipient.email) if isinstance(recipient.email, str) else ""
    if not is_email_address(email):
        raise DefinitionError("recipient.email", "must be an email address like learner@example.org")
    if recipient.subject_id is not None:
        _check_iri(recipient.subject_id, "recipient.subject_id")
    salt = secrets.token_hex(16) if salt is None else salt
    identifiers = [
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "identityHash": identity_hash(email, salt),
            "salt": salt,
        }
    ]
    if include_name:
        name = (recipient.name or "").strip()
        if not name:
            raise DefinitionError("recipient.name", "is required when include_name is set")
        identifiers.append({"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": name})
    return {
        "id": recipient.subject_id or f"urn:uuid:{uuid.uuid4()}",
        "type": ["AchievementSubject"],
        "identifier": identifiers,
        "achievement": _ACHIEVEMENT_PLACEHOLDER,
        "result": [_result(definition, score)] if score is not None else None,
        "creditsEarned": definition.ects,
    }


_ACHIEVEMENT_PLACEHOLDER = "achievement"  # keeps the key's place in the subject; replaced after pruning


def _result(definition: Definition, score: float) -> dict[str, Any]:
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 100:
        raise DefinitionError("score", "must be a number from 0 to 100 (a percentage)")
    if definition.pass_mark is not None and score < definition.pass_mark:
        pass_mark = decimal_text(definition.pass_mark)
        raise DefinitionError("score", f"{decimal_text(score)} is below the pass mark {pass_mark}")
    return {"type": ["Result"], "resultDescription": f"{definition.id}#result", "value": decimal_text(score)}


def _result_description(definition: Definition) -> dict[str, Any]:
    return {
        "id": f"{definition.id}#result",
        "type": ["ResultDescription"],
        "name": "Final assessment score",
        "resultType": definition.result_type,
        "valueMin": "0",
        "valueMax": "100",
        "requiredValue": decimal_text(definition.pass_mark) if definition.pass_mark is not None else None,
    }


def _description(definition: Definition) -> str:
    """The description plus every EU element in words, in the credential's language, for wallets
    that show only native OB 3.0 fields; optional elements only when the definition has them."""
    t = translator(definition.language)
    body = definition.awarding_body
    where = f"{body.region}, {body.country}" if body.region else body.country
    level = t("EQF level %(level)s") % {"level": definition.eqf_level}
    workload = t("%(ects)s ECTS, %(hours)s hours") % {
        "ects": decimal_text(definition.ects),
        "hours": decimal_text(definition.hours),
    }
    lines = [
        (t("Awarding body"), f"{body.name} ({where})"),
        (t("Workload"), workload),
        (t("Level"), f"{level}, {definition.nqf_level}" if definition.nqf_level else level),
        (t("Type of assessment"), t(ASSESSMENT_TYPES[definition.assessment_type].label)),
        (t("Form of participation"), t(PARTICIPATION_FORMS[definition.participation].label)),
        (t("Quality assurance"), definition.quality_assurance),
        (t("Prerequisites"), definition.prerequisites),
        (t("Supervision and identity verification"), t(SUPERVISION[definition.supervision].label))
        if definition.supervision
        else ("", ""),
        (t("Integration and stackability"), definition.stackability),
        (t("Further information"), definition.further_information),
    ]
    return "\n".join([definition.description, "", *(f"{label}: {_sentence(text)}" for label, text in lines if text)])


def _award_description(definition: Definition, score: float | None) -> str:
    """The credential's own description: the definition's, plus the grade (EU element o3) when there is one."""
    if score is None or isinstance(score, bool) or not isinstance(score, (int, float)):
        return definition.description
    grade = f"{translator(definition.language)('Grade achieved')}: {decimal_text(score)} %"
    return f"{definition.description}\n\n{grade}"


def _sentence(text: str) -> str:
    """One line of text ending in a full stop (not after a URL, which a wallet may turn into a link)."""
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) or _ABSOLUTE_IRI.fullmatch(text) else text + "."


def _criteria(definition: Definition) -> dict[str, Any]:
    t = translator(definition.language)
    outcomes = "\n".join(f"- {' '.join(lo.text.split())}" for lo in definition.learning_outcomes)
    criteria = {"narrative": f"{t('Learning outcomes')}:\n\n{outcomes}"}
    if definition.further_information and not https_url_problem(definition.further_information):
        criteria["id"] = definition.further_information
    return criteria


def _alignments(definition: Definition) -> list[dict[str, Any]]:
    level = definition.eqf_level
    alignments = [
        {
            "type": ["Alignment"],
            "targetName": f"EQF level {level}",
            "targetUrl": eqf_level(level).iri,
            "targetFramework": "European Qualifications Framework",
            "targetCode": str(level),
            "targetType": "ext:EQFLevel",
        }
    ]
    skills = dict.fromkeys(s for lo in definition.learning_outcomes for s in lo.esco_skills)
    for skill in skills:
        code = skill.rsplit("/", 1)[1]
        alignments.append(
            {
                "type": ["Alignment"],
                "targetName": f"ESCO skill {code}",  # ESCO labels are not available offline
                "targetUrl": skill,
                "targetFramework": "ESCO",
                "targetCode": code,
                "targetType": "ext:ESCOSkill",
            }
        )
    return alignments


def _outcome(outcome: LearningOutcome) -> dict[str, Any]:
    return {
        "type": ["LearningOutcome"],
        "outcomeId": outcome.id,
        "outcomeText": outcome.text,
        "relatedESCOSkill": list(outcome.esco_skills),
    }


def _evidence(item: Mapping[str, Any], index: int) -> dict[str, Any]:
    for key, value in item.items():
        if key not in EVIDENCE_FIELDS:
            raise DefinitionError(f"evidence[{index}].{key}", f"unknown field; allowed: {', '.join(EVIDENCE_FIELDS)}")
        if not isinstance(value, str):
            raise DefinitionError(f"evidence[{index}].{key}", "must be text")
    entry = {"id": item.get("id") or f"urn:uuid:{uuid.uuid4()}", "type": ["Evidence"]}
    _check_iri(entry["id"], f"evidence[{index}].id")
    entry.update({k: item[k].strip() for k in EVIDENCE_FIELDS[1:] if k in item})
    return entry


_ABSOLUTE_IRI = re.compile(r'[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+')


def _check_iri(value: Any, subject: str) -> None:
    """An absolute IRI (https URL, urn: or did:) with no characters that break N-Quads."""
    if not isinstance(value, str) or not _ABSOLUTE_IRI.fullmatch(value):
        raise DefinitionError(subject, "must be an absolute IRI such as urn:uuid:..., https://... or did:...")


def decimal_text(number: float) -> str:
    """A number as plain decimal text (no exponent), as xsd:duration and OB string values need."""
    return format(Decimal(repr(number)).normalize(), "f")


def prune(node: Any) -> Any:
    """Drop None, empty strings, empty lists and empty objects (OB 3.0 forbids nulls and empty arrays)."""
    if isinstance(node, dict):
        pruned = {k: prune(v) for k, v in node.items()}
        return {k: v for k, v in pruned.items() if v not in (None, "", [], {})}
    if isinstance(node, list):
        return [prune(v) for v in node if v not in (None, "", [], {})]
    return node
