"""Stands for cms/envs/production.py. Studio gets no issuer keys: it never signs."""

from edx_django_utils.plugins import add_plugins

from tests.contract.celery import project_app
from tests.contract.cms_common import *  # noqa: F403
from tests.platform_standins import derive_settings

CELERY_TASK_ALWAYS_EAGER = True
celery_app = project_app("cms")  # cms/__init__.py imports cms/celery.py

derive_settings(__name__)
add_plugins(__name__, "cms.djangoapp", "production")
