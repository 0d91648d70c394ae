"""The LMS, configured only by edx-django-utils from our entry points (tests.contract.lms_production):
apps, migrations, checks, settings, URLs and receivers, then a learner who submits, passes and is issued."""

from __future__ import annotations

import lxml
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.urls import reverse
from openedx_events.learning.data import CourseData, CoursePassingStatusData, UserData, UserPersonalData
from openedx_events.learning.signals import BADGE_AWARDED, COURSE_PASSING_STATUS_UPDATED
from xblock.runtime import DictKeyValueStore

from microcredential_xblock.blocks import olx
from microcredential_xblock.platform.plugin_settings import LOCALE_DIR
from microcredential_xblock.service import api
from microcredential_xblock.service.models import AssessmentResult, IssuedCredential
from tests.contract.common import PLATFORM_LOCALE
from tests.contract.runtime import COURSE, CourseIds, PlatformRuntime, post
from tests.platform_standins import Derived
from tests.service_fixtures import example_definition

pytestmark = pytest.mark.django_db(transaction=True)

ASSESSMENT = """
<outcome_assessment display_name="Check" max_attempts="2" weight="1">
  <outcome ref="lo-write-outcomes" threshold="100"/>
  <outcome ref="lo-eu-elements" threshold="100"/>
  <outcome ref="lo-assessment-qa" threshold="100"/>
  <question id="q1" type="single"><prompt>Observable?</prompt><outcome ref="lo-write-outcomes"/>
    <choice id="a" correct="true">Drafts a plan</choice><choice id="b" correct="false">Understands</choice></question>
  <question id="q2" type="single"><prompt>Mandatory?</prompt><outcome ref="lo-eu-elements"/>
    <choice id="a" correct="true">Learning outcomes</choice><choice id="b" correct="false">Grades</choice></question>
  <question id="q3" type="single"><prompt>Fits?</prompt><outcome ref="lo-assessment-qa"/>
    <choice id="a" correct="true">A practical task</choice><choice id="b" correct="false">None</choice></question>
</outcome_assessment>
"""
RIGHT = {"q1": "a", "q2": "a", "q3": "a"}
PASSED_AND_OUTCOMES = {"all": [{"course_passed": True}, {"all_outcomes": True}]}


def test_the_platform_installs_the_models_with_their_migrations_and_the_integration():
    assert apps.get_app_config("microvet").name == "microcredential_xblock.service"
    assert apps.get_app_config("microvet_platform").name == "microcredential_xblock"
    assert IssuedCredential._meta.app_label == "microvet"
    applied = MigrationRecorder.Migration.objects.filter(app="microvet").values_list("name", flat=True)
    assert "0001_initial" in applied
    call_command("makemigrations", "microvet", check=True, dry_run=True)  # models match the migrations
    call_command("check", fail_level="WARNING")
    assert get_commands()["microvet_issue_course"] == "microcredential_xblock"


def test_lazily_derived_settings_are_extended_not_replaced():
    assert settings.LOCALE_PATHS == [PLATFORM_LOCALE, str(LOCALE_DIR)]
    steps = settings.OPEN_EDX_FILTERS_CONFIG["org.openedx.learning.certificate.render.started.v1"]["pipeline"]
    assert steps[0] == "ops.Step" and len(steps) == 2
    assert settings.HELP_TOKENS_LANGUAGE_CODE == "en"
    assert settings.MICROVET["CELERY_QUEUE"] == "microvet"  # the operator's
    assert settings.MICROVET["ISSUE_IN_BACKGROUND"] is True  # the plugin's default, back after the operator's YAML
    assert "BASE_URL" not in settings.MICROVET  # taken from LMS_ROOT_URL at use time (service/config.py)
    leftovers = [name for name in dir(settings) if name.isupper() and isinstance(getattr(settings, name), Derived)]
    assert leftovers == []


def test_the_plugin_urls_are_mounted_where_the_platform_mounts_them():
    assert reverse("microvet:jwks") == "/microvet/jwks.json"
    assert Client().get("/microvet/jwks.json").status_code == 200


def test_the_blocks_run_under_the_platforms_safe_lxml():
    assert olx.etree is lxml.etree and not hasattr(olx.etree, "indent")


def test_a_learner_submits_passes_the_course_and_is_issued_a_credential():
    user = get_user_model().objects.create(username="ada", email="ada@example.org", first_name="Ada")
    kvs, ids = DictKeyValueStore(), CourseIds()
    usage_id = PlatformRuntime(ids, kvs, user).parse_xml_string(ASSESSMENT)
    mc_block = COURSE.make_usage_key("microcredential", "mc1")
    api.register_definition(str(COURSE), str(mc_block), example_definition(), PASSED_AND_OUTCOMES)
    block = PlatformRuntime(ids, kvs, user).get_block(usage_id)
    assert "Observable?" in block.render("student_view").content

    status, body = post(block, "submit", {"answers": RIGHT})
    assert status == 200 and body["validated_outcomes"] == ["lo-write-outcomes", "lo-eu-elements", "lo-assessment-qa"]
    assert AssessmentResult.objects.filter(learner_id=str(user.pk), course_key=str(COURSE)).exists()
    assert not IssuedCredential.objects.exists()  # the course is not passed yet

    awarded = []
    BADGE_AWARDED.connect(lambda signal, sender, badge, **kw: awarded.append(badge), weak=False)
    COURSE_PASSING_STATUS_UPDATED.send_event(
        course_passing_status=CoursePassingStatusData(
            is_passing=True,
            user=UserData(
                id=user.pk, is_active=True, pii=UserPersonalData(username="ada", email=user.email, name="Ada")
            ),
            course=CourseData(course_key=COURSE),
        )
    )
    (credential,) = IssuedCredential.objects.filter(learner_id=str(user.pk))
    assert [badge.uuid for badge in awarded] == [str(credential.uuid)]
    verify = api.public_urls(credential)["verify"].removeprefix(settings.LMS_ROOT_URL)
    assert Client().get(verify).status_code == 200
