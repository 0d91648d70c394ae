"""What the platform's settings modules share before plugins run: Django's own apps and settings, the
plugin apps from the entry points, and values that are lazily derived (``Derived``) as in edx-platform."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from edx_django_utils.plugins import get_plugin_apps

from tests.platform_standins import Derived

WORK = Path(tempfile.mkdtemp(prefix="microvet-contract-"))
atexit.register(shutil.rmtree, WORK, ignore_errors=True)
PLATFORM_LOCALE = str(WORK / "platform-locale")  # the platform's own catalogs (conf/locale)


def settings(project_type: str, urlconf: str) -> dict:
    """Module-level settings of ``<project>/envs/common.py`` (``globals().update(...)``)."""
    return {
        "SECRET_KEY": "contract-tests-only",
        "DEBUG": False,
        "USE_TZ": True,
        "ALLOWED_HOSTS": ["*"],
        "LANGUAGE_CODE": "en",
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "ROOT_URLCONF": urlconf,
        "LMS_ROOT_URL": "https://lms.example.org",
        "DATABASES": {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(WORK / "db.sqlite3"),
                "TEST": {"NAME": str(WORK / f"test-{project_type.split('.', maxsplit=1)[0]}.sqlite3")},
            }
        },
        "INSTALLED_APPS": [
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "tests.contract.plugins.PluginsConfig",  # stands for openedx.core.djangoapps.plugins
            # As the platform: INSTALLED_APPS.extend(get_plugin_apps(ProjectType.LMS / CMS))
            *get_plugin_apps(project_type),
        ],
        "MIDDLEWARE": [
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ],
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
            }
        ],
        # Lazily derived, as in lms/envs/common.py and cms/envs/common.py (``_make_locale_paths``).
        "PREPEND_LOCALE_PATHS": [],
        "LOCALE_PATHS": Derived(lambda s: [*s.PREPEND_LOCALE_PATHS, PLATFORM_LOCALE]),
        "HELP_TOKENS_LANGUAGE_CODE": Derived(lambda s: s.LANGUAGE_CODE),
        # An operator's own filter step, in a lazily derived value: plugin_settings must keep it.
        "OPEN_EDX_FILTERS_CONFIG": Derived(
            lambda s: {"org.openedx.learning.certificate.render.started.v1": {"pipeline": ["ops.Step"]}}
        ),
    }
