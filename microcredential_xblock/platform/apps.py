"""The plugin's AppConfig for the LMS (entry point ``lms.djangoapp``), rooted at the package.

Why a second AppConfig next to ``service.apps.MicrovetConfig``: edx-django-utils resolves every
``plugin_app`` ``relative_path`` under ``AppConfig.name``, and Django finds management commands in
``<app path>/management/commands``. Rooting this config at ``microcredential_xblock`` reaches both
``platform/*`` and ``management/commands/*`` without touching the service app, which stays usable on
its own (demo, tests).
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
        # Importing registers the system checks and the Celery tasks: the LMS's Celery app
        # autodiscovers ``<app>.tasks`` only, and ours live in platform/tasks.py.
        from . import checks, tasks  # noqa: F401, PLC0415
