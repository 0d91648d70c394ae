"""Issue 11 item 1: the assessment's authoring handler refuses anyone without edit rights, before anything runs.

The LMS-like runtime is what the LMS gives a learner's request (openedx-platform-facts.md): the user
service sets ``edx-platform.*`` attributes, and authored fields (content, settings) are read-only, so a
write raises ``InvalidScopeError`` when the runtime saves the block after the handler.
"""

from __future__ import annotations

import sys
import types

import pytest
from opaque_keys.edx.keys import CourseKey, UsageKey
from xblock.field_data import ReadOnlyFieldData, SplitFieldData
from xblock.fields import Scope, ScopeIds
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import DictKeyValueStore, KvsFieldData
from xblock.test import toy_runtime

from microcredential_xblock import compat
from microcredential_xblock.blocks import assessment as assessment_module
from microcredential_xblock.blocks import assessment_olx, handoff, olx, question_formats
from microcredential_xblock.blocks.assessment import OutcomeAssessmentXBlock
from tests.test_assessment_block import Course, RecordingRuntime, post, reset_toy_state


class FixedUserService(UserService):
    """A user service answering one XBlockUser, as the platform's and the workbench's do per request."""

    def __init__(self, user: XBlockUser):
        super().__init__()
        self._user = user

    def get_current_user(self) -> XBlockUser:
        return self._user


FORGED = {"display_name": "Forged by a learner", "max_attempts": "100", "olx": '<outcome ref="lo-x"/>'}


@pytest.fixture(autouse=True)
def fresh_toy_state(monkeypatch):
    reset_toy_state(monkeypatch)


def platform_user(user_id: int | None, *, staff: bool = False) -> UserService:
    """The LMS/Studio user service's answer (xblock_django/user_service.py), for a user or an anonymous one."""
    user = XBlockUser(is_current_user=True, emails=[f"u{user_id}@example.org"] if user_id else [])
    user.opt_attrs[compat.PLATFORM_IS_AUTHENTICATED] = user_id is not None
    if user_id is not None:
        user.opt_attrs.update({compat.PLATFORM_USER_ID: user_id, compat.PLATFORM_USER_IS_STAFF: staff})
    return FixedUserService(user)


def lms_field_data() -> SplitFieldData:
    """Authored scopes read-only, the learner's own state writable: the LMS's split."""
    kvs = KvsFieldData(toy_runtime.TOYRUNTIME_KVS)
    authored = ReadOnlyFieldData(kvs)
    writable = (Scope.user_state, Scope.preferences, Scope.user_info, Scope.user_state_summary)
    return SplitFieldData(
        {Scope.content: authored, Scope.settings: authored, Scope.children: authored, Scope.parent: authored}
        | dict.fromkeys(writable, kvs)
    )


def lms_learner(course: Course, user_id: int | None = 7, **kwargs) -> OutcomeAssessmentXBlock:
    services = {"user": platform_user(user_id, **kwargs), "field-data": lms_field_data()}
    return RecordingRuntime(str(user_id), services).get_block(course.usage_id)


@pytest.fixture
def nothing_may_run(monkeypatch):
    """Call it once the course exists: from then on, any parsing or validation of a body is a failure."""

    def refuse(*args, **kwargs):
        raise AssertionError("the body was processed before the edit-rights check")

    def arm():
        for module, name in (
            (olx, "parse_snippet"),
            (question_formats, "from_dict"),
            (assessment_olx, "settings_from_strings"),
        ):
            monkeypatch.setattr(module, name, refuse)

    return arm


def _authored(block) -> tuple:
    return (block.display_name, block.max_attempts, block.data)


@pytest.mark.parametrize("body", [FORGED, {"content": {"outcomes": [], "questions": []}}, {"bogus": 1}])
def test_lms_learner_gets_403_and_nothing_is_touched(nothing_may_run, body):
    course = Course()
    block = lms_learner(course)
    before = _authored(block)
    nothing_may_run()
    status, reply = post(block, "studio_submit", body)  # the runtime saves the block afterwards: no write
    assert status == 403 and reply["error"] == "Only the course team can change this block."
    assert _authored(lms_learner(course)) == before == _authored(block)
    assert block.runtime.events == []


def test_anonymous_lms_user_gets_403(nothing_may_run):
    block = lms_learner(Course(), user_id=None)
    nothing_may_run()
    status, _reply = post(block, "studio_submit", FORGED)
    assert status == 403


def test_refused_before_the_method_and_size_checks(nothing_may_run):
    """A learner learns nothing about the handler: even a GET or an oversized body is a plain 403."""
    block = lms_learner(Course())
    nothing_may_run()
    assert post(block, "studio_submit", method="GET")[0] == 403
    assert post(block, "studio_submit", raw=b"x" * (assessment_module.MAX_STUDIO_BYTES + 1))[0] == 403


def test_learner_submit_still_works_in_the_lms_runtime(monkeypatch):
    monkeypatch.setattr(handoff, "service_api", lambda: None)
    status, body = post(lms_learner(Course()), "submit", {"answers": {"q1": "b"}})
    assert status == 200 and body["attempts"] == 1


def _studio_block(user_id: int, staff: bool = False) -> OutcomeAssessmentXBlock:
    """A block with real opaque keys, writable authored fields, seen by a platform user (Studio)."""
    usage = UsageKey.from_string("block-v1:MicroVET+DMC+2026+type@outcome_assessment+block@quiz")
    services = {"user": platform_user(user_id, staff=staff), "field-data": KvsFieldData(DictKeyValueStore())}
    runtime = RecordingRuntime(str(user_id), services)
    return runtime.construct_xblock_from_class(
        OutcomeAssessmentXBlock, ScopeIds(str(user_id), "outcome_assessment", usage, usage)
    )


def test_without_the_platform_auth_module_only_global_staff_may_edit():
    assert compat.user_can_edit(_studio_block(7, staff=True))
    assert not compat.user_can_edit(_studio_block(7, staff=False))


@pytest.fixture
def studio_auth(monkeypatch):
    """The platform's ``common.djangoapps.student.auth`` (Studio write access), recording its calls."""
    calls: list[tuple] = []
    writers: set[int] = set()

    def has_studio_write_access(user, course_key):
        calls.append((user, course_key))
        return user.pk in writers

    for name in ("common", "common.djangoapps", "common.djangoapps.student"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    auth = types.ModuleType("common.djangoapps.student.auth")
    auth.has_studio_write_access = has_studio_write_access
    monkeypatch.setitem(sys.modules, "common.djangoapps.student.auth", auth)
    return types.SimpleNamespace(calls=calls, writers=writers)


@pytest.mark.django_db
def test_platform_answer_is_studio_write_access_to_the_course(studio_auth, django_user_model):
    author = django_user_model.objects.create(username="author")
    learner = django_user_model.objects.create(username="learner", is_staff=True)  # global staff is not enough
    studio_auth.writers.add(author.pk)
    assert compat.user_can_edit(_studio_block(author.pk))
    assert not compat.user_can_edit(_studio_block(learner.pk, staff=True))
    (user, course_key), _second = studio_auth.calls
    assert user == author and course_key == CourseKey.from_string("course-v1:MicroVET+DMC+2026")


@pytest.mark.django_db
def test_studio_author_saves_and_unknown_platform_user_may_not(studio_auth, django_user_model):
    author = django_user_model.objects.create(username="author")
    studio_auth.writers.add(author.pk)
    block = _studio_block(author.pk)
    status, _reply = post(block, "studio_submit", {"display_name": "Renamed", "content": block.data})
    assert status == 200 and block.display_name == "Renamed"
    assert not compat.user_can_edit(_studio_block(987654))  # no such user row


def workbench_user(uid: str) -> UserService:
    """As workbench.runtime.WorkBenchUserService builds it (importing it needs the workbench's Django app)."""
    user = XBlockUser(is_current_user=True, emails=["user@example.com"], full_name=f"XBlock Workbench User {uid}")
    user.opt_attrs["xblock-workbench.user_id"] = uid
    return FixedUserService(user)


def test_workbench_and_toy_runtime_users_are_the_author():
    course = Course()
    assert compat.user_can_edit(course.learner())  # ToyRuntime: no user service
    assert compat.user_can_edit(course.learner(user=workbench_user("author")))
    block = course.learner(user=workbench_user("bob"))
    assert post(block, "studio_submit", {"display_name": "Mine", "content": block.data})[0] == 200
