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

from badge_issuer.keystore import generate_issuer  # noqa: E402

#: The environment variable naming the run's temp folder (``RUN_DIR``) to the processes a run starts.
RUN_DIR_VARIABLE = "MICROVET_TEST_RUN_DIR"
#: In the run's folder: the process id of the run that made it (another run's live folder is not a leftover).
RUN_OWNER_FILE = "owner.pid"

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
#: Everything a test run writes to the temp dir goes into one folder of this run: the process that makes
#: it points ``TMPDIR`` there (pytest's ``tmp_path``, and the workers, servers and tools it starts, which
#: inherit it through the environment, so one killed by SIGKILL leaves nothing outside it) and removes it
#: at the end; tests/conftest.py then checks that no key material was left in the system's temp dir.
#: In it, throw-away test keys (did:web, so the DID document view has something to serve).
OWNS_RUN_DIR = not os.environ.get(RUN_DIR_VARIABLE)
if OWNS_RUN_DIR:
    SYSTEM_TEMP_DIR = Path(tempfile.gettempdir())
    SYSTEM_TEMP_BEFORE = frozenset(entry.name for entry in SYSTEM_TEMP_DIR.iterdir())
    RUN_DIR = Path(tempfile.mkdtemp(prefix="microvet-test-run-"))
    (RUN_DIR / RUN_OWNER_FILE).write_text(str(os.getpid()), encoding="ascii")
    atexit.register(shutil.rmtree, RUN_DIR, ignore_errors=True)
    os.environ[RUN_DIR_VARIABLE] = str(RUN_DIR)
    os.environ["TMPDIR"] = tempfile.tempdir = str(RUN_DIR)
    generate_issuer(
        RUN_DIR / "keys" / "default",
        did="web",
        domain="lms.example.org",
        path="microvet",
        profile={"name": "Aurora VET", "url": "https://aurora-vet.example.it", "country": "IT"},
    )
else:
    RUN_DIR = Path(os.environ[RUN_DIR_VARIABLE])
_KEYS_DIR = RUN_DIR / "keys"
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
