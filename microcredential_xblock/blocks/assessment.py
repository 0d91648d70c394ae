"""OutcomeAssessmentXBlock: questions tagged with learning outcomes, scored on the server.

The block is thin: question model, scoring and OLX live in ``questions.py`` (pure Python). This
module holds the XBlock plumbing: fields, views, the JSON handlers (with their own 4xx error
contract), grading/completion events and the hand-off of per-outcome evidence to the Django app.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from lxml import etree
from web_fragments.fragment import Fragment
from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.fields import Boolean, Dict, Float, Integer, Scope, String
from xblock.scorable import ScorableXBlockMixin, Score
from xblock.utils.resources import ResourceLoader

from badge_issuer.i18n import gettext_noop as _

from .. import compat
from . import common, olx, questions
from .common import SERVICE_APP, ApiError, add_scripts, initialize_js, json_api, json_response, service_api
from .questions import Assessment, ScoreResult

log = logging.getLogger(__name__)
loader = ResourceLoader(__name__)

MAX_SUBMIT_BYTES = 32 * 1024
MAX_STUDIO_BYTES = olx.MAX_SNIPPET_BYTES + 16 * 1024
MAX_ATTEMPTS_LIMIT = 100
MAX_WEIGHT = 1000.0

#: New blocks start with a complete, valid example the author edits (Studio creates blocks without OLX).
DEFAULT_OLX = """<outcome_assessment>
  <outcome ref="lo-1" threshold="70"/>
  <question id="q1" type="single">
    <prompt>Replace this question with your own.</prompt>
    <outcome ref="lo-1"/>
    <choice id="a" correct="true">The correct choice</choice>
    <choice id="b" correct="false">A wrong choice</choice>
  </question>
</outcome_assessment>"""
DEFAULT_DATA = questions.to_dict(questions.parse_children(olx.parse_snippet(DEFAULT_OLX, "default")))
SETTINGS_ATTRIBUTES = ("display_name", "max_attempts", "show_feedback", "weight", "microcredential")
#: Set by the platform's OLX import/export around the block; they are not block data.
IGNORED_ATTRIBUTES = ("xblock-family", "url_name")


@XBlock.needs("i18n")
@XBlock.wants("user", "settings")
class OutcomeAssessmentXBlock(ScorableXBlockMixin, CompletableXBlockMixin, XBlock):
    """Questions tagged with learning outcomes; validated outcomes become evidence for a micro-credential."""

    resources_dir = ".."  # public/ and templates/ sit next to blocks/ in the package
    i18n_js_namespace = "MicrovetI18N"
    icon_class = "problem"

    display_name = String(
        display_name=_("Display name"),
        scope=Scope.settings,
        default=_("Outcome assessment"),
    )
    max_attempts = Integer(
        display_name=_("Maximum attempts"),
        help=_("0 means unlimited"),
        scope=Scope.settings,
        default=3,
    )
    show_feedback = Boolean(
        display_name=_("Show feedback"),
        help=_("Show correctness and feedback after each attempt"),
        scope=Scope.settings,
        default=True,
    )
    weight = Float(display_name=_("Weight"), scope=Scope.settings, default=1.0)
    microcredential = String(
        display_name=_("Micro-credential"),
        help=_("Optional id of the micro-credential whose learning outcomes these questions assess"),
        scope=Scope.settings,
        default="",
    )
    data = Dict(help="Outcomes and questions (see questions.to_dict)", scope=Scope.content, default=DEFAULT_DATA)

    attempts = Integer(scope=Scope.user_state, default=0)
    last_answers = Dict(scope=Scope.user_state, default={})
    best_answers = Dict(help="Answers of the best attempt: the basis for rescoring", scope=Scope.user_state, default={})
    raw_earned = Float(scope=Scope.user_state, default=None)
    raw_possible = Float(scope=Scope.user_state, default=None)
    last_result = Dict(help="What the learner was shown after the last attempt", scope=Scope.user_state, default={})
    best_outcomes = Dict(help="Best percentage per outcome id", scope=Scope.user_state, default={})

    # ------------------------------------------------------------------------------------------ helpers

    def __repr__(self) -> str:
        # XBlock's repr lists every field, answers included, and the workbench prints it under the learner view.
        return f"<{type(self).__name__} {self.scope_ids.usage_id}>"

    def gettext(self, message: str) -> str:
        return common.gettext(self, message)

    @property
    def assessment(self) -> Assessment:
        return questions.from_dict(self.data)

    def _misconfigured(self) -> ApiError:
        return ApiError(409, self.gettext("This assessment is not set up correctly. Please tell the course team."))

    def _attempts_left(self, used: int) -> int | None:
        return max(0, self.max_attempts - used) if self.max_attempts else None

    def _keys(self) -> tuple[str, str]:
        return compat.course_and_usage_keys(self)

    def _from_service(self, default: Any, ask: Callable[[Any], Any]) -> Any:
        """``ask(api)`` for what a view shows; ``default`` without the service app or while it fails."""
        api = service_api()
        if api is None:
            return default
        try:
            return ask(api)
        except Exception:  # a page must render while the database is away; a submission will tell
            log.exception("The microvet service failed for %s", self.scope_ids.usage_id)
            return default

    def _used_attempts(self) -> int:
        """The service's count (the one that limits), or the block's own where the service is missing."""
        learner = compat.current_user(self)
        return self._from_service(self.attempts, lambda api: api.attempts_used(api.Learner(*learner), self._keys()[1]))

    def _outcome_texts(self) -> dict[str, str]:
        """Outcome id -> text from the course's micro-credentials: learners read texts, not ids."""
        return self._from_service({}, lambda api: api.course_outcomes(self._keys()[0]))

    # ------------------------------------------------------------------------------------------ scoring

    def max_score(self) -> float:
        return self.weight

    def has_submitted_answer(self) -> bool:
        return self.attempts > 0

    def get_score(self) -> Score:
        if self.raw_earned is None:
            return Score(0.0, self.max_score())
        return Score(self.raw_earned, self.raw_possible)

    def set_score(self, score: Score) -> None:
        self.raw_earned, self.raw_possible = score.raw_earned, score.raw_possible

    def _score_of(self, result: ScoreResult) -> Score:
        return Score(result.fraction * self.weight, self.weight)

    def calculate_score(self) -> Score:
        """Score of the best attempt's answers under the current questions (used for rescoring)."""
        return self._score_of(questions.score(self.assessment, self.best_answers))

    def rescore(self, only_if_higher: bool) -> None:
        """Re-grade (XBlock's mixin), then re-send the evidence: a corrected answer key can validate outcomes.

        The service keeps the best evidence per outcome, so a rescore never takes a validation away.
        """
        super().rescore(only_if_higher)
        self._record_evidence(questions.score(self.assessment, self.best_answers), service_api())

    def _improves(self, score: Score) -> bool:
        if self.raw_earned is None:
            return True
        old = self.raw_earned / self.raw_possible if self.raw_possible else 0.0
        new = score.raw_earned / score.raw_possible if score.raw_possible else 0.0
        return new > old

    def _publish_grade(self, score: Score, only_if_higher: bool | None = None) -> None:
        """Keep the stored score equal to the last grade the platform was allowed to take."""
        if not only_if_higher or self._improves(score):
            self.set_score(score)
        super()._publish_grade(score, only_if_higher)

    # ------------------------------------------------------------------------------------------ views

    def _question_view(self, question: questions.Question) -> dict[str, Any]:
        """What a learner may see of a question before answering: never answers, tolerances or feedback."""
        return {
            "id": question.id,
            "type": question.kind,
            "prompt": question.prompt,
            "points": question.points,
            "outcomes": list(question.outcomes),
            "choices": [{"id": c.id, "text": c.text} for c in question.choices],
        }

    def student_view_data(self, context=None) -> dict[str, Any]:
        """Mobile/native API payload (docs/assessment-olx.md); the same no-secrets rule as the HTML."""
        assessment = self.assessment
        texts = self._outcome_texts()
        return {
            "display_name": self.display_name,
            "max_attempts": self.max_attempts,
            "weight": self.weight,
            "show_feedback": self.show_feedback,
            "outcomes": [
                {"id": o.id, "text": texts.get(o.id, o.id), "threshold": o.threshold} for o in assessment.outcomes
            ],
            "questions": [self._question_view(q) for q in assessment.questions],
        }

    def _user_state(self) -> dict[str, Any]:
        used = self._used_attempts()
        return {
            "usage_id": str(self.scope_ids.usage_id),
            "attempts": used,
            "attempts_left": self._attempts_left(used),
            "answers": self.last_answers,
            "result": self._named(self.last_result) if self.last_result else None,
        }

    def _named(self, result: dict[str, Any]) -> dict[str, Any]:
        """A result view with each outcome's current text (stored results keep only ids)."""
        texts = self._outcome_texts()
        return {**result, "outcomes": [{**o, "text": texts.get(o["id"], o["id"])} for o in result.get("outcomes", ())]}

    @XBlock.handler
    def student_view_user_state(self, request, suffix=""):
        """GET: the learner's own state for the mobile apps (answers, attempts, last result shown)."""
        return json_response(200, self._user_state())

    @XBlock.supports("multi_device")
    def student_view(self, context=None) -> Fragment:
        i18n = common.i18n_service(self)
        try:
            data = self.student_view_data()
        except olx.OlxError as err:
            log.warning("Outcome assessment %s has invalid content: %s", self.scope_ids.usage_id, err)
            return Fragment(
                loader.render_django_template(
                    "../templates/microvet/assessment/broken.html",
                    {"message": err.translated(self.gettext)},
                    i18n_service=i18n,
                )
            )
        state = self._user_state()
        html = loader.render_django_template(
            "../templates/microvet/assessment/student.html",
            {"block_id": _dom_id(self), "data": data, "state": state},
            i18n_service=i18n,
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/assessment/assessment.css"))
        add_scripts(self, fragment, "public/assessment/assessment.js")
        initialize_js(fragment, "MicrovetAssessment", state)
        return fragment

    def studio_view(self, context=None) -> Fragment:
        """A form editor for outcomes and questions (or their OLX) plus the settings, validated on the server."""
        state = self._editor_state()
        i18n = common.i18n_service(self)
        html = loader.render_django_template(
            "../templates/microvet/assessment/studio.html",
            {"block_id": _dom_id(self), "block": self, "olx": state["olx"]},
            i18n_service=i18n,
        )
        fragment = Fragment(html)
        fragment.add_css_url(self.runtime.local_resource_url(self, "public/assessment/assessment.css"))
        add_scripts(self, fragment, "public/assessment/studio.js")
        initialize_js(fragment, "MicrovetAssessmentStudio", state)
        return fragment

    # ------------------------------------------------------------------------------------------ handlers

    def _check_body(self, data: dict[str, Any]) -> dict[str, Any]:
        """The body is ``{"answers": {...}}``; a ``user_id`` is tolerated only if it is the caller."""
        unknown = sorted(set(data) - {"answers", "user_id"})
        if unknown:
            raise ApiError(400, self.gettext("Unknown field in the request."), unknown[0])
        if "user_id" in data and str(data["user_id"]) != compat.current_user(self).user_id:
            raise ApiError(403, self.gettext("You can only submit your own answers."), "user_id")
        answers = data.get("answers")
        if not isinstance(answers, dict) or not answers:
            raise ApiError(400, self.gettext("Answer at least one question."), "answers")
        return answers

    @json_api(MAX_SUBMIT_BYTES)
    def submit(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Check the answers, claim an attempt, score on the server, record evidence, then grade and report.

        Bad input costs nothing; an attempt is claimed in the database before scoring (so parallel
        requests cannot exceed the limit) and given back if the evidence cannot be stored.
        """
        answers = self._check_body(data)
        try:
            assessment = self.assessment
        except olx.OlxError as err:
            log.warning("Outcome assessment %s has invalid content: %s", self.scope_ids.usage_id, err)
            raise self._misconfigured() from None
        try:
            answers = questions.normalise_answers(assessment, answers)
        except questions.AnswerError as err:
            raise ApiError(400, err.translated(self.gettext), err.subject) from None
        api = service_api()
        attempt = self._claim_attempt(api)
        result = questions.score(assessment, answers)
        notice = self._record_evidence(result, api, claimed=True)
        self.attempts = attempt
        self.last_answers = answers
        self.best_outcomes = {o.id: max(self.best_outcomes.get(o.id, 0.0), o.percent) for o in result.outcomes}
        score = self._score_of(result)
        if self._improves(score):
            self.best_answers = answers
            self._publish_grade(score)
        self.emit_completion(1.0)
        self.last_result = self._result_view(assessment, result)
        reply = {**self._named(self.last_result), "attempts": attempt, "attempts_left": self._attempts_left(attempt)}
        return {**reply, "notice": notice} if notice else reply

    def _used_up(self) -> ApiError:
        return ApiError(409, self.gettext("You have used all your attempts for this assessment."))

    def _unsaved(self) -> ApiError:
        return ApiError(
            503,
            self.gettext("Your answers could not be saved right now. Please try again; this did not use an attempt."),
        )

    def _claim_attempt(self, api: Any) -> int:
        """The number of this attempt, claimed atomically in the database (ADR 0010)."""
        if api is None:  # no database: the block's own count (not safe under parallel requests)
            if self.max_attempts and self.attempts >= self.max_attempts:
                raise self._used_up()
            return self.attempts + 1
        try:
            attempt = api.claim_attempt(
                api.Learner(*compat.current_user(self)), self._keys()[1], self.max_attempts, used_before=self.attempts
            )
        except api.InvalidInput as err:  # e.g. a usage key the service cannot store: nothing was claimed
            log.error("Claiming an attempt of %s refused by the service: %s", self.scope_ids.usage_id, err)
            raise self._misconfigured() from None
        except Exception:  # storage failure: nothing was claimed
            log.exception("Claiming an attempt failed for %s", self.scope_ids.usage_id)
            raise self._unsaved() from None
        if attempt is None:
            raise self._used_up()
        return attempt

    def _record_evidence(self, result: ScoreResult, api: Any, *, claimed: bool = False) -> str | None:
        """Hand per-outcome evidence to the Django app before anything is counted (docs/upper-floor.md).

        Returns a notice for the learner when the evidence is stored but the credential could not be
        issued now; on any other failure a ``claimed`` attempt is given back before the 4xx/503.
        """
        if api is None:
            log.warning(
                "%s is not installed: outcome evidence of %s is not recorded", SERVICE_APP, self.scope_ids.usage_id
            )
            return None
        course_key, usage_key = self._keys()
        learner = api.Learner(*compat.current_user(self))
        outcome_scores = {o.id: api.OutcomeScore(o.fraction, o.validated) for o in result.outcomes}
        try:
            # The assessment's own points, not the weighted grade: a gradebook weight (possibly 0) says
            # nothing about mastery, and the rules' min_score compares performance across assessments.
            api.record_assessment(learner, course_key, usage_key, outcome_scores, result.earned, result.possible)
        except api.IssuanceFailed:
            log.exception("Evidence of %s is stored, but issuing the credential failed", self.scope_ids.usage_id)
            return self.gettext(
                "Your answers were saved and count towards the micro-credential. Your credential could not be "
                "issued just now; it will be issued once the problem is fixed, without another submission."
            )
        except api.InvalidInput as err:
            log.error("Outcome evidence of %s refused by the service: %s", self.scope_ids.usage_id, err)
            self._give_back(api, learner, usage_key, claimed)
            raise self._misconfigured() from None
        except Exception:  # storage failure: nothing was counted, the learner may retry
            log.exception("Recording outcome evidence failed for %s", self.scope_ids.usage_id)
            self._give_back(api, learner, usage_key, claimed)
            raise self._unsaved() from None
        return None

    def _give_back(self, api: Any, learner: Any, usage_key: str, claimed: bool) -> None:
        if not claimed:
            return
        try:
            api.release_attempt(learner, usage_key)
        except Exception:  # the database is away: the attempt stays used, which never exceeds the limit
            log.exception("Releasing an attempt failed for %s", self.scope_ids.usage_id)

    def clear_student_state(self, user_id, course_id, item_id, requesting_user_id):
        """The LMS calls this when staff delete a learner's state here: the attempts start again.

        ``user_id`` is the learner's anonymous id. The block's own fields are cleared by the platform.
        """
        api = service_api()
        learner_id = compat.user_id_for_anonymous_id(user_id)
        if api is not None and learner_id is not None:
            api.reset_attempts(learner_id, self._keys()[1])
        log.info("Attempts of %s at %s reset by %s", learner_id, item_id, requesting_user_id)

    def _result_view(self, assessment: Assessment, result: ScoreResult) -> dict[str, Any]:
        """What the learner sees after an attempt; feedback and hints only if the author allows it."""
        view: dict[str, Any] = {
            "score": {"earned": result.earned, "possible": result.possible, "percent": 100.0 * result.fraction},
            "outcomes": [
                {
                    "id": o.id,
                    "percent": o.percent,
                    "threshold": o.threshold,
                    "validated": o.validated,
                    "ever_validated": self.best_outcomes.get(o.id, 0.0) >= o.threshold - 1e-9,
                }
                for o in result.outcomes
            ],
            "validated_outcomes": list(result.validated_outcomes),
        }
        if self.show_feedback:
            view["questions"] = [
                {
                    "id": r.id,
                    "correct": r.correct,
                    "earned": r.earned,
                    "possible": r.possible,
                    "feedback": list(r.feedback),
                    "hints": [] if r.correct else list(assessment.question(r.id).hints[: self.attempts]),
                }
                for r in result.questions
            ]
        return view

    @json_api(MAX_STUDIO_BYTES, authoring=True)
    def studio_submit(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Validate the settings and the content (structured ``content`` or ``olx`` text), then save all or nothing.

        Errors name the field (a setting, ``content`` or ``olx``) so the editor shows them next to it.
        """
        unknown = sorted(set(data) - {*SETTINGS_ATTRIBUTES, "olx", "content"})
        if unknown:
            raise ApiError(400, self.gettext("Unknown field in the request."), unknown[0])
        source = "olx" if "olx" in data else "content"
        try:
            values = settings_from_strings(data)
            if source == "olx":
                if not isinstance(data["olx"], str):
                    raise olx.OlxError("olx", _("must be a text"))
                root = olx.parse_snippet(f"<outcome_assessment>{data['olx']}</outcome_assessment>", "olx")
                assessment = questions.parse_children(root)
            else:
                assessment = questions.from_dict(data.get("content"))
        except olx.OlxError as err:
            field = err.subject if err.subject in SETTINGS_ATTRIBUTES else source
            raise ApiError(400, f"{err.subject}: {err.translated(self.gettext)}", field, err.subject) from None
        for name, value in values.items():
            setattr(self, name, value)
        self.data = questions.to_dict(assessment)
        return self._editor_state()

    def _editor_state(self) -> dict[str, Any]:
        """The content as the structured editor and the OLX editor show it."""
        assessment = self.assessment
        root = etree.Element("outcome_assessment")
        questions.add_children(root, assessment)
        return {"content": questions.to_dict(assessment), "olx": "\n".join(olx.to_string(child) for child in root)}

    # ------------------------------------------------------------------------------------------ OLX

    @classmethod
    def parse_xml(cls, node, runtime, keys):
        """Custom OLX (docs/assessment-olx.md): settings as attributes, content as elements."""
        block = runtime.construct_xblock_from_class(cls, keys)
        # Settings the platform mixes in (due, group_access, ...) keep XBlock's default handling.
        platform = {
            name
            for name, field in block.fields.items()
            if field.scope == Scope.settings and name not in SETTINGS_ATTRIBUTES
        }
        olx.check_element(
            node, "outcome_assessment", (*SETTINGS_ATTRIBUTES, *platform, *IGNORED_ATTRIBUTES), ("outcome", "question")
        )
        for name, value in settings_from_strings(dict(node.attrib)).items():
            setattr(block, name, value)
        for name in platform & set(node.attrib):
            cls._set_field_if_present(block, name, node.get(name), {})
        if len(node):
            block.data = questions.to_dict(questions.parse_children(node))
        return block

    def add_xml_to_node(self, node):
        node.tag = self.xml_element_name()
        for name, field in self.fields.items():
            if field.scope == Scope.settings and (field.is_set_on(self) or field.force_export):
                value = field.read_from(self)
                is_number = isinstance(field, Float) and value is not None
                node.set(name, olx.format_number(value) if is_number else field.to_string(value))
        questions.add_children(node, self.assessment)

    @staticmethod
    def workbench_scenarios():
        return [("Outcome assessment", "<outcome_assessment/>")]


def settings_from_strings(values: dict[str, Any]) -> dict[str, Any]:
    """Typed block settings from OLX attributes or editor strings; ``OlxError`` names the bad one."""
    result: dict[str, Any] = {}
    for name in SETTINGS_ATTRIBUTES:
        if name not in values:
            continue
        value = values[name]
        text = value if isinstance(value, str) else json.dumps(value)
        if name == "max_attempts":
            result[name] = int(olx.number(text, name, low=0, high=MAX_ATTEMPTS_LIMIT, integer=True))
        elif name == "weight":
            result[name] = olx.number(text, name, low=0, high=MAX_WEIGHT)
        elif name == "show_feedback":
            if text not in olx.BOOLEANS:
                raise olx.OlxError(name, _("must be true or false"))
            result[name] = olx.BOOLEANS[text]
        else:
            result[name] = olx.normalise_space(text)
            if name == "display_name" and not result[name]:
                raise olx.OlxError(name, _("must not be empty"))
    return result


def _dom_id(block: XBlock) -> str:
    """A DOM-safe, per-block prefix so two assessments on one page never share ids."""
    return "mv-" + "".join(ch if ch.isalnum() else "-" for ch in str(block.scope_ids.usage_id))
