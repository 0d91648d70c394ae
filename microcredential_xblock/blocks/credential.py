"""MicroCredentialXBlock: an author describes an EU micro-credential; a learner sees progress and the credential.

The block is thin: editor input is validated by ``editor.py`` (which delegates to badge_issuer), OLX lives in
``credential_olx.py``, and everything about evidence, issuance and public URLs is the service's
(``microcredential_xblock.service.api``), because a block cannot read other blocks' learner state in the LMS
(docs/upper-floor.md). Nothing secret is a field: keys and issuer configuration are Django settings.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.utils.formats import number_format
from web_fragments.fragment import Fragment
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.fields import Dict, Float, Integer, List, Scope, String
from xblock.utils.resources import ResourceLoader
from xblock.validation import ValidationMessage

from badge_issuer.definition import parse_definition
from badge_issuer.did import valid_did
from badge_issuer.errors import DefinitionError, KeyMaterialError, MicrovetError
from badge_issuer.rules import validate_rules
from badge_issuer.vocab import ASSESSMENT_TYPES, PARTICIPATION_FORMS, SUPERVISION

from .. import compat
from ..wallet import card as wallet_card
from . import credential_olx, editor
from .common import ApiError, add_scripts, initialize_js, json_api, json_response, service_api, translator

log = logging.getLogger(__name__)
PACKAGE_DIR = Path(__file__).resolve().parent.parent
LOADER = ResourceLoader("microcredential_xblock")
#: gettext with a fallback and JSON POSTs with the CSRF header, shared with the assessment block.
#: An editor submission: the fields plus at most one base64 PNG (4/3 of its bytes).
STUDIO_SUBMIT_MAX = editor.IMAGE_MAX_BYTES * 4 // 3 + 256 * 1024
#: ``service.api.ISSUING``: the rules hold, the credential is being issued (the card keeps polling).
ISSUING = "issuing"


def _(message: str) -> str:
    return translator().gettext(message)


def linkedin_url(
    *, name: str, organization: str, issued: str, cert_url: str, cert_id: str, expires: str | None = None
) -> str:
    """LinkedIn's "Add to profile" link for a certification; ``issued``/``expires`` are ISO 8601 dates."""
    params = [
        ("startTask", "CERTIFICATION_NAME"),
        ("name", name),
        ("organizationName", organization),
        ("issueYear", issued[:4]),
        ("issueMonth", str(int(issued[5:7]))),
    ]
    if expires:
        params += [("expirationYear", expires[:4]), ("expirationMonth", str(int(expires[5:7])))]
    params += [("certUrl", cert_url), ("certId", cert_id)]
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


def _service():
    """The Django app's API (``common.service_api``: imported late, only where the app is installed)."""
    api = service_api()
    if api is None:
        raise RuntimeError("the microvet Django app (microcredential_xblock.service) is not installed")
    return api


def compat_usage_key(usage_key: str) -> Any:
    """An Open edX UsageKey for a stored key string (the LMS runtime loads blocks by key object)."""
    try:
        from opaque_keys import InvalidKeyError  # noqa: PLC0415 - only installed with Open edX
        from opaque_keys.edx.keys import UsageKey  # noqa: PLC0415
    except ImportError:  # no opaque-keys (workbench): the string is the key
        return usage_key
    try:
        return UsageKey.from_string(usage_key)
    except InvalidKeyError:  # not an opaque key (workbench ids): use the string
        return usage_key


def _issuer_keys():
    """Raises KeyMaterialError when the issuer keys are not configured (cached by the service)."""
    from microcredential_xblock.service.config import issuer_keys  # noqa: PLC0415

    return issuer_keys()


@XBlock.wants("user", "i18n")
class MicroCredentialXBlock(XBlock):
    """An EU micro-credential (Council Recommendation 2022, Annex I) issued as an Open Badges 3.0 credential."""

    resources_dir = ".."  # public/ and templates/ are shared by the package's blocks
    i18n_js_namespace = "MicrovetI18N"
    completion_mode = XBlockCompletionMode.EXCLUDED
    has_score = False

    display_name = String(display_name="Title", default="Micro-credential", scope=Scope.settings)
    achievement_id = String(
        help="Stable https URL identifying the achievement; derived when empty", default="", scope=Scope.settings
    )
    description = String(default="", scope=Scope.content)
    language = String(default="en", scope=Scope.settings)
    version = String(default="", scope=Scope.settings)
    field_of_study = String(default="", scope=Scope.settings)
    awarding_body = Dict(default={}, scope=Scope.settings)
    learning_outcomes = List(default=[], scope=Scope.content)
    ects = Float(default=None, scope=Scope.settings)
    hours = Float(default=None, scope=Scope.settings)
    eqf_level = Integer(default=None, scope=Scope.settings)
    nqf_level = String(default="", scope=Scope.settings)
    assessment_type = String(default="", scope=Scope.settings)
    participation = String(default="", scope=Scope.settings)
    quality_assurance = String(default="", scope=Scope.content)
    prerequisites = String(default="", scope=Scope.content)
    supervision = String(default="", scope=Scope.settings)
    stackability = String(default="", scope=Scope.content)
    further_information = String(default="", scope=Scope.settings)
    pass_mark = Float(default=None, scope=Scope.settings)
    valid_for_days = Integer(default=None, scope=Scope.settings)
    image = String(
        help="Uploaded PNG badge as a data: URI; empty for the generated badge", default="", scope=Scope.settings
    )
    rules = Dict(default={"all_outcomes": True}, scope=Scope.settings)

    EDITOR_FIELDS = (*editor.TEXT_FIELDS, *editor.NUMBER_FIELDS, "awarding_body", "learning_outcomes", "image", "rules")

    # ------------------------------------------------------------------------------------------ definition

    def field_values(self) -> dict[str, Any]:
        """Every author field, as plain data (editor, OLX and the service use this)."""
        return {name: getattr(self, name) for name in self.EDITOR_FIELDS}

    @property
    def course_key(self) -> str:
        return compat.course_and_usage_keys(self)[0]

    @property
    def usage_key(self) -> str:
        return compat.course_and_usage_keys(self)[1]

    def default_achievement_id(self) -> str:
        """A stable https identifier for the achievement when the author gives none.

        Studio derives it when it publishes and the LMS when it shows the block, so both must use the
        same host: ``MICROVET["BASE_URL"]``, else the platform's ``LMS_ROOT_URL`` (set in LMS and Studio).
        """
        microvet = getattr(settings, "MICROVET", None) or {}
        root = microvet.get("BASE_URL") or getattr(settings, "LMS_ROOT_URL", "") or "https://localhost"
        base = urlsplit(str(root))
        name = uuid.uuid5(uuid.NAMESPACE_URL, f"{self.course_key}/{self.usage_key}")
        return f"https://{base.netloc or 'localhost'}/microvet/achievements/{name}"

    def definition_dict(self) -> dict[str, Any]:
        """The definition (format of examples/micro-credential.yaml) described by the fields; maybe invalid."""
        return editor.definition_from_fields(self.field_values(), default_id=self.default_achievement_id())

    def problems(self) -> dict[str, str]:
        """What keeps the micro-credential from being issuable: field path -> reason (empty when fine)."""
        problems: dict[str, str] = {}
        try:
            parse_definition(self.definition_dict())
        except DefinitionError as exc:
            problems.update(getattr(exc, "errors", {exc.subject: exc.reason}))
        try:
            validate_rules(self.rules)
        except DefinitionError as exc:
            problems[exc.subject] = exc.reason
        return problems

    def published_pair(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """``(definition, rules)`` as ``service.api.publish`` takes them (maybe invalid: publish says why)."""
        return self.definition_dict(), dict(self.rules or {})

    def validate(self):
        """Studio's banner: every element that keeps the micro-credential from being issued.

        Nothing here needs the issuer's keys (Studio has none and never signs): who issues is shown
        from the public issuer profile in the author preview.
        """
        validation = super().validate()
        for path, reason in self.problems().items():
            validation.add(ValidationMessage(ValidationMessage.ERROR, f"{path}: {reason}"))
        return validation

    # ---------------------------------------------------------------------------------------- learner side

    def _learner(self):
        return _service().Learner(*compat.current_user(self))

    def learner_state(self) -> dict[str, Any]:
        """What the credential card shows: progress per outcome, the state and the learner's credential.

        Read-only: learners see the last *published* definition (and their credentials, which are
        snapshots); a draft is never registered from here. The one write is the service's throttled
        retry of a credential that is due but missing (``api.card_progress``).
        """
        try:
            progress = _service().card_progress(self._learner(), self.course_key, self.usage_key)
        except LookupError:  # service.api.NotFound: never published with a complete definition
            return {
                "status": "unavailable",
                "final": True,
                "message": _("This micro-credential is not ready yet: the course team has not published it."),
            }
        except Exception:  # any failure: the learner gets a message, the log keeps the traceback
            log.exception("microvet: the credential service failed for %s", self.usage_key)
            return {
                "status": "error",
                "final": True,
                "message": _("Your progress cannot be shown right now. Please reload the page later."),
            }
        state = {
            "status": "ok",
            "state": progress.state,
            "final": progress.state != ISSUING,
            "outcomes": [self._outcome_view(o) for o in progress.outcomes],
            "credential": credential_view(progress.credential) if progress.credential else None,
            "definition": getattr(progress, "definition", None),
        }
        if progress.state == ISSUING:
            state["notice"] = (
                _(
                    "You have met every requirement. Your credential could not be issued yet because of a "
                    "technical problem; it will be issued automatically, there is no need to submit again."
                )
                if getattr(progress, "issue_failed", False)
                else _("You have met every requirement: your credential is being issued.")
            )
        if progress.credential is None:
            try:
                _issuer_keys()
            except KeyMaterialError as exc:
                log.warning("microvet: issuer keys are not configured: %s", exc)
                state["final"] = True
                state["notice"] = _(
                    "Credentials cannot be issued yet: the issuer keys are not configured. Please tell the course team."
                )
        return state

    def _outcome_view(self, outcome) -> dict[str, Any]:
        return {
            "id": outcome.id,
            "text": outcome.text,
            "validated": outcome.validated,
            "assessments": [self._block_name(key) for key in outcome.validated_by],
        }

    def _block_name(self, usage_key: str) -> str:
        """An assessment's display name (its usage key where the runtime cannot load it)."""
        try:
            block = self.runtime.get_block(compat_usage_key(usage_key))
        except compat.missing_block_errors():  # a deleted or foreign block still has a key to show
            return usage_key
        return usage_key if block is None else block.display_name  # None: the runtime hides it from the learner

    def student_view_data(self, context=None) -> dict[str, Any]:
        """The micro-credential for the mobile app (public information only; rules stay on the server)."""
        values = self.field_values()
        return {
            "title": self.display_name,
            "definition": self.definition_dict() if not self.problems() else None,
            "labels": self._labels(values),
            "progress_url": self.runtime.handler_url(self, "student_view_user_state"),
        }

    @XBlock.supports("multi_device")
    def student_view(self, context=None) -> Fragment:
        return self._card(self.learner_state())

    def author_view(self, context=None) -> Fragment:
        """Studio's preview: the card as learners will read it (the draft), without anyone's progress."""
        if self.problems():
            message = _("Not issuable yet: open the editor to see what is missing.")
        else:
            message = _("Preview: each learner sees their progress and their credential here.")
        state = {"status": "author", "message": message, "issuer": self._issuer_summary()}
        return self._card(state, self.field_values())

    def _issuer_summary(self) -> dict[str, str] | None:
        """Who signs, from the public issuer profile (Studio has no keys); None where unknown."""
        try:
            return _service().issuer_summary()
        except Exception:  # no service app here, or its table is missing: the preview still renders
            log.warning("microvet: the issuer profile could not be read for %s", self.usage_key, exc_info=True)
            return None

    def _card_values(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """What a learner's card describes: the published definition only (empty before the first publish)."""
        if state.get("definition"):
            return editor.fields_from_definition(state["definition"])
        return {"display_name": self.display_name}

    def _card_html(self, state: dict[str, Any], values: Mapping[str, Any]) -> str:
        context = {
            "block": values,
            "labels": self._labels(values),
            "numbers": {k: _number(values[k]) for k in ("ects", "hours") if values.get(k) is not None},
            "state": state,
            "title": values.get("display_name") or self.display_name,
            "element_id": self.usage_key.replace(".", "-"),
        }
        if state.get("credential"):
            context["share"] = self._share(state["credential"], values)
            context["wallet_html"] = wallet_card.render(self, translator())
        return LOADER.render_django_template(
            "templates/microvet/credential/student.html", context, i18n_service=translator()
        )

    def _card(self, state: dict[str, Any], values: Mapping[str, Any] | None = None) -> Fragment:
        frag = Fragment(self._card_html(state, self._card_values(state) if values is None else values))
        frag.add_css_url(self.runtime.local_resource_url(self, "public/credential/credential.css"))
        add_scripts(self, frag, "public/credential/credential.js")
        if state.get("status") != "author":  # the wallet button can appear after a swap, without a reload
            wallet_card.add_assets(self, frag)
        initialize_js(frag, "MicrovetCredential", {"final": state.get("final", True)})
        return frag

    def _labels(self, values: Mapping[str, Any]) -> dict[str, str]:
        """Translated labels of the EU value lists chosen by the author."""

        def label(options, key):
            return _(options[key].label) if key in options else ""

        return {
            "assessment_type": label(ASSESSMENT_TYPES, values.get("assessment_type")),
            "participation": label(PARTICIPATION_FORMS, values.get("participation")),
            "supervision": label(SUPERVISION, values.get("supervision")),
        }

    def _share(self, credential: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, str]:
        body = values.get("awarding_body") or {}
        return {
            "linkedin": linkedin_url(
                name=values.get("display_name") or self.display_name,
                organization=body.get("name", ""),
                issued=credential["issued_on"],
                expires=credential.get("expires_on"),
                cert_url=credential["urls"]["verify"],
                cert_id=credential["id"],
            )
        }

    def gettext(self, message: str) -> str:
        """Used by ``json_api`` for its error messages."""
        return _(message)

    @XBlock.handler
    def student_view_user_state(self, request, suffix=""):
        """The learner's progress and credential as JSON, for GET (the mobile apps) and POST.

        ``final`` is false while a credential is being issued: the card polls this until it is true.
        The suffix ``card`` adds ``html``, the card re-rendered, which the card's script swaps in.
        Documented in docs/upper-floor.md.
        """
        if request.method not in ("GET", "POST"):
            return json_response(405, {"error": _("This address only accepts GET and POST requests.")})
        state = self.learner_state()
        body = {key: value for key, value in state.items() if key != "definition"}
        if suffix == "card":
            body["html"] = self._card_html(state, self._card_values(state))
        return json_response(200, body)

    @json_api(max_bytes=1024)
    def wallet_offer(self, data, suffix=""):
        """A one-time offer of the learner's credential to a wallet (OID4VCI and LCW; microcredential_xblock/wallet)."""
        return wallet_card.wallet_offer(self, _)

    @json_api(max_bytes=4096)
    def reissue(self, data, suffix=""):
        """Re-issue the learner's credential to a DID they control (did:key or did:web)."""
        did = data.get("did", "").strip() if isinstance(data, Mapping) and isinstance(data.get("did"), str) else ""
        if not valid_did(did):
            return {
                "ok": False,
                "field": "did",
                "message": _("Enter a DID such as did:key:z6Mk… or did:web:example.org."),
            }
        api = _service()
        try:
            learner = self._learner()
            progress = api.learner_progress(learner, self.course_key, self.usage_key)
            if progress.state != api.EARNED:
                return {"ok": False, "message": _("Only an earned, valid credential can be re-issued.")}
            if getattr(progress.credential, "subject_did", "") == did:  # each re-issue uses a status-list index
                return {"ok": False, "field": "did", "message": _("Your credential already names this DID.")}
            credential = api.reissue(
                progress.credential.uuid,
                actor=f"learner:{learner.user_id}",
                reason="re-issued to the learner's DID at the learner's request",
                subject_did=did,
            )
        except MicrovetError as exc:
            return {"ok": False, "field": "did", "message": exc.reason}
        except Exception:  # any failure: a message for the learner, the traceback in the log
            log.exception("microvet: re-issue failed for %s", self.usage_key)
            return {"ok": False, "message": _("The credential could not be re-issued. Please try again later.")}
        return {
            "ok": True,
            "message": _("Your credential was re-issued to %(did)s.") % {"did": did},
            "credential": credential_view(credential),
        }

    def index_dictionary(self) -> dict[str, Any]:
        """Course search: find courses by skill, outcome, EQF level or ECTS."""
        index = super().index_dictionary()
        outcomes = self.learning_outcomes or []
        index.setdefault("content", {}).update(
            {
                "display_name": self.display_name,
                "learning_outcomes": " ".join(o.get("text", "") for o in outcomes),
                "esco_skills": " ".join(s for o in outcomes for s in o.get("esco_skills", [])),
                "eqf_level": f"EQF {self.eqf_level}" if self.eqf_level else "",
                "ects": f"{self.ects:g} ECTS" if self.ects is not None else "",
            }
        )
        index["content_type"] = "Micro-credential"
        return index

    # ----------------------------------------------------------------------------------------- author side

    def studio_view(self, context=None) -> Fragment:
        values = self.field_values()
        simple = (
            editor.as_simple(self.rules or {}) if self.rules else {"min_score": "", "not_before": "", "not_after": ""}
        )
        context = {
            "values": values,
            "simple": simple or {},
            "advanced": simple is None,
            "rules_json": _json(self.rules),
            "default_id": self.default_achievement_id(),
            "assessment_types": _options(ASSESSMENT_TYPES),
            "participation_forms": _options(PARTICIPATION_FORMS),
            "supervision_options": _options(SUPERVISION),
            "eqf_levels": range(1, 9),
            "problems": self.problems(),
            "image_max_kb": editor.IMAGE_MAX_BYTES // 1024,
            "publishes": not compat.platform_publishes(),
        }
        frag = Fragment(
            LOADER.render_django_template(
                "templates/microvet/credential/studio.html", context, i18n_service=translator()
            )
        )
        frag.add_css_url(self.runtime.local_resource_url(self, "public/credential/studio.css"))
        add_scripts(self, frag, "public/credential/studio.js")
        initialize_js(frag, "MicrovetCredentialEditor", {"outcomes": values["learning_outcomes"]})
        return frag

    @json_api(max_bytes=STUDIO_SUBMIT_MAX, authoring=True)
    def studio_submit(self, data, suffix=""):
        """Validate every editor field; save all of them, or change nothing.

        Saving changes the draft only: learners get the definition when it is published (Studio's
        Publish button; the demo's Publish action), never from here (docs/decisions/0009).
        """
        result = editor.validate_submission(data, default_id=self.default_achievement_id(), gettext=_)
        if result.errors:
            return {
                "ok": False,
                "errors": result.errors,
                "message": _("Nothing was saved: please correct the fields marked below."),
            }
        for name, value in result.values.items():
            setattr(self, name, value)
        return {"ok": True, "message": _("Saved. Learners see the change once it is published.")}

    @json_api(max_bytes=1024, authoring=True)
    def demo_publish(self, data, suffix=""):
        """The demo's Publish action (the workbench has no Studio): make this block's saved definition the
        one learners are evaluated against. Under Open edX, Studio's Publish button does this
        (platform/publishing.py), so this handler refuses there."""
        if compat.platform_publishes():
            raise ApiError(409, _("Use Studio's Publish button: it publishes the whole course."))
        blocks = {self.usage_key: self.published_pair()}
        published = _service().publish(self.course_key, blocks, may_sign=True, complete=False)
        if self.usage_key in published.refused:
            return {
                "ok": False,
                "message": _(
                    "Not published: the micro-credential is not complete. Learners keep the last published version."
                ),
                "problems": self.problems(),
            }
        return {"ok": True, "message": _("Published. Learners now see this version."), "learners": published.learners}

    # ------------------------------------------------------------------------------------------------- OLX

    @classmethod
    def parse_xml(cls, node, runtime, keys):
        block = runtime.construct_xblock_from_class(cls, keys)
        for name, value in credential_olx.import_fields(node).items():
            setattr(block, name, value)
        return block

    def add_xml_to_node(self, node):
        node.tag = self.xml_element_name()
        node.set("xblock-family", self.entry_point)
        credential_olx.export_fields(self.field_values(), node)

    @staticmethod
    def workbench_scenarios():
        from microcredential_xblock.demo.scenarios import SCENARIOS  # noqa: PLC0415

        return SCENARIOS


def credential_view(credential: Any) -> dict[str, Any]:
    """The issued credential's public facts and URLs for the card (never the recipient's e-mail)."""
    return {
        "id": str(credential.uuid),
        "issued_on": credential.issued_at.date().isoformat(),
        "expires_on": credential.valid_until.date().isoformat() if credential.valid_until else None,
        "urls": _service().public_urls(credential),
        "endorsements": _service().endorsements_shown(credential),
    }


def _number(value: float) -> str:
    """A number as people write it in the active language: ``1`` not ``1.0``, ``0,5`` in Italian."""
    return number_format(int(value) if float(value).is_integer() else value)


def _options(concepts: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(key, _(concept.label)) for key, concept in concepts.items()]


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
