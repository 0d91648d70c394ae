"""Wallet URLs, added to the service's (so mounted at /microvet/oid4vci/ in the LMS and the demo)."""

from django.urls import path

from . import views

urlpatterns = [
    # The Credential Issuer Identifier itself; the metadata below it is for wallets that append
    # /.well-known/... to the identifier (drafts); OID4VCI 1.0 inserts it at the root (well_known_urls).
    path("oid4vci", views.issuer_metadata, name="oid4vci_issuer"),
    path("oid4vci/.well-known/openid-credential-issuer", views.issuer_metadata, name="oid4vci_metadata"),
    path(
        "oid4vci/.well-known/oauth-authorization-server",
        views.authorization_server_metadata,
        name="oid4vci_as_metadata",
    ),
    path("oid4vci/offers/<str:reference>", views.offer, name="oid4vci_offer"),
    path("oid4vci/token", views.token, name="oid4vci_token"),
    path("oid4vci/nonce", views.nonce, name="oid4vci_nonce"),
    path("oid4vci/credential", views.credential, name="oid4vci_credential"),
    path("oid4vci/logos/<str:slug>.png", views.logo, name="oid4vci_logo"),
    path("oid4vci/exchanges/<str:reference>", views.exchange, name="oid4vci_exchange"),
]
