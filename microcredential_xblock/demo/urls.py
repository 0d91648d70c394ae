"""The workbench's URLs plus the service's public credential URLs at /microvet/ (as in the LMS plugin)."""

from django.urls import include, path
from workbench.urls import urlpatterns as workbench_urls

urlpatterns = [
    path("microvet/", include("microcredential_xblock.service.urls")),
    path(".well-known/", include("microcredential_xblock.wallet.well_known_urls")),
    *workbench_urls,
]
