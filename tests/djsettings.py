"""Django settings for the test suite (never name a settings module ``settings``: edx-opaque-keys owns it).

``MICROVET_TEST_DB`` selects the database: sqlite (default), mysql (MariaDB on 127.0.0.1:3306) or
postgresql (127.0.0.1:5432), so the storage tests run against what Open edX and the demo use.
"""

import os

SECRET_KEY = "tests-only-not-secret"  # noqa: S105
USE_TZ = True
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_DB = os.environ.get("MICROVET_TEST_DB", "sqlite")
#: Parallel runs on one server (several work trees) keep apart with MICROVET_TEST_DB_SUFFIX.
_TEST_DB_NAME = "test_microvet" + os.environ.get("MICROVET_TEST_DB_SUFFIX", "")
if _DB == "mysql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": "microvet",
            "USER": "root",
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": "3306",
            "OPTIONS": {"charset": "utf8mb4"},
            "TEST": {"NAME": _TEST_DB_NAME, "CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }
    }
elif _DB == "postgresql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "microvet",
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": "5432",
            "TEST": {"NAME": _TEST_DB_NAME},
        }
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

# ----------------------------------------------------------------------------------- microVET service
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from badge_issuer.keys import generate_issuer  # noqa: E402

INSTALLED_APPS += ["microcredential_xblock.service"]
ROOT_URLCONF = "tests.urls"
STATIC_URL = "/static/"  # the live server (tests/test_oid4vci_interop.py) wraps static files
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
#: Throw-away test keys (did:web, so the DID document view has something to serve), made once per run:
#: processes the tests start (workers, servers) inherit the folder through the environment, so one
#: killed by SIGKILL leaves no folder of private keys behind; the process that made it removes it.
_INHERITED_KEYS = os.environ.get("MICROVET_TEST_KEYS_DIR")
if _INHERITED_KEYS:
    _KEYS_DIR = Path(_INHERITED_KEYS)
else:
    _KEYS_DIR = Path(tempfile.mkdtemp(prefix="microvet-test-keys-"))
    atexit.register(shutil.rmtree, _KEYS_DIR, ignore_errors=True)
    generate_issuer(
        _KEYS_DIR / "default",
        did="web",
        domain="lms.example.org",
        path="microvet",
        profile={"name": "Aurora VET", "url": "https://aurora-vet.example.it", "country": "IT"},
    )
    os.environ["MICROVET_TEST_KEYS_DIR"] = str(_KEYS_DIR)
#: Suspension lists, so the service tests can suspend and reinstate; the default (revocation lists)
#: is tested in tests/test_status.py.
MICROVET = {
    "BASE_URL": "https://lms.example.org",
    "KEYS_DIR": str(_KEYS_DIR),
    "ASSETS_DIR": str(_KEYS_DIR / "assets"),  # uploaded badge images outside Open edX (compat.save_course_asset)
    "FORMATS": ["di", "jwt"],
    "STATUS_PURPOSE": "suspension",
}

if _DB == "sqlite":
    # A file, not memory: the concurrency test opens one connection per thread. IMMEDIATE makes
    # every transaction take the write lock up front, so SQLite queues writers instead of failing.
    import django

    # transaction_mode exists from Django 5.1; the Teak release environment (Django 4.2) queues on the timeout.
    immediate = {"transaction_mode": "IMMEDIATE"} if django.VERSION >= (5, 1) else {}
    DATABASES["default"].update(OPTIONS={**immediate, "timeout": 60}, TEST={"NAME": str(_KEYS_DIR / "test.sqlite3")})
