"""Filter steps and our own public filters, run through openedx-filters' ``run_filter`` with the
LMS-like configuration of tests/platform_settings.py (an operator step first, ours merged after)."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from unittest import mock

import crum
import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from opaque_keys.edx.keys import CourseKey
from openedx_filters import PipelineStep
from openedx_filters.learning import filters as learning_filters
from openedx_filters.learning.filters import (
    CertificateRenderStarted,
    CourseAboutRenderStarted,
    CourseEnrollmentAPIRenderStarted,
)

from microcredential_xblock.platform import filters
from microcredential_xblock.platform.filters import MicroCredentialIssuanceRequested, MicroCredentialIssued
from microcredential_xblock.service import api, issuance
from microcredential_xblock.service.models import IssuedCredential
from tests import platform_settings
from tests.service_fixtures import COURSE, LEARNER, MC_BLOCK, QUIZ1, RULES, all_validated

#: Newer openedx-filters only (not in Verawood's 3.1.0): older releases have no tab step to run, and say so once at
#: start-up (tests/test_platform_plugin.py, test_a_release_without_the_tab_filter_...).
InstructorDashboardTabsRequested = getattr(learning_filters, "InstructorDashboardTabsRequested", None)
needs_tab_filter = pytest.mark.skipif(
    InstructorDashboardTabsRequested is None, reason="this release's openedx-filters has no instructor tab filter"
)

pytestmark = pytest.mark.django_db

OTHER_COURSE = "course-v1:Other+X1+2026"
REQUESTED = MicroCredentialIssuanceRequested.filter_type
ISSUED = MicroCredentialIssued.filter_type


class OperatorCertificateStep(PipelineStep):
    """An operator's own step, configured before our plugin ran (tests/platform_settings.py)."""

    def run_filter(self, context, custom_template):
        return {"context": {**context, "operator_was_here": True}}


WALLET_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


class AddWalletDid(PipelineStep):
    """Enrich: the learner's wallet DID, looked up in the operator's own registry."""

    def run_filter(self, award, definition):
        return {"award": dataclasses.replace(award, subject_did=WALLET_DID)}


class Veto(PipelineStep):
    def run_filter(self, award, definition):
        raise MicroCredentialIssuanceRequested.PreventIssuance("identity not verified yet")


class Hijack(PipelineStep):
    def run_filter(self, award, definition):
        return {"award": dataclasses.replace(award, learner_id="666")}


SEEN: list = []


class Forward(PipelineStep):
    def run_filter(self, credential, urls):
        SEEN.append((credential.uuid, urls["verify"]))
        return {}


@pytest.fixture(autouse=True)
def lms_settings():
    with override_settings(
        OPEN_EDX_FILTERS_CONFIG=platform_settings.OPEN_EDX_FILTERS_CONFIG,
        MICROVET=platform_settings.MICROVET,
        ROOT_URLCONF=platform_settings.ROOT_URLCONF,
    ):
        yield


@pytest.fixture
def user(db):
    return get_user_model().objects.create(pk=int(LEARNER.user_id), username="ada", email=LEARNER.email)


def own_filter(filter_type: str, *steps: type) -> override_settings:
    config = {
        **platform_settings.OPEN_EDX_FILTERS_CONFIG,
        filter_type: {"pipeline": [f"{__name__}.{s.__name__}" for s in steps], "fail_silently": False},
    }
    return override_settings(OPEN_EDX_FILTERS_CONFIG=config)


# ------------------------------------------------------------------------------------------ certificate


def test_certificate_gets_eu_elements_and_badge_link_after_the_operator_step(earned, user):
    context, _template = CertificateRenderStarted.run_filter(
        context={"course_id": COURSE, "accomplishment_user_id": user.pk}, custom_template=None
    )
    assert context["operator_was_here"] is True
    (item,) = context["microvet_credentials"]
    assert item["state"] == api.EARNED and item["urls"]["verify"].endswith(f"/credentials/{earned.uuid}/verify")
    labels = {e["label"] for e in item["elements"]}
    assert {"EQF level", "Notional workload", "Type of assessment", "Quality assurance"} <= labels
    assert item["urls"]["verify"] in context["microvet_html"] and "EQF level" in context["microvet_html"]


def test_certificate_of_a_learner_in_progress_shows_elements_without_badge(registered, user):
    context, _ = CertificateRenderStarted.run_filter(
        context={"course_id": COURSE, "accomplishment_user_id": user.pk}, custom_template=None
    )
    (item,) = context["microvet_credentials"]
    assert item["state"] == api.IN_PROGRESS and item["urls"] == {}
    assert "/verify" not in context["microvet_html"]


def test_certificate_html_escapes_author_text(db, definition, user):
    definition["title"] = '<script>alert("x")</script>'
    api.register_definition(COURSE, MC_BLOCK, definition, RULES)
    context, _ = CertificateRenderStarted.run_filter(
        context={"course_id": COURSE, "accomplishment_user_id": user.pk}, custom_template=None
    )
    assert "<script>" not in context["microvet_html"] and "&lt;script&gt;" in context["microvet_html"]


@pytest.mark.parametrize(
    "context",
    [{"course_id": OTHER_COURSE, "accomplishment_user_id": 42}, {"course_id": COURSE}, {}],
    ids=["course-without-micro-credential", "no-user", "empty"],
)
def test_certificate_without_data_is_left_alone(registered, context):
    result, _ = CertificateRenderStarted.run_filter(context=dict(context), custom_template="t")
    assert result == {**context, "operator_was_here": True}


def test_a_failing_service_never_breaks_the_certificate_page(registered, user, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(api, "learner_progress", broken)
    context, _ = CertificateRenderStarted.run_filter(
        context={"course_id": COURSE, "accomplishment_user_id": user.pk}, custom_template=None
    )
    assert "microvet_credentials" not in context and context["operator_was_here"] is True
    assert "AddMicroCredentialToCertificate failed" in caplog.text


# ------------------------------------------------------------------------------------------ dashboard, about, tabs


def test_learner_dashboard_lists_the_state_of_each_micro_credential(earned, user):
    with crum.impersonate(user):
        _key, row = CourseEnrollmentAPIRenderStarted.run_filter(
            course_key=CourseKey.from_string(COURSE), serialized_enrollment={"isActive": True}
        )
    assert row["isActive"] is True
    assert row["microCredentials"] == [
        {
            "id": earned.microcredential_id,
            "title": earned.definition_snapshot["definition"]["title"],
            "state": api.EARNED,
            "verifyUrl": api.public_urls(earned)["verify"],
        }
    ]


def test_learner_dashboard_without_request_user_or_micro_credential_is_unchanged(registered, user):
    _, row = CourseEnrollmentAPIRenderStarted.run_filter(course_key=COURSE, serialized_enrollment={"a": 1})
    assert row == {"a": 1}
    with crum.impersonate(user):
        _, row = CourseEnrollmentAPIRenderStarted.run_filter(course_key=OTHER_COURSE, serialized_enrollment={"a": 1})
    assert row == {"a": 1}


def test_about_page_shows_eu_elements_to_prospective_learners(registered, definition):
    course = SimpleNamespace(id=CourseKey.from_string(COURSE))
    context, template = CourseAboutRenderStarted.run_filter(context={"course": course}, template_name="about.html")
    assert template == "about.html"
    (item,) = context["microvet_credentials"]
    assert "state" not in item  # nobody's progress on a public page
    values = {e["label"]: e["text"] for e in item["elements"]}
    assert values["EQF level"] == definition["eqf_level"]
    assert values["Notional workload"] == "1 ECTS, 25 hours"
    assert values["Quality assurance"] == definition["quality_assurance"].strip()
    assert "ECTS" in context["microvet_html"]


@needs_tab_filter
def test_instructor_dashboard_gets_one_issued_credentials_tab(registered, user):
    tabs = [{"tab_id": "course_info", "title": "Course Info", "url": "/x", "sort_order": 3}]
    tabs, _, _ = InstructorDashboardTabsRequested.run_filter(tabs=tabs, user=user, course_key=COURSE)
    assert [t["tab_id"] for t in tabs] == ["course_info", filters.TAB_ID]
    tab = tabs[1]
    assert tab["title"] == "Issued credentials" and tab["sort_order"] == 4
    assert tab["url"] == f"https://lms.example.org/microvet/staff/{COURSE}/"
    again, _, _ = InstructorDashboardTabsRequested.run_filter(tabs=tabs, user=user, course_key=COURSE)
    assert again == tabs
    other, _, _ = InstructorDashboardTabsRequested.run_filter(tabs=[], user=user, course_key=OTHER_COURSE)
    assert other == []


# ------------------------------------------------------------------------------------------ our filters


def award(registered) -> issuance.Award:
    return issuance.Award(
        learner_id="42", email="a@example.org", name="", subject_did="", course_key=COURSE,
        usage_key=MC_BLOCK, snapshot={"definition": registered.definition}, score_percent=None,
    )  # fmt: skip


def test_issuance_requested_without_steps_returns_the_award(registered):
    original = award(registered)
    assert filters.request_issuance(original, registered.definition) is original


def test_operators_can_enrich_an_issuance(registered):
    with own_filter(REQUESTED, AddWalletDid):
        result = filters.request_issuance(award(registered), registered.definition)
    assert result.subject_did == WALLET_DID and result.learner_id == "42"


def test_operators_can_veto_an_issuance(registered):
    with own_filter(REQUESTED, AddWalletDid, Veto):
        assert filters.request_issuance(award(registered), registered.definition) is None


def test_a_step_cannot_hand_the_award_to_someone_else(registered):
    with own_filter(REQUESTED, Hijack), pytest.raises(TypeError, match="learner_id"):
        filters.request_issuance(award(registered), registered.definition)


def test_issued_filter_hands_credential_and_public_urls_to_operators(earned):
    SEEN.clear()
    with own_filter(ISSUED, Forward):
        filters.announce_issued(earned)
    assert SEEN == [(earned.uuid, api.public_urls(earned)["verify"])]


# ------------------------------------------------------------------------------------------ on the issuing path


def test_a_veto_keeps_the_learner_in_progress_until_allowed(registered):
    with own_filter(REQUESTED, Veto):
        (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    # The service shows rules that hold without a credential as ISSUING (ADR 0009), a veto included.
    assert progress.state in (api.IN_PROGRESS, api.ISSUING) and not IssuedCredential.objects.exists()
    (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    assert progress.state == api.EARNED


def test_an_enriched_award_is_what_gets_signed(registered):
    with own_filter(REQUESTED, AddWalletDid):
        (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    assert progress.credential.subject_did == WALLET_DID
    assert progress.credential.document["credentialSubject"]["id"] == WALLET_DID


CERTIFICATE_CONTEXT = {"course_id": COURSE, "accomplishment_user_id": 42}
#: (filter, its kwargs, which returned value to compare, what it must be when our step fails)
FAILING_SERVICE_CASES = {
    "certificate": (
        CertificateRenderStarted,
        {"context": CERTIFICATE_CONTEXT, "custom_template": None},
        0,
        {**CERTIFICATE_CONTEXT, "operator_was_here": True},
    ),
    "dashboard": (
        CourseEnrollmentAPIRenderStarted,
        {"course_key": COURSE, "serialized_enrollment": {"a": 1}},
        1,
        {"a": 1},
    ),
    "about": (
        CourseAboutRenderStarted,
        {"context": {"course_id": COURSE}, "template_name": "t"},
        0,
        {"course_id": COURSE},
    ),
}
if InstructorDashboardTabsRequested is not None:
    FAILING_SERVICE_CASES["tabs"] = (
        InstructorDashboardTabsRequested,
        {"tabs": [], "user": None, "course_key": COURSE},
        0,
        [],
    )


@pytest.mark.parametrize("case", FAILING_SERVICE_CASES.values(), ids=FAILING_SERVICE_CASES.keys())
def test_every_step_survives_a_failing_service(registered, user, monkeypatch, caplog, case):
    open_edx_filter, kwargs, index, expected = case
    monkeypatch.setattr(filters, "course_definitions", mock.Mock(side_effect=RuntimeError("database went away")))
    with crum.impersonate(user):
        assert open_edx_filter.run_filter(**kwargs)[index] == expected
    assert "failed; input left unchanged" in caplog.text
