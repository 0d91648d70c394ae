"""App configuration: registers the system checks when Django starts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MicrovetConfig(AppConfig):
    name = "microcredential_xblock.service"
    label = "microvet"
    verbose_name = _("microVET credentials")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401, PLC0415  (importing registers the checks; models must be ready)
