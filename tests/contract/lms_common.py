"""Stands for lms/envs/common.py: settings, then the plugins' apps and common settings."""

from tests.platform_standins import defuse_xml_libs

defuse_xml_libs()  # what the platform's manage.py, wsgi and celery entry points do before anything else

from edx_django_utils.plugins import add_plugins  # noqa: E402

from tests.contract.common import settings  # noqa: E402

globals().update(settings("lms.djangoapp", "tests.contract.lms_urls"))
add_plugins(__name__, "lms.djangoapp", "common")
