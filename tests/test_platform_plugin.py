"""Plugin registration: plugin_settings merges without clobbering and never iterates a lazily derived
platform setting, PLUGIN_APP works with edx-django-utils' own plugin machinery, the start-up checks, and
what a release without a filter or an event says. (The whole platform configuration, with nothing
listed by hand, is tests/test_platform_contract.py.)"""

from __future__ import annotations

import copy
import logging
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from unittest import mock

import pytest
from django.core.checks import INFO, run_checks
from django.db.models.signals import post_save
from django.test import override_settings
from django.urls import URLResolver, resolve, reverse
from django.urls.resolvers import RegexPattern
from django.utils.module_loading import import_string
from edx_django_utils.plugins import add_plugins, connect_plugin_receivers, get_plugin_apps, get_plugin_url_patterns
from edx_django_utils.plugins.registry import DjangoAppRegistry
from openedx_events.learning.signals import CERTIFICATE_REVOKED, COURSE_PASSING_STATUS_UPDATED

from microcredential_xblock.platform import checks, receivers
from microcredential_xblock.platform.apps import MicrovetPlatformConfig
from microcredential_xblock.platform.plugin_settings import (
    CMS,
    FILTER_STEPS,
    LMS,
    LOCALE_DIR,
    PLUGIN_APP,
    plugin_settings,
    studio_settings,
)
from microcredential_xblock.service.apps import MicrovetConfig
from microcredential_xblock.service.checks import check_configuration
from microcredential_xblock.service.models import IssuedCredential
from tests import platform_settings
from tests.platform_standins import Derived, derive_settings, live_receivers

CERT = "org.openedx.learning.certificate.render.started.v1"
TABS = "org.openedx.learning.instructor.dashboard.tabs.requested.v1"
OURS = FILTER_STEPS[CERT][0]


def settings_module(**values) -> SimpleNamespace:
    return SimpleNamespace(**copy.deepcopy(values))


# ------------------------------------------------------------------------------------------ plugin_settings


def test_merge_keeps_operator_steps_options_and_extra_config():
    operator = {CERT: {"pipeline": ["ops.Step"], "fail_silently": False, "log_level": "debug"}}
    module = settings_module(OPEN_EDX_FILTERS_CONFIG=operator)
    plugin_settings(module)
    assert module.OPEN_EDX_FILTERS_CONFIG[CERT] == {
        "pipeline": ["ops.Step", OURS],
        "fail_silently": False,
        "log_level": "debug",
    }
    assert set(module.OPEN_EDX_FILTERS_CONFIG) == set(FILTER_STEPS)


def test_merge_accepts_list_and_string_forms_and_is_idempotent():
    module = settings_module(OPEN_EDX_FILTERS_CONFIG={CERT: ["ops.A", "ops.B"], TABS: "ops.Tabs"})
    plugin_settings(module)
    plugin_settings(module)  # production settings run it again after common
    assert module.OPEN_EDX_FILTERS_CONFIG[CERT]["pipeline"] == ["ops.A", "ops.B", OURS]
    assert module.OPEN_EDX_FILTERS_CONFIG[TABS]["pipeline"] == ["ops.Tabs", FILTER_STEPS[TABS][0]]


def test_plugin_settings_fills_defaults_but_never_overrides_the_operator():
    module = settings_module(LMS_ROOT_URL="https://lms.example.org", MICROVET={"ISSUE_IN_BACKGROUND": False})
    plugin_settings(module)
    assert module.MICROVET["ISSUE_IN_BACKGROUND"] is False
    assert module.MICROVET["REVOKE_WITH_CERTIFICATE"] is False
    # Never frozen here: LMS_ROOT_URL is still the platform's placeholder when common settings run.
    assert "BASE_URL" not in module.MICROVET
    bare = settings_module()
    plugin_settings(bare)
    assert bare.MICROVET["ISSUE_IN_BACKGROUND"] is True  # inside the LMS the platform's Celery signs
    assert "BASE_URL" not in bare.MICROVET


def test_base_url_is_the_lms_root_the_yaml_set_not_the_placeholder_of_common_settings(settings):
    """lms/envs/common.py sets LMS_ROOT_URL = 'https://localhost:18000'; production.py then loads the
    operator's YAML (seen in a real Teak LMS: credentials would have carried the placeholder host)."""
    from microcredential_xblock.service.config import config  # noqa: PLC0415

    module = settings_module(LMS_ROOT_URL="https://localhost:18000")
    plugin_settings(module)  # the COMMON pass
    module.LMS_ROOT_URL = "https://lms.aurora-vet.example.it"  # the YAML, in production.py
    plugin_settings(module)  # the PRODUCTION pass
    settings.LMS_ROOT_URL, settings.MICROVET = module.LMS_ROOT_URL, module.MICROVET
    assert config().base_url == "https://lms.aurora-vet.example.it"
    settings.MICROVET = {**module.MICROVET, "BASE_URL": "https://credentials.example.it/"}
    assert config().base_url == "https://credentials.example.it"  # the operator's own wins


def test_plugin_settings_adds_the_package_catalogs_once():
    module = settings_module(LOCALE_PATHS=["/openedx/locale"])
    plugin_settings(module)
    plugin_settings(module)
    assert module.LOCALE_PATHS[0] == "/openedx/locale"
    assert len(module.LOCALE_PATHS) == 2
    assert (Path(module.LOCALE_PATHS[1]) / "it" / "LC_MESSAGES" / "django.po").is_file()


def lazy_settings_module(name: str, monkeypatch, **values) -> ModuleType:
    """A settings module in sys.modules, as add_plugins and derive_settings find it."""
    module = ModuleType(name)
    for key, value in values.items():
        setattr(module, key, value)
    monkeypatch.setitem(sys.modules, name, module)
    return module


def test_plugin_settings_extend_lazily_derived_settings_without_resolving_them(monkeypatch):
    """Platform settings that are ``Derived`` when plugin settings run (LOCALE_PATHS in Teak and master)
    stay lazy, and resolve to the platform's value with ours added."""
    envs = lazy_settings_module(
        "lms_envs_lazy",
        monkeypatch,
        PREPEND_LOCALE_PATHS=["/themes/locale"],
        LOCALE_PATHS=Derived(lambda s: [*s.PREPEND_LOCALE_PATHS, "/openedx/conf/locale"]),
        OPEN_EDX_FILTERS_CONFIG=Derived(lambda s: {CERT: ["ops.A"]}),
        MICROVET=Derived(lambda s: {"ISSUE_IN_BACKGROUND": False}),
    )
    plugin_settings(envs)
    assert all(isinstance(envs.__dict__[n], Derived) for n in ("LOCALE_PATHS", "OPEN_EDX_FILTERS_CONFIG", "MICROVET"))
    envs.PREPEND_LOCALE_PATHS = ["/themes/other"]  # changed after plugins ran: the platform's value wins
    derive_settings("lms_envs_lazy")
    assert envs.LOCALE_PATHS == ["/themes/other", "/openedx/conf/locale", str(LOCALE_DIR)]
    assert envs.OPEN_EDX_FILTERS_CONFIG[CERT]["pipeline"] == ["ops.A", OURS]
    assert envs.MICROVET["ISSUE_IN_BACKGROUND"] is False and envs.MICROVET["REVOKE_WITH_CERTIFICATE"] is False
    plugin_settings(envs)  # production settings run it again, on resolved values: nothing added twice
    assert envs.LOCALE_PATHS == ["/themes/other", "/openedx/conf/locale", str(LOCALE_DIR)]


def test_the_stand_in_is_not_iterable_like_the_platforms_derived():
    with pytest.raises(TypeError, match="not iterable"):
        list(Derived(lambda s: []))


def test_studio_settings_need_no_keys_and_add_no_lms_filter_steps(monkeypatch):
    envs = lazy_settings_module(
        "cms_envs_lazy",
        monkeypatch,
        LOCALE_PATHS=Derived(lambda s: ["/openedx/conf/locale"]),
        OPEN_EDX_FILTERS_CONFIG={},
    )
    studio_settings(envs)
    derive_settings("cms_envs_lazy")
    assert envs.LOCALE_PATHS == ["/openedx/conf/locale", str(LOCALE_DIR)]
    assert envs.MICROVET["SIGNS"] is False and "KEYS_DIR" not in envs.MICROVET
    assert envs.MICROVET["CELERY_QUEUE"] == "edx.lms.core.default"  # the LMS's workers sign
    assert envs.OPEN_EDX_FILTERS_CONFIG == {}


def test_key_checks_run_only_where_credentials_are_signed(settings):
    settings.MICROVET = {"BASE_URL": "https://studio.example.org", "SIGNS": False}
    assert check_configuration() == []
    settings.MICROVET = {"BASE_URL": "https://lms.example.org"}
    assert [e.id for e in check_configuration()] == ["microvet.E001"]


def test_test_settings_mirror_the_lms():
    config = platform_settings.OPEN_EDX_FILTERS_CONFIG[CERT]
    assert config["pipeline"] == [platform_settings.OPERATOR_STEP, OURS] and config["fail_silently"] is False


# ------------------------------------------------------------------------------------------ PLUGIN_APP


PLUGIN_CONFIGS = {"microvet": MicrovetConfig, "microvet_platform": MicrovetPlatformConfig}


@pytest.fixture
def registered_plugin():
    """The platform's plugin registry (entry points) answering with our AppConfigs, as after `pip install`."""
    with mock.patch.object(DjangoAppRegistry, "get_available_plugins", return_value=PLUGIN_CONFIGS):
        yield


@pytest.mark.parametrize("project_type", [LMS, CMS])
def test_the_installed_entry_points_make_both_apps_plugin_apps(project_type):
    """The real registry: edx-django-utils installs only AppConfigs with a ``plugin_app``; the models app
    must be one of them in the LMS and in Studio, or no evidence is ever recorded."""
    assert {
        "microcredential_xblock.platform.apps.MicrovetPlatformConfig",
        "microcredential_xblock.service.apps.MicrovetConfig",
    } <= set(get_plugin_apps(project_type))
    assert MicrovetPlatformConfig.name == "microcredential_xblock"  # so management/commands are found


def test_plugin_urls_mount_public_and_staff_views(registered_plugin, settings):
    (pattern,) = get_plugin_url_patterns(LMS)
    assert isinstance(pattern, URLResolver) and isinstance(pattern.pattern, RegexPattern)
    urlconf = ModuleType("lms_urls")  # like lms/urls.py: urlpatterns.extend(get_plugin_url_patterns(...))
    urlconf.urlpatterns = [pattern]
    settings.ROOT_URLCONF = urlconf
    assert reverse("microvet:jwks") == "/microvet/jwks.json"
    assert resolve("/microvet/staff/course-v1:A+B+C/").url_name == "staff_course"
    assert resolve("/microvet/credentials/00000000-0000-4000-8000-000000000000").url_name == "credential"


@pytest.mark.parametrize("settings_type", ["common", "production"])
def test_plugin_settings_are_applied_by_the_platform(registered_plugin, monkeypatch, settings_type):
    envs = lazy_settings_module("lms_envs", monkeypatch, OPEN_EDX_FILTERS_CONFIG={CERT: ["ops.A"]})
    add_plugins("lms_envs", LMS, settings_type)  # stands for lms/envs/common.py or production.py
    assert envs.OPEN_EDX_FILTERS_CONFIG[CERT]["pipeline"] == ["ops.A", OURS]
    assert envs.MICROVET["ISSUE_IN_BACKGROUND"] is True
    studio = lazy_settings_module("cms_envs", monkeypatch, LOCALE_PATHS=[])
    add_plugins("cms_envs", CMS, settings_type)
    assert studio.MICROVET["SIGNS"] is False and studio.LOCALE_PATHS == [str(LOCALE_DIR)]


@pytest.fixture
def disconnect_afterwards():
    """Leave no receiver connected for other test modules (they count queries per submission)."""
    yield
    for entry in PLUGIN_APP["signals_config"][LMS]["receivers"]:
        sender = import_string(entry["sender_path"]) if "sender_path" in entry else None
        import_string(entry["signal_path"]).disconnect(sender=sender, dispatch_uid=entry["dispatch_uid"])


def test_plugin_receivers_connect_once(registered_plugin, disconnect_afterwards):
    connect_plugin_receivers(LMS)
    connect_plugin_receivers(LMS)  # dispatch_uid: no duplicates when the platform connects again
    live = live_receivers(COURSE_PASSING_STATUS_UPDATED)
    assert live.count(receivers.on_course_passing_status_updated) == 1
    assert receivers.on_certificate_revoked in live_receivers(CERTIFICATE_REVOKED)
    assert receivers.on_credential_saved in live_receivers(post_save, IssuedCredential)


# ------------------------------------------------------------------------------------------ system check


def test_background_issuance_without_celery_app_is_an_error(settings, monkeypatch):
    settings.MICROVET = {**settings.MICROVET, "ISSUE_IN_BACKGROUND": True}
    monkeypatch.setattr(checks, "celery_app_name", lambda: None)
    (error,) = checks.check_background_issuance()
    assert error.id == "microvet.E101" and "ISSUE_IN_BACKGROUND" in error.msg
    monkeypatch.setattr(checks, "celery_app_name", lambda: "lms")
    assert checks.check_background_issuance() == []
    settings.MICROVET = {**settings.MICROVET, "ISSUE_IN_BACKGROUND": False}
    monkeypatch.setattr(checks, "celery_app_name", lambda: None)
    assert checks.check_background_issuance() == []


def test_celery_fallback_app_does_not_count(monkeypatch):
    import celery  # noqa: PLC0415

    fallback = celery.Celery(checks.CELERY_FALLBACK_APP, set_as_current=False)
    monkeypatch.setattr("celery.current_app", fallback)
    assert checks.celery_app_name() is None
    monkeypatch.setattr("celery.current_app", celery.Celery("lms", set_as_current=False))
    assert checks.celery_app_name() == "lms"


def test_installed_plugin_app_exposes_the_commands(settings):
    from django.core.management import get_commands  # noqa: PLC0415

    platform_app = "microcredential_xblock.platform.apps.MicrovetPlatformConfig"
    installed = [app for app in settings.INSTALLED_APPS if app != platform_app]
    with override_settings(INSTALLED_APPS=[*installed, platform_app]):
        commands = get_commands()
        assert {"microvet_issue_course", "microvet_revoke", "microvet_resign_status_lists"} <= set(commands)
        assert commands["microvet_revoke"] == "microcredential_xblock"


# ------------------------------------------------------------------------------------------ older releases


def test_a_release_without_the_tab_filter_or_the_ccx_event_says_so_once_each(monkeypatch, caplog):
    from openedx_events.learning import signals  # noqa: PLC0415
    from openedx_filters.learning import filters  # noqa: PLC0415

    monkeypatch.setattr(filters, "InstructorDashboardTabsRequested", object(), raising=False)
    monkeypatch.setattr(signals, "CCX_COURSE_PASSING_STATUS_UPDATED", object(), raising=False)
    assert checks.missing_platform_features() == []
    monkeypatch.delattr(filters, "InstructorDashboardTabsRequested")
    monkeypatch.delattr(signals, "CCX_COURSE_PASSING_STATUS_UPDATED")
    with caplog.at_level(logging.INFO, logger=checks.__name__):
        lines = checks.missing_platform_features()
    assert len(lines) == 2 and [r.getMessage() for r in caplog.records] == lines
    assert {r.levelno for r in caplog.records} == {logging.INFO}  # a supported release, not a fault
    assert "Issued credentials' tab" in lines[0] and "CCX" in lines[1]
    reported = [m for m in run_checks() if m.id == "microvet.I001"]
    assert [m.msg for m in reported] == lines and all(m.level == INFO for m in reported)
