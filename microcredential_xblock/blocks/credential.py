"""MicroCredentialXBlock: an author describes an EU micro-credential; a learner sees progress and the credential.

The block is thin: it keeps the micro-credential in one ``definition`` field (ADR 0017; the elements are
declared in ``badge_issuer.elements``), editor input is validated by ``editor.py`` (which delegates to
badge_issuer), what the card and the editor show is ``presentation.py``, OLX lives in
``credential_olx.py``, an uploaded badge is a course asset (``badge_asset.py``), and everything about
evidence, issuance and public URLs is the service's (``microcredential_xblock.service.api``; the
learner's side of the block: ``learner.py``), because a block cannot read other blocks' learner state
in the LMS (docs/upper-floor.md). Nothing secret is a field: keys and issuer configuration are Django settings.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from web_fragments.fragment import Fragment
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.fields import Dict, Scope, String
from xblock.utils.resources import ResourceLoader
from xblock.validation import ValidationMessage

from badge_issuer.definition import parse_definition
from badge_issuer.errors import DefinitionError
from badge_issuer.problems import messages
from badge_issuer.rules import validate_rules

from .. import compat
from ..wallet import card as wallet_card
from . import badge_asset, common, credential_olx, editor, learner, presentation
from .common import ApiError, add_scripts, initialize_js, json_api, json_response, service_api
from .credential_legacy import LegacyDefinitionFields

log = logging.getLogger(__name__)
LOADER = ResourceLoader("microcredential_xblock")
#: An editor submission: the fields plus at most one base64 PNG (4/3 of its bytes).
STUDIO_SUBMIT_MAX = editor.IMAGE_MAX_BYTES * 4 // 3 + 256 * 1024


def _service():
    """The Django app's API (``common.service_api``: imported late, only where the app is installed)."""
    api = service_api()
    if api is None:
        raise RuntimeError("the microvet Django app (microcredential_xblock.service) is not installed")
    return api


def _issuer_keys():
    """Raises KeyMaterialError when the issuer keys are not configured (cached by the service)."""
    from microcredential_xblock.service.config import issuer_keys  # noqa: PLC0415

    return issuer_keys()


@XBlock.wants("user", "i18n")
class MicroCredentialXBlock(LegacyDefinitionFields, XBlock):
    """An EU micro-credential (Council Recommendation 2022, Annex I) issued as an Open Badges 3.0 credential."""

    get_resources_dir = classmethod(common.platform_resources_dir)  # public/ is blocks/public/
    i18n_js_namespace = "MicrovetI18N"
    completion_mode = XBlockCompletionMode.EXCLUDED
    has_score = False

    display_name = String(display_name="Title", default="Micro-credential", scope=Scope.settings)
    definition = Dict(
        help=(
            "The micro-credential in the format of examples/micro-credential.yaml, without the title (display_name), "
            "with an id only where the author gave one and an uploaded image as its /static/ course asset"
        ),
        default={},
        scope=Scope.content,
    )
    rules = Dict(default={"all_outcomes": True}, scope=Scope.settings)

    #: What the author writes (the editor saves these; the pre-0017 fields only ever lose their values).
    AUTHORED_FIELDS = ("display_name", "definition", "rules")

    # ------------------------------------------------------------------------------------------ definition

    def stored_definition(self) -> dict[str, Any]:
        """The definition as saved: ``definition``, or the old fields of a course authored before ADR 0017."""
        return dict(self.definition) if self.definition else self.legacy_definition()

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

    def definition_dict(self, default_id: str | None = None) -> dict[str, Any]:
        """The whole definition (format of examples/micro-credential.yaml), as it would be published; maybe
        invalid. The id is derived where the author gave none; an uploaded image is read from the course."""
        definition = {**self.stored_definition(), "title": self.display_name}
        definition["id"] = definition.get("id") or default_id or self.default_achievement_id()
        if badge_asset.is_reference(definition.get("image")):
            definition["image"] = self._asset_image(definition["image"]) or definition["image"]
        return {key: value for key, value in definition.items() if value not in ("", None)}

    def _asset_image(self, reference: str) -> str | None:
        """The uploaded image as a data: URI, read from the course's assets once per block instance."""
        cache = self.__dict__.setdefault("_asset_images", {})
        if reference not in cache:
            cache[reference] = badge_asset.data_uri(self, reference)
        return cache[reference]

    def problems(self) -> dict[str, str]:
        """What keeps the micro-credential from being issuable: field path -> reason (empty when fine)."""
        problems: dict[str, str] = {}
        definition = self.definition_dict()
        try:
            parse_definition(definition)
        except DefinitionError as exc:
            problems.update(messages(exc, self.gettext))
        if badge_asset.is_reference(definition.get("image")):
            problems["image"] = self.gettext(
                "The uploaded badge image is missing from the course files: upload it again."
            )
        try:
            validate_rules(self.rules)
        except DefinitionError as exc:
            problems[exc.subject] = exc.translated(self.gettext)
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
        """What the credential card shows (``learner.card_state``)."""
        return learner.card_state(self, _service(), _issuer_keys, self.gettext)

    def student_view_data(self, context=None) -> dict[str, Any]:
        """The micro-credential for the mobile app (public information only; rules stay on the server)."""
        return {
            "title": self.display_name,
            "definition": self.definition_dict() if not self.problems() else None,
            "labels": presentation.value_labels(self.stored_definition(), self.gettext),
            "progress_url": self.runtime.handler_url(self, "student_view_user_state"),
        }

    @XBlock.supports("multi_device")
    def student_view(self, context=None) -> Fragment:
        return self._card(self.learner_state())

    def author_view(self, context=None) -> Fragment:
        """Studio's preview: the card as learners will read it (the draft), without anyone's progress."""
        if self.problems():
            message = self.gettext("Not issuable yet: open the editor to see what is missing.")
        else:
            message = self.gettext("Preview: each learner sees their progress and their credential here.")
        state = {"status": "author", "message": message, "issuer": self._issuer_summary()}
        return self._card(state, self.definition_dict())

    def _issuer_summary(self) -> dict[str, str] | None:
        """Who signs, from the public issuer profile (Studio has no keys); None where unknown."""
        try:
            return _service().issuer_summary()
        except Exception:  # no service app here, or its table is missing: the preview still renders
            log.warning("microvet: the issuer profile could not be read for %s", self.usage_key, exc_info=True)
            return None

    def _card_definition(self, state: Mapping[str, Any]) -> Mapping[str, Any]:
        """What a learner's card describes: the published definition only (empty before the first publish)."""
        return state.get("definition") or {"title": self.display_name}

    def _card_html(self, state: dict[str, Any], definition: Mapping[str, Any]) -> str:
        context = {
            "definition": definition,
            "facts": presentation.card_facts(definition, self.gettext),
            "state": state,
            "title": definition.get("title") or self.display_name,
            "element_id": self.usage_key.replace(".", "-"),
        }
        if state.get("credential"):
            context["share"] = self._share(state["credential"], definition)
            context["wallet_html"] = wallet_card.render(self, common.i18n_service(self))
        return LOADER.render_django_template(
            "templates/microvet/credential/student.html", context, i18n_service=common.i18n_service(self)
        )

    def _card(self, state: dict[str, Any], definition: Mapping[str, Any] | None = None) -> Fragment:
        frag = Fragment(self._card_html(state, self._card_definition(state) if definition is None else definition))
        frag.add_css_url(self.runtime.local_resource_url(self, "public/credential/credential.css"))
        add_scripts(self, frag, "public/credential/credential.js")
        if state.get("status") != "author":  # the wallet button can appear after a swap, without a reload
            wallet_card.add_assets(self, frag)
        initialize_js(frag, "MicrovetCredential", {"final": state.get("final", True)})
        return frag

    def _share(self, credential: Mapping[str, Any], definition: Mapping[str, Any]) -> dict[str, str]:
        body = definition.get("awarding_body") or {}
        return {
            "linkedin": presentation.linkedin_url(
                name=definition.get("title") or self.display_name,
                organization=body.get("name", ""),
                issued=credential["issued_on"],
                expires=credential.get("expires_on"),
                cert_url=credential["urls"]["verify"],
                cert_id=credential["id"],
            )
        }

    def gettext(self, message: str) -> str:
        """The block's one gettext path (the runtime's i18n service, common.i18n_service); also
        ``json_api``'s for its error messages."""
        return common.gettext(self, message)

    @XBlock.handler
    def student_view_user_state(self, request, suffix=""):
        """The learner's progress and credential as JSON, for GET (the mobile apps) and POST.

        ``final`` is false while a credential is being issued: the card polls this until it is true.
        The suffix ``card`` adds ``html``, the card re-rendered, which the card's script swaps in.
        Documented in docs/upper-floor.md.
        """
        if request.method not in ("GET", "POST"):
            return json_response(405, {"error": self.gettext("This address only accepts GET and POST requests.")})
        state = self.learner_state()
        body = {key: value for key, value in state.items() if key != "definition"}
        if suffix == "card":
            body["html"] = self._card_html(state, self._card_definition(state))
        return json_response(200, body)

    @json_api(max_bytes=1024)
    def wallet_offer(self, data, suffix=""):
        """A one-time offer of the learner's credential to a wallet (OID4VCI and LCW; microcredential_xblock/wallet)."""
        return wallet_card.wallet_offer(self, self.gettext)

    @json_api(max_bytes=4096)
    def reissue(self, data, suffix=""):
        """Re-issue the learner's credential to a DID they control (did:key or did:web)."""
        return learner.reissue(self, _service(), data, self.gettext)

    def index_dictionary(self) -> dict[str, Any]:
        """Course search: find courses by skill, outcome, EQF level or ECTS."""
        index = super().index_dictionary()
        definition = self.stored_definition()
        outcomes = definition.get("learning_outcomes") or []
        ects = (definition.get("workload") or {}).get("ects")
        index.setdefault("content", {}).update(
            {
                "display_name": self.display_name,
                "learning_outcomes": " ".join(o.get("text", "") for o in outcomes),
                "esco_skills": " ".join(s for o in outcomes for s in o.get("esco_skills", [])),
                "eqf_level": f"EQF {definition['eqf_level']}" if definition.get("eqf_level") else "",
                "ects": f"{ects:g} ECTS" if ects is not None else "",
            }
        )
        index["content_type"] = "Micro-credential"
        return index

    # ----------------------------------------------------------------------------------------- author side

    def studio_view(self, context=None) -> Fragment:
        definition = self.definition_dict()
        simple = (
            editor.as_simple(self.rules or {}) if self.rules else {"min_score": "", "not_before": "", "not_after": ""}
        )
        context = {
            "groups": presentation.editor_groups(
                {**definition, "id": self.stored_definition().get("id", "")}, self.gettext
            ),
            "image": "" if badge_asset.is_reference(definition.get("image")) else definition.get("image", ""),
            "simple": simple or {},
            "advanced": simple is None,
            "rules_json": _json(self.rules),
            "default_id": self.default_achievement_id(),
            "problems": self.problems(),
            "image_max_kb": editor.IMAGE_MAX_BYTES // 1024,
            "publishes": not compat.platform_publishes(),
        }
        frag = Fragment(
            LOADER.render_django_template(
                "templates/microvet/credential/studio.html", context, i18n_service=common.i18n_service(self)
            )
        )
        frag.add_css_url(self.runtime.local_resource_url(self, "public/credential/studio.css"))
        add_scripts(self, frag, "public/credential/studio.js")
        initialize_js(frag, "MicrovetCredentialEditor", {"outcomes": definition.get("learning_outcomes") or []})
        return frag

    @json_api(max_bytes=STUDIO_SUBMIT_MAX, authoring=True)
    def studio_submit(self, data, suffix=""):
        """Validate every editor field; save all of them, or change nothing.

        Saving changes the draft only: learners get the definition when it is published (Studio's
        Publish button; the demo's Publish action), never from here (docs/decisions/0009).
        """
        result = editor.validate_submission(data, default_id=self.default_achievement_id(), gettext=self.gettext)
        if result.errors:
            return {
                "ok": False,
                "errors": result.errors,
                "message": self.gettext("Nothing was saved: please correct the fields marked below."),
            }
        definition = result.values["definition"]
        if definition.get("image"):  # the editor only lets a PNG data: URI through: now a course asset
            definition["image"] = badge_asset.store(self, definition["image"])
        for name in self.AUTHORED_FIELDS:
            setattr(self, name, result.values[name])
        self.clear_legacy_fields()
        return {"ok": True, "message": self.gettext("Saved. Learners see the change once it is published.")}

    @json_api(max_bytes=1024, authoring=True)
    def demo_publish(self, data, suffix=""):
        """The demo's Publish action (the workbench has no Studio): make this block's saved definition the
        one learners are evaluated against. Under Open edX, Studio's Publish button does this
        (platform/publishing.py), so this handler refuses there."""
        if compat.platform_publishes():
            raise ApiError(409, self.gettext("Use Studio's Publish button: it publishes the whole course."))
        blocks = {self.usage_key: self.published_pair()}
        published = _service().publish(self.course_key, blocks, may_sign=True, complete=False)
        if self.usage_key in published.refused:
            return {
                "ok": False,
                "message": self.gettext(
                    "Not published: the micro-credential is not complete. Learners keep the last published version."
                ),
                "problems": self.problems(),
            }
        return {
            "ok": True,
            "message": self.gettext("Published. Learners now see this version."),
            "learners": published.learners,
        }

    # ------------------------------------------------------------------------------------------------- OLX

    @classmethod
    def parse_xml(cls, node, runtime, keys):
        block = runtime.construct_xblock_from_class(cls, keys)
        definition, rules = credential_olx.import_definition(node)
        if "title" in definition:
            block.display_name = definition.pop("title")
        block.definition = definition
        if rules is not None:
            block.rules = rules
        return block

    def add_xml_to_node(self, node):
        node.tag = self.xml_element_name()
        node.set("xblock-family", self.entry_point)
        credential_olx.export_definition({**self.stored_definition(), "title": self.display_name}, self.rules, node)

    @staticmethod
    def workbench_scenarios():
        from microcredential_xblock.demo.scenarios import SCENARIOS  # noqa: PLC0415

        return SCENARIOS


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
