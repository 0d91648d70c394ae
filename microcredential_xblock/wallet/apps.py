"""A plugin app whose only job is to mount ``well_known_urls`` at the LMS root (``/.well-known/``).

OID4VCI 1.0 (section 12.2.2) and RFC 8414 put the metadata of the issuer ``<LMS>/microvet/oid4vci``
at ``<LMS>/.well-known/openid-credential-issuer/microvet/oid4vci`` (and ``oauth-authorization-server``),
outside the plugin's ``^microvet/`` mount; edx-django-utils mounts one URLconf per app, so this is a
second, model-free app (entry point ``lms.djangoapp`` ``microvet_wallet``).
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

PLUGIN_APP = {
    "url_config": {
        "lms.djangoapp": {
            "namespace": "microvet_well_known",
            "regex": r"^\.well-known/",
            "relative_path": "well_known_urls",
        }
    }
}


class WalletWellKnownConfig(AppConfig):
    name = "microcredential_xblock.wallet"
    label = "microvet_wallet"
    verbose_name = _("microVET credentials: wallet metadata at the site root")
    plugin_app = PLUGIN_APP
