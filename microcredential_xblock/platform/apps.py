"""The plugin's AppConfig for the LMS and Studio (entry points ``lms.djangoapp`` and ``cms.djangoapp``),
rooted at the package.

Why a second AppConfig next to ``service.apps.MicrovetConfig`` (the models, label ``microvet``, also a
plugin app): edx-django-utils resolves every ``plugin_app`` ``relative_path`` under ``AppConfig.name``, and
Django finds management commands in ``<app path>/management/commands``. Rooting this config at
``microcredential_xblock`` reaches ``platform/*`` and ``management/commands/*``; the models stay in the
service app (Django gives a model to the installed app with the longest matching name), whose
migrations keep their label.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .plugin_settings import PLUGIN_APP


class MicrovetPlatformConfig(AppConfig):
    name = "microcredential_xblock"
    label = "microvet_platform"
    verbose_name = _("microVET credentials: Open edX integration")
    plugin_app = PLUGIN_APP

    def ready(self) -> None:
        # Importing registers the system checks and the Celery tasks: the platform's Celery apps
        # autodiscover ``<app>.tasks`` only, and ours live in platform/tasks.py.
        from . import checks, tasks  # noqa: F401, PLC0415

        checks.missing_platform_features()
