"""App configuration of the service (models, label ``microvet``): registers the system checks when Django starts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MicrovetConfig(AppConfig):
    name = "microcredential_xblock.service"
    label = "microvet"
    verbose_name = _("microVET credentials")
    default_auto_field = "django.db.models.BigAutoField"
    #: edx-django-utils' ``get_plugin_apps()`` installs only AppConfigs with a ``plugin_app``: this one
    #: has nothing to configure (urls, settings and signals are ``platform.apps.MicrovetPlatformConfig``'s),
    #: but the LMS and Studio must install it, or no evidence is ever recorded.
    plugin_app: dict = {}

    def ready(self) -> None:
        from . import checks  # noqa: F401, PLC0415  (importing registers the checks; models must be ready)
