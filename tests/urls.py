"""URLconf of the test suite: the service's public URLs where the plugin mounts them, and the
root ``.well-known`` URLs of the wallet issuer (OID4VCI 1.0 metadata)."""

from django.urls import include, path

urlpatterns = [
    path("microvet/", include("microcredential_xblock.service.urls")),
    path(".well-known/", include("microcredential_xblock.wallet.well_known_urls")),
]
