"""Root ``/.well-known/`` URLs for OID4VCI 1.0 (section 12.2.2) and RFC 8414 (section 3.1).

For the issuer ``https://lms/microvet/oid4vci`` wallets read
``https://lms/.well-known/openid-credential-issuer/microvet/oid4vci`` and
``https://lms/.well-known/oauth-authorization-server/microvet/oid4vci``: these must be mounted at
the site root, outside /microvet/. The LMS gets them from ``wallet.apps.WalletWellKnownConfig``
(a plugin app whose only job is this URLconf); the demo and the tests include this module at
``.well-known/``.
"""

from django.urls import path

from . import views

app_name = "microvet_well_known"

urlpatterns = [
    path("openid-credential-issuer/<path:issuer_path>", views.issuer_metadata_root, name="oid4vci_metadata"),
    path(
        "oauth-authorization-server/<path:issuer_path>",
        views.authorization_server_metadata_root,
        name="oid4vci_as_metadata",
    ),
]
