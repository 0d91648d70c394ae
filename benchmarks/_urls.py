"""URLconf of the service benchmarks: the service's public URLs where the plugin mounts them."""

from django.urls import include, path

urlpatterns = [path("microvet/", include("microcredential_xblock.service.urls"))]
