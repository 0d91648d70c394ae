"""The lifecycle against the real service (database): publish-driven registration (ADR 0009),
the forging path of issue 11 item 1 in an LMS-like runtime, and Studio's COURSE_PUBLISHED receiver
over a stand-in modulestore that, like the platform's, hands out published or draft blocks by branch."""

from __future__ import annotations

import contextlib
import json
import sys
import types

import pytest
from django.core.cache import cache
from django.dispatch import Signal
from edx_django_utils.plugins import plugin_signals
from lxml import etree
from opaque_keys.edx.keys import CourseKey, UsageKey
from webob import Request
from xblock.exceptions import InvalidScopeError
from xblock.fields import Scope, ScopeIds
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import DictKeyValueStore, KvsFieldData
from xblock.test.toy_runtime import ToyRuntime

from microcredential_xblock import compat
from microcredential_xblock.blocks.credential import MicroCredentialXBlock
from microcredential_xblock.demo.scenarios import OLX_DIR
from microcredential_xblock.platform import plugin_settings, publishing, tasks
from microcredential_xblock.platform.apps import MicrovetPlatformConfig
from microcredential_xblock.service import api, issuance, lifecycle
from microcredential_xblock.service.models import IssuedCredential, MicroCredentialDefinition
from tests.test_credential_block import editor_form

pytestmark = [pytest.mark.storage, pytest.mark.django_db]

COURSE = CourseKey.from_string("course-v1:Aurora+MC101+2026")
MC_USAGE = UsageKey.from_string("block-v1:Aurora+MC101+2026+type@microcredential+block@mc1")
QUIZ = "block-v1:Aurora+MC101+2026+type@outcome_assessment+block@quiz1"
FORGED = {"display_name": "Doctor of Medicine (forged by a learner)", "eqf_level": "8"}


@pytest.fixture(autouse=True)
def no_throttled_retries():
    cache.clear()


class LmsFieldData(KvsFieldData):
    """As in the LMS: a learner's request may not write authored fields (``Scope.settings``/``content``)."""

    def set_many(self, block, update_dict):
        for name in update_dict:
            if block.fields[name].scope in (Scope.settings, Scope.content):
                raise InvalidScopeError(f"{name} is read-only in the LMS")
        super().set_many(block, update_dict)

    def set(self, block, name, value):
        self.set_many(block, {name: value})


class PlatformUsers(UserService):
    """The LMS's user service: the platform user id in ``opt_attrs``, not staff."""

    def __init__(self, user_id: int, staff: bool = False):
        super().__init__()
        self.user = XBlockUser(is_current_user=True, emails=[f"learner{user_id}@example.org"], full_name="Lea")
        self.user.opt_attrs = {compat.PLATFORM_USER_ID: user_id, compat.PLATFORM_USER_IS_STAFF: staff}

    def get_current_user(self):
        return self.user


class LmsRuntime(ToyRuntime):
    def __init__(self, user_id: int, field_data):
        super().__init__(str(user_id))
        self._services["field-data"] = field_data
        self._services["user"] = PlatformUsers(user_id)

    def local_resource_url(self, block, uri):
        return f"/resource/{uri}"


def sample_olx() -> bytes:
    root = etree.parse(str(OLX_DIR / "designing-micro-credentials.xml")).getroot()
    return etree.tostring(root.find("microcredential"))


def authored_block() -> MicroCredentialXBlock:
    """The sample block as Studio holds it, at the course's usage key (authoring runtime: writable)."""
    runtime = ToyRuntime("author")
    parsed = runtime.get_block(runtime.parse_xml_string(sample_olx()))
    block = MicroCredentialXBlock(
        runtime, KvsFieldData(DictKeyValueStore()), ScopeIds("author", "microcredential", "def", MC_USAGE)
    )
    for name in MicroCredentialXBlock.AUTHORED_FIELDS:
        setattr(block, name, getattr(parsed, name))
    return block


def lms_block(published: MicroCredentialXBlock, user_id: int = 7) -> MicroCredentialXBlock:
    """The published block as the LMS loads it for a learner: same values, authored fields read-only."""
    kvs = DictKeyValueStore()
    writable = KvsFieldData(kvs)
    runtime = LmsRuntime(user_id, LmsFieldData(kvs))
    block = MicroCredentialXBlock(runtime, writable, ScopeIds(str(user_id), "microcredential", "def", MC_USAGE))
    for name in MicroCredentialXBlock.AUTHORED_FIELDS:
        setattr(block, name, getattr(published, name))
    block.save()
    return MicroCredentialXBlock(runtime, runtime.service(block, "field-data"), block.scope_ids)


def post(block, handler: str, body: dict):
    response = block.handle(handler, Request.blank("/", method="POST", body=json.dumps(body).encode()))
    return response.status_code, json.loads(response.body)


def wrong_answers(learner_id: str) -> None:
    """What the assessment block records for a learner who validated nothing."""
    learner = api.Learner(learner_id, f"learner{learner_id}@example.org")
    api.record_assessment(learner, COURSE, QUIZ, {"lo-write-outcomes": api.OutcomeScore(0.0, False)}, 0, 10)


# ------------------------------------------------------------------------------------------ issue 11 item 1


def test_a_learner_cannot_forge_what_is_issued():
    """The forging path: a learner posts a forged definition and window to studio_submit in the LMS."""
    published = authored_block()
    api.publish(str(COURSE), {str(MC_USAGE): published.published_pair()}, may_sign=True)
    before = MicroCredentialDefinition.objects.get()
    block = lms_block(published)
    body = {**editor_form(block), **FORGED, "rules_mode": "simple"}
    body["rules_simple"] = {"min_score": "", "not_before": "2000-01-01", "not_after": ""}
    status, answer = post(block, "studio_submit", body)
    assert status == 403 and "course team" in answer["error"]
    after = MicroCredentialDefinition.objects.get()
    assert (after.content_hash, after.rules) == (before.content_hash, before.rules)
    wrong_answers("7")
    assert not IssuedCredential.objects.exists()
    assert api.learner_progress(api.Learner("7", "learner7@example.org"), COURSE, MC_USAGE).state == api.IN_PROGRESS
    status, _answer = post(block, "demo_publish", {})  # the demo's publish action is an authoring handler too
    assert status == 403


def test_the_learner_card_never_registers():
    block = lms_block(authored_block())
    html = block.student_view({}).content
    assert "not ready yet" in html and not MicroCredentialDefinition.objects.exists()


# ------------------------------------------------------------------------------------------ publishing


class FakeModulestore:
    """The modulestore calls ``compat.published_blocks`` makes: ``branch_setting`` and ``get_items``.

    Like the platform's, ``get_items`` answers from the branch in effect (drafts by default, which
    Studio's editor writes), and published keys carry the branch, which the LMS's keys do not.
    """

    published_only, draft_preferred = "published-only", "draft-preferred"

    def __init__(self):
        self.branch = self.draft_preferred
        self.blocks: dict[str, list] = {self.published_only: [], self.draft_preferred: []}

    @contextlib.contextmanager
    def branch_setting(self, branch, course_key=None):
        previous, self.branch = self.branch, branch
        try:
            yield
        finally:
            self.branch = previous

    def get_items(self, course_key, qualifiers=None, **kwargs):
        return [
            b
            for b in self.blocks[self.branch]
            if b.location.course_key.for_branch(None) == course_key and b.category == qualifiers["category"]
        ]


@pytest.fixture
def modulestore(monkeypatch):
    """``xmodule.modulestore`` as far as publishing reads it, installed as importable modules."""
    store = FakeModulestore()
    xmodule = types.ModuleType("xmodule")
    package = types.ModuleType("xmodule.modulestore")
    package.ModuleStoreEnum = types.SimpleNamespace(
        Branch=types.SimpleNamespace(published_only=store.published_only, draft_preferred=store.draft_preferred)
    )
    django_module = types.ModuleType("xmodule.modulestore.django")
    django_module.modulestore = lambda: store
    # As the real module: the signal is a class attribute, the module has no COURSE_PUBLISHED.
    django_module.SignalHandler = types.SimpleNamespace(course_published=Signal())
    for name, module in (
        ("xmodule", xmodule),
        ("xmodule.modulestore", package),
        ("xmodule.modulestore.django", django_module),
    ):
        monkeypatch.setitem(sys.modules, name, module)
    return store


def loaded(block: MicroCredentialXBlock, branch: str) -> MicroCredentialXBlock:
    """The block as the store hands it out in a branch (its keys carry the branch, like split's)."""
    usage = MC_USAGE.for_branch("published-branch" if branch == FakeModulestore.published_only else "draft-branch")
    copy = MicroCredentialXBlock(
        block.runtime, KvsFieldData(DictKeyValueStore()), ScopeIds("author", "microcredential", "def", usage)
    )
    for name in MicroCredentialXBlock.AUTHORED_FIELDS:
        setattr(copy, name, getattr(block, name))
    copy.location, copy.category = usage, "microcredential"
    return copy


def test_the_plugin_connects_the_publish_receiver_for_studio(modulestore):
    config = plugin_settings.PLUGIN_APP["signals_config"]["cms.djangoapp"]
    (entry,) = config["receivers"]
    signal = plugin_signals.utils.import_attr(entry["signal_path"])  # resolved as edx-django-utils does
    assert signal is sys.modules["xmodule.modulestore.django"].SignalHandler.course_published
    assert f"{MicrovetPlatformConfig.name}.{config['relative_path']}" == publishing.__name__
    assert callable(getattr(publishing, entry["receiver_func_name"]))


def test_studio_publish_registers_the_published_version_only(modulestore, django_capture_on_commit_callbacks):
    draft, published = authored_block(), authored_block()
    draft.display_name = "A draft nobody published"
    published.definition = {k: v for k, v in published.definition.items() if k != "id"}  # derived from the keys
    modulestore.blocks[modulestore.published_only] = [loaded(published, modulestore.published_only)]
    modulestore.blocks[modulestore.draft_preferred] = [loaded(draft, modulestore.draft_preferred)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        publishing.on_course_published(sender=object, course_key=COURSE)
    assert len(callbacks) == 1  # the work runs after the publishing transaction commits
    row = MicroCredentialDefinition.objects.get()
    assert row.usage_key == str(MC_USAGE) and row.course_key == str(COURSE)  # branch-free, as the LMS names it
    assert row.definition["title"] == "Designing micro-credentials for VET"
    assert row.definition["id"] == lms_block(published).default_achievement_id()  # the LMS derives the same id


def test_studio_publish_hands_due_learners_to_the_lms_workers(
    modulestore, monkeypatch, django_capture_on_commit_callbacks
):
    published = authored_block()
    published.rules = {"all": [{"all_outcomes": True}, {"min_score": {"value": 95, "op": ">="}}]}
    api.publish(str(COURSE), {str(MC_USAGE): published.published_pair()}, may_sign=True)
    scores = {lo["id"]: api.OutcomeScore(1.0, True) for lo in published.definition["learning_outcomes"]}
    api.record_assessment(api.Learner("7", "learner7@example.org"), COURSE, QUIZ, scores, 8, 10)
    assert not IssuedCredential.objects.exists()
    published.rules = {"all_outcomes": True}  # the author relaxes the rules and publishes
    modulestore.blocks[modulestore.published_only] = [loaded(published, modulestore.published_only)]
    sent = []
    monkeypatch.setattr(lifecycle, "_send", lambda name, args, **kw: sent.append((name, args)) or True)
    monkeypatch.setattr(issuance, "issuer_keys", lambda: pytest.fail("Studio loaded the issuer keys"))
    with django_capture_on_commit_callbacks(execute=True):
        result = publishing.publish_course(COURSE)
    assert result.registered == (str(MC_USAGE),) and result.background
    assert sent == [("evaluate_for_learner", ["7", str(COURSE), api.PUBLISHED])]
    monkeypatch.undo()
    tasks.evaluate_for_learner.apply(args=sent[0][1])  # what the LMS worker runs
    assert IssuedCredential.objects.get().learner_id == "7"


def test_a_block_that_did_not_load_never_withdraws_a_micro_credential(modulestore):
    published = authored_block()
    api.publish(str(COURSE), {str(MC_USAGE): published.published_pair()}, may_sign=True)
    error_block = types.SimpleNamespace(location=MC_USAGE, category="microcredential")  # the store's ErrorBlock
    modulestore.blocks[modulestore.published_only] = [error_block]
    result = publishing.publish_course(COURSE)
    assert result.removed == () and MicroCredentialDefinition.objects.filter(usage_key=str(MC_USAGE)).exists()
    modulestore.blocks[modulestore.published_only] = []  # the author deleted the block and published
    assert publishing.publish_course(COURSE).removed == (str(MC_USAGE),)


def test_studio_derives_the_achievement_id_from_the_lms_root(settings):
    settings.MICROVET = {k: v for k, v in settings.MICROVET.items() if k != "BASE_URL"}
    settings.LMS_ROOT_URL = "https://lms.aurora.example"
    block = authored_block()
    block.definition = {k: v for k, v in block.definition.items() if k != "id"}
    assert block.definition_dict()["id"].startswith("https://lms.aurora.example/microvet/achievements/")


def test_a_broken_publish_is_logged_not_raised(modulestore, caplog):
    modulestore.get_items = lambda *a, **k: 1 / 0
    assert publishing.publish_course(COURSE) is None
    assert "could not register the published micro-credentials" in caplog.text


# ------------------------------------------------------------------------------------------ outcome references


def test_an_assessment_banner_names_outcomes_no_published_credential_has():
    """Renaming or removing an outcome that a published assessment references shows in its Studio banner."""
    published = authored_block()
    runtime = ToyRuntime("author")
    root = etree.parse(str(OLX_DIR / "designing-micro-credentials.xml")).getroot()
    xml = etree.tostring(root.find("outcome_assessment"))
    assessment = runtime.get_block(runtime.parse_xml_string(xml))
    course_key = compat.course_and_usage_keys(assessment)[0]
    assert assessment.validate().messages == []  # nothing published in its course yet
    api.publish(course_key, {"mc": published.published_pair()}, may_sign=True)
    assert assessment.validate().messages == []  # every outcome it assesses is published
    renamed = published.published_pair()
    renamed[0]["learning_outcomes"] = [dict(lo, id=f"{lo['id']}-v2") for lo in renamed[0]["learning_outcomes"]]
    api.publish(course_key, {"mc": renamed}, may_sign=True)
    messages = assessment.validate().messages
    assert messages and all(m.type == "warning" and "no credential" in m.text for m in messages)
    assert any("lo-write-outcomes" in m.text for m in messages)
