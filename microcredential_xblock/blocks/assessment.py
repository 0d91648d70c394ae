"""OutcomeAssessmentXBlock: questions tagged with learning outcomes, scored on the server.

The block is thin: the question model in ``questions.py``, scoring in ``scoring.py``, settings and content as
OLX and editor input in ``assessment_olx.py`` (pure Python), attempts and evidence in ``handoff.py``
(the service app). This module holds the XBlock plumbing: fields, views, the JSON handlers (with
their own 4xx error contract, ``common.json_api``) and grading/completion events.
"""

from __future__ import annotations

import logging
from typing import Any

from web_fragments.fragment import Fragment
from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.fields import Boolean, Dict, Float, Integer, Scope, String
from xblock.scorable import ScorableXBlockMixin, Score
from xblock.utils.resources import ResourceLoader
from xblock.validation import ValidationMessage

from badge_issuer.i18n import gettext_noop as _

from .. import compat
from . import assessment_olx, common, handoff, olx, question_formats, scoring
from .assessment_olx import DEFAULT_DATA, IGNORED_ATTRIBUTES, SETTINGS_ATTRIBUTES
from .common import ApiError, add_scripts, initialize_js, json_api, json_response
from .questions import Assessment, Question
from .scoring import ScoreResult

log = logging.getLogger(__name__)
loader = ResourceLoader(__name__)

MAX_SUBMIT_BYTES = 32 * 1024
MAX_STUDIO_BYTES = olx.MAX_SNIPPET_BYTES + 16 * 1024


@XBlock.needs("i18n")
@XBlock.wants("user", "settings")
class OutcomeAssessmentXBlock(ScorableXBlockMixin, CompletableXBlockMixin, XBlock):
    """Questions tagged with learning outcomes; validated outcomes become evidence for a micro-credential."""

    get_resources_dir = classmethod(common.platform_resources_dir)  # public/ is blocks/public/
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
    data = Dict(help="Outcomes and questions (see question_formats.to_dict)", scope=Scope.content, default=DEFAULT_DATA)

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
        return question_formats.from_dict(self.data)

    def validate(self):
        """Studio's banner (lifecycle, ADR 0009): outcomes assessed here that no published micro-credential
        of the course has, after an author renamed or removed them. Learners are never refused for it."""
        validation = super().validate()
        api = common.service_api()
        try:
            outcome_ids = [outcome.id for outcome in self.assessment.outcomes]
            unknown = api.unknown_outcomes(compat.course_and_usage_keys(self)[0], outcome_ids) if api else []
        except Exception:  # invalid content is reported by the editor; no service table in this process
            log.debug("microvet: outcome references of %s not checked", self.scope_ids.usage_id, exc_info=True)
            return validation
        message = self.gettext(
            "No published micro-credential of this course has the learning outcome %(id)s: answers for it "
            "count towards no credential until an outcome with this id is published again."
        )
        for outcome_id in unknown:
            validation.add(ValidationMessage(ValidationMessage.WARNING, message % {"id": outcome_id}))
        return validation

    def _misconfigured(self) -> ApiError:
        return handoff.misconfigured(self)

    def _attempts_left(self, used: int) -> int | None:
        return max(0, self.max_attempts - used) if self.max_attempts else None

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
        return self._score_of(scoring.score(self.assessment, self.best_answers))

    def rescore(self, only_if_higher: bool) -> None:
        """Re-grade (XBlock's mixin), then re-send the evidence: a corrected answer key can validate outcomes.

        The service keeps the best evidence per outcome, so a rescore never takes a validation away.
        """
        super().rescore(only_if_higher)
        handoff.record_evidence(self, scoring.score(self.assessment, self.best_answers), handoff.service_api())

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

    def _question_view(self, question: Question) -> dict[str, Any]:
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
        texts = handoff.outcome_texts(self)
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
        used = handoff.used_attempts(self)
        return {
            "usage_id": str(self.scope_ids.usage_id),
            "attempts": used,
            "attempts_left": self._attempts_left(used),
            "answers": self.last_answers,
            "result": self._named(self.last_result) if self.last_result else None,
        }

    def _named(self, result: dict[str, Any]) -> dict[str, Any]:
        """A result view with each outcome's current text (stored results keep only ids)."""
        texts = handoff.outcome_texts(self)
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
            answers = scoring.normalise_answers(assessment, answers)
        except scoring.AnswerError as err:
            raise ApiError(400, err.translated(self.gettext), err.subject) from None
        api = handoff.service_api()
        attempt = handoff.claim_attempt(self, api)
        result = scoring.score(assessment, answers)
        notice = handoff.record_evidence(self, result, api, claimed=True)
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

    def clear_student_state(self, user_id, course_id, item_id, requesting_user_id):
        """The LMS calls this when staff delete a learner's state here (``user_id`` is their anonymous id)."""
        handoff.reset_attempts(self, user_id)
        log.info("Attempts of %s at %s reset by %s", user_id, item_id, requesting_user_id)

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
            values, assessment = assessment_olx.from_editor(data, source)
        except olx.OlxError as err:
            field = err.subject if err.subject in SETTINGS_ATTRIBUTES else source
            raise ApiError(400, f"{err.subject}: {err.translated(self.gettext)}", field, err.subject) from None
        for name, value in values.items():
            setattr(self, name, value)
        self.data = question_formats.to_dict(assessment)
        return self._editor_state()

    def _editor_state(self) -> dict[str, Any]:
        """The content as the structured editor and the OLX editor show it."""
        return assessment_olx.editor_state(self.assessment)

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
        for name, value in assessment_olx.settings_from_strings(dict(node.attrib)).items():
            setattr(block, name, value)
        for name in platform & set(node.attrib):
            cls._set_field_if_present(block, name, node.get(name), {})
        if len(node):
            block.data = question_formats.to_dict(question_formats.parse_children(node))
        return block

    def add_xml_to_node(self, node):
        node.tag = self.xml_element_name()
        for name, field in self.fields.items():
            if field.scope == Scope.settings and (field.is_set_on(self) or field.force_export):
                value = field.read_from(self)
                is_number = isinstance(field, Float) and value is not None
                node.set(name, olx.format_number(value) if is_number else field.to_string(value))
        question_formats.add_children(node, self.assessment)

    @staticmethod
    def workbench_scenarios():
        return [("Outcome assessment", "<outcome_assessment/>")]


def _dom_id(block: XBlock) -> str:
    """A DOM-safe, per-block prefix so two assessments on one page never share ids."""
    return "mv-" + "".join(ch if ch.isalnum() else "-" for ch in str(block.scope_ids.usage_id))
