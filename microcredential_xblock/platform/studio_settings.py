"""Studio's plugin settings module (PLUGIN_APP ``settings_config`` for ``cms.djangoapp``): edx-django-utils
calls ``plugin_settings(settings)`` of the module it names, one module per project type."""

from .plugin_settings import studio_settings as plugin_settings

__all__ = ["plugin_settings"]
