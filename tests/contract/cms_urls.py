"""Stands for cms/urls.py: ``urlpatterns.extend(get_plugin_url_patterns(ProjectType.CMS))``."""

from edx_django_utils.plugins import get_plugin_url_patterns

urlpatterns = [*get_plugin_url_patterns("cms.djangoapp")]
