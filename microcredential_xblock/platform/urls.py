"""The plugin's URLconf, mounted at ^microvet/ in the LMS (PLUGIN_APP url_config, namespace "microvet"):
the service's public URLs plus the course-staff pages."""

from django.urls import path

from microcredential_xblock.service import urls as service_urls

from . import staff

app_name = "microvet"

urlpatterns = [
    *service_urls.urlpatterns,
    path("staff/<str:course_key>/", staff.course_view, name="staff_course"),
    path("staff/<str:course_key>/action", staff.action_view, name="staff_action"),
    path("staff/<str:course_key>/credentials.csv", staff.export_view, name="staff_export"),
]
