"""The test URLs plus Django's admin, for the alliance admin tests."""

from django.contrib import admin
from django.urls import path

from tests.urls import urlpatterns as service_urlpatterns

urlpatterns = [path("admin/", admin.site.urls), *service_urlpatterns]
