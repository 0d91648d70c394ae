"""Europass export: the same award as an unsigned European Learning Model v3 EuropeanDigitalCredential.

Shaped after the European Commission's "Sample-MC-Annex1" (tests/data/ob3/elm/): VC 1.1 context plus
the EDC application profile context. EDC credentials are sealed with JAdES by the Europass tools, so
this export is unsigned by design. Node ids are ``urn:uuid`` values derived from the OB credential id,
so exporting the same credential twice gives the same document.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from .badge_image import default_badge_png
from .contexts import ELM_EDC_AP, VC_V1
from .definition import Definition
from .errors import DefinitionError
from .i18n import gettext_noop, translator
from .model import decimal_text, prune
from .vocab import (
    ASSESSMENT_TYPES,
    COUNTRY_AUTHORITY,
    ECTS,
    ESCO_SKILL_SCHEME,
    PARTICIPATION_FORMS,
    SUPERVISION,
    Concept,
    country_iri,
    eqf_level,
)

GENERIC_PROFILE = Concept(
    "http://data.europa.eu/snb/credential/e34929035b", "Generic", "http://data.europa.eu/snb/credential/25831c2"
)
EDC_GENERIC_SHAPE = "http://data.europa.eu/snb/model/ap/edc-generic-full"
LANGUAGE_AUTHORITY = "http://publications.europa.eu/resource/authority/language"
FILE_TYPE_AUTHORITY = "http://publications.europa.eu/resource/authority/file-type"
BASE64 = Concept(
    "http://data.europa.eu/snb/encoding/6146cde7dd", "base64", "http://data.europa.eu/snb/encoding/25831c2"
)
PNG = Concept(f"{FILE_TYPE_AUTHORITY}/PNG", "PNG", FILE_TYPE_AUTHORITY)
#: ISO 639-1 -> EU Publications Office language authority code: the EU's official languages and the
#: other languages Europass is offered in.
EU_LANGUAGES = {
    "bg": "BUL", "cs": "CES", "da": "DAN", "de": "DEU", "el": "ELL", "en": "ENG", "es": "SPA", "et": "EST",
    "fi": "FIN", "fr": "FRA", "ga": "GLE", "hr": "HRV", "hu": "HUN", "it": "ITA", "lt": "LIT", "lv": "LAV",
    "mt": "MLT", "nl": "NLD", "pl": "POL", "pt": "POR", "ro": "RON", "sk": "SLK", "sl": "SLV", "sv": "SWE",
    "is": "ISL", "no": "NOR", "nb": "NOB", "nn": "NNO", "mk": "MKD", "sr": "SRP", "tr": "TUR", "uk": "UKR",
}  # fmt: skip
#: The grade of an award without a score (the EDC shapes require one; the EC sample says "Pass").
PASSED = gettext_noop("Passed")


def to_elm(definition: Definition, credential: dict[str, Any]) -> dict[str, Any]:
    """The ELM v3 EuropeanDigitalCredential for an OB 3.0 credential built from ``definition``.

    Award facts (learner id and name, dates, score) come from ``credential``; design facts from
    ``definition``. Raises DefinitionError if the credential is not an award of this definition.
    """
    subject = credential.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    if achievement.get("id") != definition.id:
        raise DefinitionError("credentialSubject.achievement.id", f"is not the definition {definition.id}")
    lang = definition.language.lower()  # JSON-LD processors may lower-case language-map keys
    language = _language(lang)
    node = _NodeIds(str(credential.get("id", "")))
    issuer = _organisation(definition, credential.get("issuer") or {}, lang)
    document = {
        "@context": [VC_V1, ELM_EDC_AP],
        "id": node("credential", prefix="urn:credential:"),
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialProfiles": [_concept(GENERIC_PROFILE, "en")],
        "credentialSchema": {"id": EDC_GENERIC_SHAPE, "type": "ShaclValidator2017"},
        "issuer": issuer,
        "validFrom": credential.get("validFrom"),
        "expirationDate": credential.get("validUntil"),
        "credentialSubject": {
            "id": subject.get("id") or node("person"),
            "type": "Person",
            "fullName": _lang_map(_learner_name(subject), lang),
            "hasClaim": _claim(definition, credential, issuer, node, lang),
        },
        "displayParameter": _display(definition, node, lang, language),
    }
    return prune(document)


def _language(lang: str) -> dict[str, Any]:
    """The language authority concept of ``lang``; UND (undetermined, ISO 639-2) beyond the EU's official
    and Europass's other languages, whose codes are listed here (the whole ISO 639 table is not bundled)."""
    code = EU_LANGUAGES.get(lang.split("-", maxsplit=1)[0], "UND")
    concept = _concept(Concept(f"{LANGUAGE_AUTHORITY}/{code}", code, LANGUAGE_AUTHORITY), "en")
    return {**concept, "notation": "language"}


def _display(definition: Definition, node: _NodeIds, lang: str, language: dict[str, Any]) -> dict[str, Any]:
    """How Europass shows the credential (required by the EDC shapes): its title and language, and one
    page, the badge image, which Europass replaces with its own rendering when it seals the credential."""
    image = default_badge_png(definition.title, definition.eqf_level)
    return {
        "id": node("displayParameter"),
        "type": "DisplayParameter",
        "title": _lang_map(definition.title, lang),
        "language": [language],
        "primaryLanguage": language,
        "individualDisplay": [
            {
                "id": node("individualDisplay"),
                "type": "IndividualDisplay",
                "language": language,
                "displayDetail": [
                    {
                        "id": node("displayDetail"),
                        "type": "DisplayDetail",
                        "page": 1,
                        "image": {
                            "id": node("mediaObject:display"),
                            "type": "MediaObject",
                            "content": base64.b64encode(image).decode("ascii"),
                            "contentEncoding": _concept(BASE64, "en"),
                            "contentType": {**_concept(PNG, "en"), "notation": "file-type"},
                        },
                    }
                ],
            }
        ],
    }


class _NodeIds:
    """Stable ``urn:uuid`` node ids: uuid5 of the OB credential id and the node's role."""

    def __init__(self, credential_id: str):
        self.base = credential_id

    def __call__(self, role: str, prefix: str = "urn:uuid:") -> str:
        return f"{prefix}{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.base}#{role}')}"


def _claim(
    definition: Definition, credential: dict[str, Any], issuer: dict[str, Any], node: _NodeIds, lang: str
) -> dict[str, Any]:
    title = _lang_map(definition.title, lang)
    return {
        "id": node("learningAchievement"),
        "type": "LearningAchievement",
        "title": title,
        "description": _lang_map(definition.description, lang),
        "awardedBy": {
            "id": node("awardingProcess"),
            "type": "AwardingProcess",
            "awardingBody": [issuer],
            "awardingDate": credential.get("awardedDate") or credential.get("validFrom"),
        },
        "provenBy": [_assessment(definition, credential, issuer, node, lang)],
        "specifiedBy": {
            "id": definition.id,
            "type": "Qualification",
            "title": title,
            "eqfLevel": _concept(eqf_level(definition.eqf_level), "en"),
            "creditPoint": [
                {
                    "id": node("creditPoint"),
                    "type": "CreditPoint",
                    "framework": _concept(ECTS, "en"),
                    "point": decimal_text(definition.ects),
                }
            ],
            "volumeOfLearning": f"PT{decimal_text(definition.hours)}H",
            "mode": [_concept(PARTICIPATION_FORMS[definition.participation], "en")],
            "entryRequirement": _note(node, "entryRequirement", definition.prerequisites, lang),
            "learningOutcome": [
                {
                    "id": node(f"learningOutcome:{outcome.id}"),
                    "type": "LearningOutcome",
                    "title": _lang_map(outcome.text, lang),
                    "relatedESCOSkill": [
                        {"id": skill, "type": "Concept", "inScheme": {"id": ESCO_SKILL_SCHEME, "type": "ConceptScheme"}}
                        for skill in outcome.esco_skills
                    ],
                }
                for outcome in definition.learning_outcomes
            ],
            "homepage": _homepage(node, definition.further_information),
            "additionalNote": [
                _note(node, key, f"{subject}: {text}", lang)
                for key, subject, text in (
                    ("qualityAssurance", "Type of quality assurance", definition.quality_assurance),
                    ("stackability", "Integration and stackability", definition.stackability),
                    ("nqfLevel", "National qualifications framework level", definition.nqf_level),
                    ("fieldOfStudy", "Field of study", definition.field_of_study),
                    ("furtherInformation", "Further information", definition.further_information),
                )
                if text
            ],
        },
    }


def _assessment(
    definition: Definition, credential: dict[str, Any], issuer: dict[str, Any], node: _NodeIds, lang: str
) -> dict[str, Any]:
    results = (credential.get("credentialSubject") or {}).get("result") or []
    score = next((r.get("value") for r in results if isinstance(r, dict) and r.get("value")), None)
    assessment_type = ASSESSMENT_TYPES[definition.assessment_type]
    return {
        "id": node("learningAssessment"),
        "type": "LearningAssessment",
        "title": _lang_map(assessment_type.label, "en"),
        "grade": _note(node, "grade", f"{score} %" if score else translator(lang)(PASSED), lang),
        "awardedBy": {
            "id": node("assessmentAwardingProcess"),
            "type": "AwardingProcess",
            "awardingBody": [issuer],
            "awardingDate": credential.get("awardedDate") or credential.get("validFrom"),
        },
        "idVerification": _concept(SUPERVISION[definition.supervision], "en") if definition.supervision else None,
        "specifiedBy": {
            "id": node("learningAssessmentSpecification"),
            "type": "LearningAssessmentSpecification",
            "title": _lang_map(assessment_type.label, "en"),
            "dcType": [_concept(assessment_type, "en")],
        },
    }


def _organisation(definition: Definition, issuer: dict[str, Any], lang: str) -> dict[str, Any]:
    """The awarding body as an ELM Organisation (EU elements 3 and 4), keeping the OB issuer id."""
    body = definition.awarding_body
    issuer_id = issuer.get("id")
    if not isinstance(issuer_id, str):
        raise DefinitionError("issuer.id", "is required to export to ELM")
    node = _NodeIds(issuer_id)
    country = Concept(country_iri(body.country), "", COUNTRY_AUTHORITY)
    return {
        "id": issuer_id,
        "type": "Organisation",
        "legalName": _lang_map(body.name, lang),
        "location": [
            {
                "id": node("location"),
                "type": "Location",
                "address": [
                    {
                        "id": node("address"),
                        "type": "Address",
                        "countryCode": {**_concept(country, "en"), "notation": "country"},
                        "fullAddress": _note(node, "region", body.region, lang),
                    }
                ],
            }
        ],
        "homepage": _homepage(node, body.url),
        "contactPoint": [
            {
                "id": node("contactPoint"),
                "type": "ContactPoint",
                "emailAddress": [{"id": f"mailto:{body.email}", "type": "Mailbox"}],
            }
        ]
        if body.email
        else None,
    }


def _concept(concept: Concept, lang: str) -> dict[str, Any]:
    return {
        "id": concept.iri,
        "type": "Concept",
        "inScheme": {"id": concept.scheme, "type": "ConceptScheme"},
        "prefLabel": _lang_map(concept.label, lang),
    }


def _note(node: _NodeIds, role: str, text: str, lang: str) -> dict[str, Any] | None:
    if not text:
        return None
    return {"id": node(f"note:{role}"), "type": "Note", "noteLiteral": _lang_map(text, lang)}


def _homepage(node: _NodeIds, url: str) -> list[dict[str, Any]] | None:
    if not url.startswith("https://"):
        return None
    return [{"id": node(f"webResource:{url}"), "type": "WebResource", "contentURL": url}]


def _lang_map(text: str, lang: str) -> dict[str, str] | None:
    return {lang: text} if text else None


def _learner_name(subject: dict[str, Any]) -> str:
    for identity in subject.get("identifier") or ():
        if isinstance(identity, dict) and identity.get("identityType") == "name" and not identity.get("hashed"):
            return str(identity.get("identityHash", ""))
    return ""
