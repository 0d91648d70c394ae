"""OutcomeAssessmentXBlock through XBlock's ToyRuntime: views without secrets, OLX, grading and completion.

The harness (``Course``, ``fake_service``, ``post``) is imported by test_assessment_handlers.py.
"""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from django.utils import translation
from lxml import etree
from webob import Request
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import MemoryIdManager
from xblock.test import toy_runtime

from microcredential_xblock import compat
from microcredential_xblock.blocks import common, handoff, olx, question_formats
from microcredential_xblock.blocks import questions as Q
from microcredential_xblock.blocks.assessment import OutcomeAssessmentXBlock

OLX_DIR = Path(__file__).parent / "data" / "olx"
ALL_KINDS = (OLX_DIR / "assessment-all-kinds.xml").read_text(encoding="utf-8")
ALL_RIGHT = {"q1": "b", "q2": ["a", "b"], "q3": 25, "q4": 1500, "q5": "EQF", "q6": "0413"}


class RecordingRuntime(toy_runtime.ToyRuntime):
    """ToyRuntime that knows our block type and records published events instead of logging them."""

    def __init__(self, user_id: str | None, services: dict[str, Any] | None = None):
        super().__init__(user_id)
        self.events: list[tuple[str, dict]] = []
        self._services.update(services or {})

    def load_block_type(self, block_type):
        assert block_type == "outcome_assessment"
        return OutcomeAssessmentXBlock

    def publish(self, block, event_type, event_data):
        self.events.append((event_type, event_data))

    def local_resource_url(self, block, uri):
        return f"/resource/{block.scope_ids.block_type}/{uri}"

    def of_type(self, event_type: str) -> list[dict]:
        return [data for kind, data in self.events if kind == event_type]


def reset_toy_state(monkeypatch) -> None:
    """ToyRuntime keeps its "database" and ids in module globals: give every test its own."""
    monkeypatch.setattr(toy_runtime, "TOYRUNTIME_KVS", toy_runtime.ToyRuntimeKeyValueStore({}))
    monkeypatch.setattr(toy_runtime, "ID_MANAGER", MemoryIdManager())


@pytest.fixture(autouse=True)
def fresh_toy_state(monkeypatch):
    reset_toy_state(monkeypatch)


class Course:
    """One assessment parsed from OLX, seen by any number of learners."""

    def __init__(self, xml: str = ALL_KINDS):
        self.usage_id = RecordingRuntime(None).parse_xml_string(xml)

    def learner(self, user_id: str = "student_1", **services: Any) -> OutcomeAssessmentXBlock:
        return RecordingRuntime(user_id, services).get_block(self.usage_id)


class FakeApi:
    """Stands in for microcredential_xblock.service.api: records calls, can be told to fail."""

    class Learner(NamedTuple):
        user_id: str
        email: str
        name: str

    class OutcomeScore(NamedTuple):
        fraction: float
        validated: bool

    class InvalidInput(ValueError):
        pass

    def __init__(self):
        self.calls: list[tuple] = []
        self.error: Exception | None = None
        self.used: dict[tuple[str, str], int] = {}
        self.outcomes: dict[str, str] = {}

    def record_assessment(self, *args):
        if self.error is not None:
            raise self.error
        self.calls.append(args)
        return ()

    def claim_attempt(self, learner, usage_key, max_attempts, *, used_before=0):
        """As service.attempts.claim: the row starts at ``used_before``; None once the limit is reached."""
        key = (learner.user_id, usage_key)
        used = self.used.setdefault(key, used_before)
        if max_attempts and used >= max_attempts:
            return None
        self.used[key] = used + 1
        return used + 1

    def release_attempt(self, learner, usage_key):
        key = (learner.user_id, usage_key)
        self.used[key] = max(0, self.used.get(key, 0) - 1)

    def attempts_used(self, learner, usage_key):
        return self.used.get((learner.user_id, usage_key), 0)

    def course_outcomes(self, course_key):
        return dict(self.outcomes)


def install_fake_service(monkeypatch) -> FakeApi:
    fake = FakeApi()
    monkeypatch.setattr(handoff, "service_api", lambda: fake)
    return fake


@pytest.fixture
def fake_service(monkeypatch) -> FakeApi:
    return install_fake_service(monkeypatch)


def init_data(fragment) -> Any:
    """What the view hands its script: ``MicrovetInit``'s HTML-safe JSON string, decoded as common.js does."""
    assert set(fragment.json_init_args) == {"init", "json"}
    return json.loads(fragment.json_init_args["json"])


def post(block, handler: str, body: Any = None, *, raw: bytes | None = None, method: str = "POST"):
    """Call a handler through the runtime as the browser would; returns (status, decoded JSON)."""
    payload = raw if raw is not None else json.dumps(body).encode("utf-8")
    request = Request.blank("/", method=method, body=payload if method == "POST" else None)
    request.content_type = "application/json"
    response = block.runtime.handle(block, handler, request)
    assert response.content_type == "application/json"
    return response.status_code, json.loads(response.body)


# ------------------------------------------------------------------------------------------ secrets


def _secrets(assessment: Q.Assessment) -> set[str]:
    """Every string whose presence would help a learner: answers, patterns, tolerances, feedback, hints."""
    found = set()
    for question in assessment.questions:
        found.update(question.accepted)
        found.update(question.hints)
        found.update(c.feedback for c in question.choices if c.feedback)
        found.update(t for t in (question.feedback_correct, question.feedback_incorrect) if t)
        if question.answer is not None:
            found.add(olx.format_number(question.answer))
            found.add(olx.format_number(question.tolerance) + ("%" if question.tolerance_percent else ""))
    return found


def _all_text(fragment) -> str:
    return json.dumps(fragment.to_dict())


def assert_no_secrets(text: str, assessment: Q.Assessment) -> None:
    """Search ``text`` for every secret; numbers as whole tokens, outside the texts learners must see."""
    for question in assessment.questions:
        for visible in (question.prompt, *(c.text for c in question.choices)):
            text = text.replace(visible, "")
    for secret in _secrets(assessment):
        if secret.rstrip("%").replace(".", "").isdigit():
            assert not re.search(rf"(?<![\w.]){re.escape(secret)}(?![\w.])", text), secret
        else:
            assert secret not in text, secret


def test_secrets_list_is_not_trivially_empty():
    secrets = _secrets(question_formats.parse_children(etree.fromstring(ALL_KINDS)))
    assert {"EQF", "[0-9]{4}", "1500", "0.5", "2%", "Think of what an assessor can see."} <= secrets


def test_student_view_contains_no_answers_or_feedback():
    block = Course().learner()
    fragment = block.student_view({})
    text = _all_text(fragment)
    assert "Which verb makes a learning outcome observable?" in text  # it did render the questions
    assert_no_secrets(text, block.assessment)
    for marker in ('correct="', '"correct"', "tolerance", "match", "regex"):
        assert marker not in text, marker


def test_student_view_data_contains_no_answers():
    block = Course().learner()
    data = block.student_view_data()
    text = json.dumps(data)
    assert [q["id"] for q in data["questions"]] == ["q1", "q2", "q3", "q4", "q5", "q6"]
    assert data["questions"][0]["choices"] == [
        {"id": "a", "text": "Understand"},
        {"id": "b", "text": "Demonstrate"},
        {"id": "c", "text": "Know"},
    ]
    assert_no_secrets(text, block.assessment)
    assert {"correct", "tolerance", "answer", "accepted", "feedback", "hints"}.isdisjoint(
        key for q in data["questions"] for key in q
    )


def test_student_view_is_accessible_markup():
    html = Course().learner().student_view({}).content
    root = etree.fromstring(f"<div>{html}</div>", etree.HTMLParser())
    assert len(root.findall(".//fieldset")) == 6
    assert all(f.find("legend") is not None for f in root.iter("fieldset"))
    for field in root.iter("input"):
        assert root.find(f".//label[@for='{field.get('id')}']") is not None, field.get("id")
    assert root.find(".//*[@aria-live]") is not None


def test_student_view_renders_the_learners_own_later_state(fake_service):
    course = Course()
    block = course.learner()
    assert post(block, "submit", {"answers": {"q1": "a"}})[0] == 200
    fragment = course.learner().student_view({})
    assert init_data(fragment)["attempts"] == 1
    assert init_data(fragment)["answers"] == {"q1": "a"}
    # After submitting, the feedback the author allows is part of the learner's own state.
    assert "Understanding cannot be observed directly." in _all_text(fragment)
    assert init_data(course.learner("student_2").student_view({}))["attempts"] == 0


def test_author_text_is_escaped_in_the_learner_and_studio_views():
    xml = ALL_KINDS.replace("Which verb makes", "<![CDATA[<script>alert(1)</script>]]> Which verb makes").replace(
        ">Know<", "><![CDATA[<img src=x onerror=alert(2)>]]><"
    )
    block = Course(xml).learner()
    for html in (block.student_view({}).content, block.studio_view({}).content):
        assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in block.student_view({}).content


def test_student_view_of_broken_content_explains_instead_of_crashing():
    block = Course().learner()
    block.data = {"outcomes": [], "questions": []}
    html = block.student_view({}).content
    assert "not set up correctly" in html


def _platform_i18n(language: str) -> gettext.GNUTranslations:
    """What the platform's XBlock i18n service forwards to: the block package's ``translations/`` catalog."""
    return gettext.translation("text", common.PACKAGE_DIR / "translations", languages=[language])


@pytest.mark.parametrize(
    "services",
    [{}, {"i18n": _platform_i18n("de")}],
    ids=["runtime-null-i18n-and-package-catalog", "platform-catalog"],
)
def test_translations_reach_the_template(services):
    """XBlock's own i18n service (the package catalog of the Django language), or the platform's catalog."""
    with translation.override("de"):
        html = Course().learner(**services).student_view({}).content
    assert "Abgeben" in html and "Ihre Antwort" in html
    assert "Submit" not in html


def test_javascript_catalog_of_the_active_language_is_loaded_before_the_view_code():
    with translation.override("de"):
        urls = [r.data for r in Course().learner().student_view({}).resources if r.kind == "url"]
    scripts = [u.rsplit("/", 1)[-1] for u in urls if u.endswith(".js")]
    assert scripts == ["de.js", "common.js", "assessment.js"]
    assert common.BLOCKS_DIR.joinpath(urls[1].split("/outcome_assessment/", 1)[1]).is_file()
    with translation.override("fr"):  # no catalog bundled: the JS falls back to the English msgids
        urls = [r.data for r in Course().learner().student_view({}).resources if r.kind == "url"]
    assert [u.rsplit("/", 1)[-1] for u in urls if u.endswith(".js")] == ["common.js", "assessment.js"]


# ------------------------------------------------------------------------------------------ OLX


def test_block_olx_round_trip_keeps_settings_and_content():
    block = Course().learner()
    assert (block.display_name, block.max_attempts, block.show_feedback, block.weight) == (
        "Writing learning outcomes: check",
        3,
        True,
        2.0,
    )
    assert block.microcredential == "mc-outcomes-writing"
    node = etree.Element("x")
    block.add_xml_to_node(node)
    exported = olx.to_string(node)
    again = Course(exported).learner()
    assert again.assessment == block.assessment
    assert [again.display_name, again.max_attempts, again.weight] == [block.display_name, 3, 2.0]
    node2 = etree.Element("x")
    again.add_xml_to_node(node2)
    assert olx.to_string(node2) == exported
    assert etree.tostring(etree.fromstring(exported), method="c14n2", strip_text=True) == etree.tostring(
        etree.fromstring(ALL_KINDS), method="c14n2", strip_text=True
    )


def test_block_without_content_gets_a_valid_example():
    block = Course("<outcome_assessment/>").learner()
    assert block.assessment.questions[0].prompt == "Replace this question with your own."


@pytest.mark.parametrize(
    ("xml", "subject"),
    [
        ('<outcome_assessment max_attempts="three"/>', "max_attempts"),
        ('<outcome_assessment show_feedback="yes"/>', "show_feedback"),
        ('<outcome_assessment weight="-1"/>', "weight"),
        ('<outcome_assessment data="{}"/>', "outcome_assessment/@data"),
        ("<outcome_assessment><script/></outcome_assessment>", "outcome_assessment/script"),
    ],
)
def test_bad_block_olx_is_refused_with_the_attribute_named(xml, subject):
    with pytest.raises(olx.OlxError) as caught:
        Course(xml)
    assert caught.value.subject == subject


# ------------------------------------------------------------------------------------------ identity


def test_identity_outside_the_platform_uses_the_student_id_and_a_reserved_domain():
    block = Course().learner("student_7")
    assert compat.current_user(block) == ("student_7", "student_7@learners.microvet.invalid", "")
    course_key, usage_key = compat.course_and_usage_keys(block)
    assert usage_key == str(block.scope_ids.usage_id)
    assert course_key.startswith("workbench:")


def test_identity_in_the_platform_comes_from_the_user_service():
    user = XBlockUser(emails=["ada@example.org"], full_name="Ada Lovelace")
    user.opt_attrs[compat.PLATFORM_USER_ID] = 42
    service = UserService(user=user)
    service.get_current_user = lambda: user
    block = Course().learner("anonymous-hash", user=service)
    assert compat.current_user(block) == ("42", "ada@example.org", "Ada Lovelace")
