"""Receivers of COURSE_PASSING_STATUS_UPDATED and CERTIFICATE_REVOKED, sent with openedx-events'
own ``send_event`` and real payload classes, and the BADGE_AWARDED / BADGE_REVOKED we emit.

Every receiver: happy path, repeated event, missing data, failing issuance service."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import (
    CertificateData,
    CourseData,
    CoursePassingStatusData,
    UserData,
    UserPersonalData,
)
from openedx_events.learning.signals import (
    BADGE_AWARDED,
    BADGE_REVOKED,
    CERTIFICATE_REVOKED,
    COURSE_PASSING_STATUS_UPDATED,
)

from microcredential_xblock.platform import events, tasks
from microcredential_xblock.service import api, issuance
from microcredential_xblock.service.models import AuditEvent, CoursePassing, IssuedCredential
from tests import platform_settings
from tests.service_fixtures import COURSE, LEARNER, MC_BLOCK, QUIZ1, all_validated
from tests.test_platform_plugin import disconnect_afterwards, registered_plugin  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

PASSED_AND_OUTCOMES = {"all": [{"course_passed": True}, {"all_outcomes": True}]}


@pytest.fixture
def connected(registered_plugin, disconnect_afterwards):  # noqa: F811
    """Receivers connected the way the LMS connects them (PLUGIN_APP signals_config)."""
    from edx_django_utils.plugins import connect_plugin_receivers  # noqa: PLC0415

    with override_settings(MICROVET=platform_settings.MICROVET):
        connect_plugin_receivers("lms.djangoapp")
        yield


@pytest.fixture
def badges():
    """Every BADGE_AWARDED / BADGE_REVOKED sent: (event type, BadgeData)."""
    seen: list = []

    def listen(signal, sender, badge, metadata, **kwargs):
        seen.append((metadata.event_type, badge))

    BADGE_AWARDED.connect(listen)
    BADGE_REVOKED.connect(listen)
    yield seen
    BADGE_AWARDED.disconnect(listen)
    BADGE_REVOKED.disconnect(listen)


@pytest.fixture
def user(db):
    return get_user_model().objects.create(pk=42, username="ada", email=LEARNER.email, first_name="Ada")


@pytest.fixture
def course_passed_mc(db, definition):
    """A course-level micro-credential: course passed and every outcome validated."""
    return api.register_definition(COURSE, MC_BLOCK, definition, PASSED_AND_OUTCOMES)


@pytest.fixture
def outcomes_validated(course_passed_mc, user):
    (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    assert progress.state == api.IN_PROGRESS  # the course is not passed yet


def user_data(user_id=42) -> UserData:
    return UserData(id=user_id, is_active=True, pii=UserPersonalData(username="ada", email=LEARNER.email, name="Ada"))


def course_data(course_key=COURSE) -> CourseData:
    return CourseData(course_key=CourseKey.from_string(course_key) if course_key else None)


def send_passing(is_passing=True, user_id=42, course_key=COURSE):
    return COURSE_PASSING_STATUS_UPDATED.send_event(
        course_passing_status=CoursePassingStatusData(
            is_passing=is_passing, course=course_data(course_key), user=user_data(user_id)
        )
    )


def send_certificate_revoked():
    return CERTIFICATE_REVOKED.send_event(
        certificate=CertificateData(
            user=user_data(), course=course_data(), mode="verified", grade="0.9", download_url="",
            name="Ada", current_status="notpassing", previous_status="downloadable",
        )
    )  # fmt: skip


# ------------------------------------------------------------------------------------------ passing


def test_passing_issues_once_and_repeated_events_change_nothing(
    connected, outcomes_validated, badges, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_passing()
    (credential,) = IssuedCredential.objects.all()
    with django_capture_on_commit_callbacks(execute=True):
        send_passing()
        send_passing()
    assert IssuedCredential.objects.get() == credential
    ((event_type, badge),) = badges
    assert event_type == BADGE_AWARDED.event_type
    assert badge.uuid == str(credential.uuid) and badge.user.id == 42 and badge.user.pii.username == "ada"
    assert badge.template.origin == "microvet" and badge.template.uuid == events.template_uuid(
        credential.microcredential_id
    )
    assert badge.template.image_url == api.public_urls(credential)["png"]


def test_not_passing_issues_nothing_but_is_recorded(connected, outcomes_validated):
    send_passing(is_passing=False)
    assert not IssuedCredential.objects.exists()
    assert CoursePassing.objects.get(learner_id="42", course_key=COURSE).passed is False


def test_course_without_course_passed_rule_is_ignored(connected, registered, user):
    send_passing()
    assert not CoursePassing.objects.exists()


@pytest.mark.parametrize("missing", ["user", "course"])
def test_event_without_user_or_course_is_ignored(connected, outcomes_validated, caplog, missing):
    if missing == "user":
        send_passing(user_id=None)
    else:
        send_passing(course_key=None)
    assert not IssuedCredential.objects.exists() and not CoursePassing.objects.exists()
    assert "without a user id or course key ignored" in caplog.text


def test_failing_issuance_loses_nothing_and_the_next_event_issues(connected, outcomes_validated, caplog):
    with (
        mock.patch.object(issuance, "issue_once", side_effect=RuntimeError("HSM unavailable")),
        mock.patch("microcredential_xblock.platform.checks.celery_app_name", return_value=None),
    ):
        responses = send_passing()
    assert all(not isinstance(result, Exception) for _, result in responses)  # logged, not raised
    assert "failed; the next event or microvet_issue_course retries" in caplog.text
    assert CoursePassing.objects.get().passed is True and not IssuedCredential.objects.exists()
    send_passing()  # grade events repeat
    assert IssuedCredential.objects.count() == 1


def test_failing_issuance_is_queued_for_retry_when_celery_exists(connected, outcomes_validated):
    with (
        mock.patch.object(issuance, "issue_once", side_effect=RuntimeError("HSM unavailable")),
        mock.patch("microcredential_xblock.platform.checks.celery_app_name", return_value="lms"),
        mock.patch.object(tasks.issue_for_learner, "apply_async") as enqueue,
    ):
        send_passing()
    enqueue.assert_called_once_with(args=("42", COURSE, True), queue=None, countdown=tasks.RETRY_BACKOFF)


def test_in_background_the_receiver_only_enqueues(connected, outcomes_validated):
    background = {**platform_settings.MICROVET, "ISSUE_IN_BACKGROUND": True, "CELERY_QUEUE": "microvet"}
    with override_settings(MICROVET=background), mock.patch.object(tasks.issue_for_learner, "apply_async") as enqueue:
        send_passing()
    enqueue.assert_called_once_with(args=("42", COURSE, True), queue="microvet")
    assert not IssuedCredential.objects.exists()


def test_in_background_a_broker_outage_issues_in_process(connected, outcomes_validated, caplog):
    background = {**platform_settings.MICROVET, "ISSUE_IN_BACKGROUND": True}
    with (
        override_settings(MICROVET=background),
        mock.patch.object(tasks.issue_for_learner, "apply_async", side_effect=ConnectionError("redis down")),
    ):
        send_passing()
    assert IssuedCredential.objects.count() == 1 and "running it in this process" in caplog.text


# ------------------------------------------------------------------------------------------ certificate revoked


@pytest.fixture
def issued(connected, outcomes_validated):
    send_passing()
    return IssuedCredential.objects.get()


def revoke_with_certificate(value: bool) -> override_settings:
    return override_settings(MICROVET={**platform_settings.MICROVET, "REVOKE_WITH_CERTIFICATE": value})


def test_certificate_revoked_revokes_once_when_configured(issued, badges, django_capture_on_commit_callbacks):
    with revoke_with_certificate(True), django_capture_on_commit_callbacks(execute=True):
        send_certificate_revoked()
        send_certificate_revoked()  # repeated: already revoked, nothing else happens
    issued.refresh_from_db()
    assert issued.state == IssuedCredential.REVOKED
    (audit,) = AuditEvent.objects.filter(credential=issued)
    assert audit.actor == tasks.CERTIFICATE_ACTOR and audit.reason == tasks.CERTIFICATE_REASON
    assert [(t, b.uuid) for t, b in badges] == [(BADGE_REVOKED.event_type, str(issued.uuid))]


def test_certificate_revoked_is_ignored_by_default(issued):
    send_certificate_revoked()
    issued.refresh_from_db()
    assert issued.state == IssuedCredential.ACTIVE


def test_certificate_revoked_leaves_other_rules_alone(connected, earned, user):
    with revoke_with_certificate(True):
        send_certificate_revoked()
    earned.refresh_from_db()
    assert earned.state == IssuedCredential.ACTIVE  # its rule does not use course_passed


def test_certificate_revoked_with_failing_service_is_retried(issued, caplog):
    with revoke_with_certificate(True):
        with mock.patch.object(api, "revoke", side_effect=RuntimeError("status list locked")):
            send_certificate_revoked()
        assert "failed" in caplog.text
        send_certificate_revoked()
    issued.refresh_from_db()
    assert issued.state == IssuedCredential.REVOKED


# ------------------------------------------------------------------------------------------ badge events


def test_no_badge_event_for_a_rolled_back_issuance(
    connected, outcomes_validated, badges, django_capture_on_commit_callbacks
):
    """Storing fails after the credential row was inserted: the transaction and its event callbacks go.
    (What remains is the service's memory of committed rows, ADR 0019, never an event.)"""
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        mock.patch.object(issuance.SLOTS, "taken", side_effect=RuntimeError("database failed")),
    ):
        send_passing()
    remembering = {"Slots._read.<locals>.keep", "embeddable.<locals>.remember"}
    assert [c for c in callbacks if getattr(c, "__qualname__", "") not in remembering] == []
    assert badges == [] and not IssuedCredential.objects.exists()


def test_suspension_sends_no_badge_event(issued, badges, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api.suspend(issued.uuid, actor="staff", reason="under review")
    assert badges == []


def test_no_badge_event_for_learners_who_are_not_platform_users(db):
    credential = IssuedCredential(learner_id="student_1", microcredential_id="x")
    assert events.badge_data(credential) is None


# ------------------------------------------------------------------------------------------ CCX

CCX = "ccx-v1:Aurora+MC101+2026+ccx@3"
CCX_MC_BLOCK = "ccx-block-v1:Aurora+MC101+2026+ccx@3+type@microcredential+block@mc1"
CCX_QUIZ = "ccx-block-v1:Aurora+MC101+2026+ccx@3+type@outcome_assessment+block@quiz1"


def test_a_ccx_block_counts_as_its_master_courses_block():
    """Studio publishes the master course's micro-credentials: a CCX block records its evidence there."""
    from types import SimpleNamespace  # noqa: PLC0415

    from ccx_keys.locator import CCXBlockUsageLocator  # noqa: PLC0415  (edx-ccx-keys comes with openedx-events)

    from microcredential_xblock import compat  # noqa: PLC0415

    usage = CCXBlockUsageLocator.from_string(CCX_QUIZ)
    block = SimpleNamespace(scope_ids=SimpleNamespace(usage_id=usage))
    assert compat.course_and_usage_keys(block) == (COURSE, QUIZ1)


def test_ccx_passing_issues_the_master_courses_micro_credential(
    connected, definition, user, django_capture_on_commit_callbacks
):
    """For CCX keys the LMS sends CCX_COURSE_PASSING_STATUS_UPDATED: the master course's published
    definition and the evidence the CCX's blocks recorded there decide."""
    from ccx_keys.locator import CCXLocator  # noqa: PLC0415
    from openedx_events.learning.data import CcxCourseData, CcxCoursePassingStatusData  # noqa: PLC0415
    from openedx_events.learning.signals import CCX_COURSE_PASSING_STATUS_UPDATED  # noqa: PLC0415

    api.register_definition(COURSE, MC_BLOCK, definition, PASSED_AND_OUTCOMES)  # what Studio's publish does
    api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)  # what the CCX's assessment records
    assert not IssuedCredential.objects.exists()  # the course is not passed yet
    ccx = CcxCourseData(ccx_course_key=CCXLocator.from_string(CCX), master_course_key=CourseKey.from_string(COURSE))
    with django_capture_on_commit_callbacks(execute=True):
        CCX_COURSE_PASSING_STATUS_UPDATED.send_event(
            course_passing_status=CcxCoursePassingStatusData(is_passing=True, course=ccx, user=user_data())
        )
    (credential,) = IssuedCredential.objects.all()
    assert credential.course_key == COURSE


def test_a_release_without_the_ccx_event_still_connects(monkeypatch, registered_plugin, disconnect_afterwards):  # noqa: F811
    """openedx-events without CCX_COURSE_PASSING_STATUS_UPDATED: a signal nothing sends stands in for it."""
    import importlib  # noqa: PLC0415

    from edx_django_utils.plugins import connect_plugin_receivers  # noqa: PLC0415
    from openedx_events.learning import signals  # noqa: PLC0415

    from microcredential_xblock.platform import receivers  # noqa: PLC0415
    from tests.platform_standins import live_receivers  # noqa: PLC0415

    monkeypatch.delattr(signals, "CCX_COURSE_PASSING_STATUS_UPDATED")
    try:
        stand_in = importlib.reload(receivers).CCX_COURSE_PASSING_STATUS_UPDATED
        assert stand_in is not None and not hasattr(stand_in, "event_type")
        connect_plugin_receivers("lms.djangoapp")
        assert receivers.on_ccx_course_passing_status_updated in live_receivers(stand_in)
    finally:
        monkeypatch.undo()
        importlib.reload(receivers)
