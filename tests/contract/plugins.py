"""Stands for ``openedx.core.djangoapps.plugins``: connects the plugins' receivers when Django is ready,
for the project its ROOT_URLCONF names (as the platform's PluginsConfig.ready does)."""

from django.apps import AppConfig
from django.conf import settings
from edx_django_utils.plugins import connect_plugin_receivers


class PluginsConfig(AppConfig):
    name = "tests.contract"
    label = "platform_plugins"

    def ready(self) -> None:
        connect_plugin_receivers("lms.djangoapp" if settings.ROOT_URLCONF.endswith("lms_urls") else "cms.djangoapp")
