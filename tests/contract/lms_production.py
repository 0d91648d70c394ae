"""Stands for lms/envs/production.py: common settings, the operator's configuration, ``derive_settings``,
then the plugins' production settings."""

from edx_django_utils.plugins import add_plugins

from badge_issuer.keystore import generate_issuer
from tests.contract.celery import project_app
from tests.contract.common import WORK
from tests.contract.lms_common import *  # noqa: F403
from tests.platform_standins import derive_settings

generate_issuer(
    WORK / "keys", did="web", domain="lms.example.org", path="microvet", profile={"name": "Aurora VET", "country": "IT"}
)
#: The operator's YAML (LMS_CFG) sets MICROVET whole: the plugin's defaults must come back in production.
MICROVET = {"KEYS_DIR": str(WORK / "keys"), "CELERY_QUEUE": "microvet"}
CELERY_TASK_ALWAYS_EAGER = True
celery_app = project_app("lms")  # lms/__init__.py imports lms/celery.py

derive_settings(__name__)
add_plugins(__name__, "lms.djangoapp", "production")
