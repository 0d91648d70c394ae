"""Stands for lms/urls.py: ``urlpatterns.extend(get_plugin_url_patterns(ProjectType.LMS))``."""

from edx_django_utils.plugins import get_plugin_url_patterns

urlpatterns = [*get_plugin_url_patterns("lms.djangoapp")]
