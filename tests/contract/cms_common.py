"""Stands for cms/envs/common.py, which imports settings from the LMS's (running its plugin settings too)."""

from tests.platform_standins import defuse_xml_libs

defuse_xml_libs()

from edx_django_utils.plugins import add_plugins  # noqa: E402

from tests.contract.common import settings  # noqa: E402
from tests.contract.lms_common import LMS_ROOT_URL  # noqa: E402, F401  (as cms/envs/common.py does)

globals().update(settings("cms.djangoapp", "tests.contract.cms_urls"))
add_plugins(__name__, "cms.djangoapp", "common")
