"""Public, login-free URLs; mounted at /microvet/ by the plugin and the demo (namespace "microvet")."""

from django.urls import path

from ..wallet.urls import urlpatterns as wallet_urlpatterns
from . import alliance_views, views

app_name = "microvet"

urlpatterns = [
    path("credentials/<uuid:uid>", views.credential, name="credential"),
    path("credentials/<uuid:uid>.jwt", views.credential_jwt, name="credential_jwt"),
    path("credentials/<uuid:uid>/verify", views.verify_page, name="verify"),
    path("credentials/<uuid:uid>/badge.png", views.badge_png, name="badge_png"),
    path("credentials/<uuid:uid>/badge.svg", views.badge_svg, name="badge_svg"),
    path("credentials/<uuid:uid>/elm", views.elm, name="elm"),
    path("issuer", views.issuer, name="issuer"),
    # did:web:<host>:microvet resolves to /microvet/did.json; a bare did:web:<host> to /.well-known/did.json.
    path("did.json", views.did_document, name="did"),
    path(".well-known/did.json", views.did_document, name="did_well_known"),
    path("jwks.json", views.jwks, name="jwks"),
    path("status/<str:list_id>", views.status_list, name="status"),
    *wallet_urlpatterns,  # OID4VCI and the LCW exchange at oid4vci/ (docs/decisions/0015)
    path("alliance/", alliance_views.directory, name="alliance"),
    path("alliance/members.json", alliance_views.directory_json, name="alliance_json"),
    path("alliance/members/<int:pk>/logo.png", alliance_views.logo, name="alliance_logo"),
    path("alliance/impact/", alliance_views.alliance_impact, name="alliance_impact"),
    path("alliance/impact/<str:course_key>/", alliance_views.course_impact, name="course_impact"),
]
