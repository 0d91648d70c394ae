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
if _DB == "mysql":
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.mysql", "NAME": "microvet", "USER": "root", "PASSWORD": "",
        "HOST": "127.0.0.1", "PORT": "3306", "OPTIONS": {"charset": "utf8mb4"},
        "TEST": {"NAME": "test_microvet", "CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
    }}
elif _DB == "postgresql":
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.postgresql", "NAME": "microvet", "USER": "postgres",
        "HOST": "127.0.0.1", "PORT": "5432", "TEST": {"NAME": "test_microvet"},
    }}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
