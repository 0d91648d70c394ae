"""Studio, configured only by edx-django-utils from our entry points (tests.contract.cms_production): the
models and their migrations are there (publishing registers definitions in Studio), checks pass without
any issuer key, and the assessment editor works under the platform's safe lxml."""

from __future__ import annotations

import lxml
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.migrations.recorder import MigrationRecorder
from openedx_events.learning.signals import COURSE_PASSING_STATUS_UPDATED
from xblock.runtime import DictKeyValueStore

from microcredential_xblock import compat
from microcredential_xblock.blocks import olx
from microcredential_xblock.platform import publishing, receivers
from microcredential_xblock.platform.plugin_settings import LOCALE_DIR
from microcredential_xblock.service.models import MicroCredentialDefinition
from tests.contract.common import PLATFORM_LOCALE
from tests.contract.lms_contract import ASSESSMENT
from tests.contract.runtime import CourseIds, PlatformRuntime, post
from tests.platform_standins import live_receivers

pytestmark = pytest.mark.django_db(transaction=True)


def test_studio_installs_the_models_with_their_migrations():
    assert apps.get_app_config("microvet").name == "microcredential_xblock.service"
    assert MicroCredentialDefinition._meta.app_label == "microvet"
    assert "0001_initial" in MigrationRecorder.Migration.objects.filter(app="microvet").values_list("name", flat=True)
    call_command("makemigrations", "microvet", check=True, dry_run=True)


def test_studio_starts_without_any_issuer_key():
    assert "KEYS_DIR" not in settings.MICROVET and settings.MICROVET["SIGNS"] is False
    call_command("check", fail_level="WARNING")


def test_studio_settings_add_catalogs_but_no_lms_filter_steps():
    assert settings.LOCALE_PATHS == [PLATFORM_LOCALE, str(LOCALE_DIR)]
    steps = settings.OPEN_EDX_FILTERS_CONFIG["org.openedx.learning.certificate.render.started.v1"]["pipeline"]
    assert steps == ["ops.Step"]


def test_studio_connects_its_publish_receiver_and_not_the_lms_receivers():
    assert publishing.on_course_published in live_receivers(compat.COURSE_PUBLISHED)
    assert receivers.on_course_passing_status_updated not in live_receivers(COURSE_PASSING_STATUS_UPDATED)


def test_the_assessment_editor_works_under_the_platforms_safe_lxml():
    assert olx.etree is lxml.etree and not hasattr(olx.etree, "indent")
    author = get_user_model().objects.create(username="author", email="author@example.org", is_staff=True)
    kvs, ids = DictKeyValueStore(), CourseIds()
    usage_id = PlatformRuntime(ids, kvs, author).parse_xml_string(ASSESSMENT)
    block = PlatformRuntime(ids, kvs, author).get_block(usage_id)
    assert "Observable?" in block.render("studio_view").content
    shown = block._editor_state()["olx"]
    status, body = post(block, "studio_submit", {"olx": shown})
    assert status == 200, body
    assert body["olx"].startswith('<outcome ref="lo-write-outcomes"') and "\n<question" in body["olx"]
