"""Test settings that mirror the LMS for in-process tests: our plugin app installed, ``plugin_settings``
applied over an operator's own filter configuration, Open edX events enabled, Celery configured for Redis.
The apps are listed by hand here for speed; tests/contract builds the same from the entry points with
edx-django-utils alone, which is what proves the platform installs them.

In-process tests apply these values with ``override_settings`` (tests/test_platform_*.py), so they
also run under the default tests.djsettings; the Celery worker subprocess runs with
``DJANGO_SETTINGS_MODULE=tests.platform_settings`` and the database and keys the test process
passes in ``MICROVET_WORKER_DB`` / ``MICROVET_WORKER_KEYS`` (both processes must see the same rows).
"""

import os
import sys
import time
from pathlib import Path

from celery import Celery

from microcredential_xblock.platform.plugin_settings import plugin_settings
from tests.djsettings import *  # noqa: F403
from tests.djsettings import DATABASES, INSTALLED_APPS, MICROVET

INSTALLED_APPS = [*INSTALLED_APPS, "microcredential_xblock.platform.apps.MicrovetPlatformConfig"]
ROOT_URLCONF = "tests.platform_settings"
LMS_ROOT_URL = "https://lms.example.org"
#: What an operator configured before our plugin ran: it must survive plugin_settings.
OPERATOR_STEP = "tests.test_platform_filters.OperatorCertificateStep"
OPEN_EDX_FILTERS_CONFIG = {
    "org.openedx.learning.certificate.render.started.v1": {"fail_silently": False, "pipeline": [OPERATOR_STEP]},
}
MICROVET = {**MICROVET, "ISSUE_IN_BACKGROUND": False}
plugin_settings(sys.modules[__name__])
# Open edX events are enabled unless disabled; the event tests enable the ones they send explicitly.

# ----------------------------------------------------------------------------------- Celery (the LMS uses Redis)
CELERY_BROKER_URL = os.environ.get("MICROVET_TEST_BROKER", "redis://127.0.0.1:6379/11")
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("MICROVET_TEST_QUEUE", "microvet-tests")
#: A killed worker's unacknowledged message comes back after ``visibility_timeout`` seconds (Redis
#: transport), found by a sweep every second (the defaults: one hour, swept about every 100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 4,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

if os.environ.get("MICROVET_WORKER_DB"):  # the worker subprocess: the test process's database and keys
    DATABASES["default"]["NAME"] = os.environ["MICROVET_WORKER_DB"]
    MICROVET = {**MICROVET, "KEYS_DIR": os.environ["MICROVET_WORKER_KEYS"], "ISSUE_IN_BACKGROUND": True}

#: Not the current app in the test process (the worker makes it current): in-process tests see no Celery app
app = Celery("microvet_tests", set_as_current=False)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["microcredential_xblock.platform"])


def _test_hooks(**_kwargs) -> None:
    """Worker-only fault injection, switched on by files the test creates:
    ``fail-once`` makes the next issuance fail (retry path); ``slow`` holds the issuing
    transaction open after touching ``inside`` so the test can SIGKILL the worker mid-task."""
    from django.db import OperationalError  # noqa: PLC0415
    from django.db.models.signals import pre_save  # noqa: PLC0415

    from microcredential_xblock.service.models import IssuedCredential  # noqa: PLC0415

    control = Path(os.environ["MICROVET_WORKER_CONTROL"])

    def hook(sender, instance, **kwargs) -> None:
        if instance.pk is not None:
            return
        if (control / "fail-once").exists():
            (control / "fail-once").unlink()
            raise OperationalError("injected failure (fail-once)")
        if (control / "slow").exists():
            (control / "inside").touch()
            time.sleep(60)

    pre_save.connect(hook, sender=IssuedCredential, weak=False, dispatch_uid="microvet-test-hook")


if os.environ.get("MICROVET_WORKER_CONTROL"):
    from celery.signals import worker_process_init, worker_ready

    worker_ready.connect(_test_hooks, weak=False)
    worker_process_init.connect(_test_hooks, weak=False)


def __getattr__(name: str):
    """This module is also the URLconf (PEP 562: built when Django first resolves a URL), mounting
    the plugin's URLs where the LMS mounts them."""
    if name != "urlpatterns":
        raise AttributeError(name)
    from django.urls import include, re_path  # noqa: PLC0415

    return [re_path(r"^microvet/", include("microcredential_xblock.platform.urls", namespace="microvet"))]
