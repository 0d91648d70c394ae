"""Workbench settings for the demo (not named ``settings``: edx-opaque-keys owns a top-level ``settings``).

Paths come from ``MICROVET_DEMO_VAR`` (absolute; set by ``python -m microcredential_xblock.demo``) so the
server never depends on the working directory, and the port from ``MICROVET_DEMO_PORT`` so the
credentials' absolute URLs point at this server.
"""

import os
from pathlib import Path

from django.core.servers.basehttp import WSGIServer
from workbench.settings import *  # noqa: F403 - the stock workbench, adjusted below
from workbench.settings import INSTALLED_APPS, MIDDLEWARE, TEMPLATES, WORKBENCH

from badge_issuer.i18n import LANGUAGES as PACKAGE_LANGUAGES

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "microcredential_xblock"
VAR = Path(os.environ.get("MICROVET_DEMO_VAR", str(REPO / "var"))).resolve()
PORT = int(os.environ.get("MICROVET_DEMO_PORT", "8000"))

DEBUG = os.environ.get("MICROVET_DEMO_DEBUG", "") == "1"  # no tracebacks for visitors by default
SECRET_KEY = os.environ.get("MICROVET_DEMO_SECRET", "demo-only-not-secret")
#: runserver answers each request in its own thread: IMMEDIATE takes SQLite's write lock when a
#: transaction begins, so concurrent submissions queue (up to ``timeout`` seconds) instead of failing
#: with "database is locked" when a reader tries to upgrade to a writer; WAL lets pages read meanwhile.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR / "workbench.db"),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
}
# runserver listens with a backlog of 10 connections: a class of learners arriving at once got
# "connection reset" before Django saw them. The demo's server is runserver, so it is raised here.
WSGIServer.request_queue_size = 256
INSTALLED_APPS = [*INSTALLED_APPS, "microcredential_xblock.service"]
ROOT_URLCONF = "microcredential_xblock.demo.urls"
# The demo's scenario page (demo/urls.py) comes first.
TEMPLATES = [{**TEMPLATES[0], "DIRS": [str(PACKAGE / "demo" / "templates"), *TEMPLATES[0]["DIRS"]]}, *TEMPLATES[1:]]
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware"), "django.middleware.locale.LocaleMiddleware"
)
LANGUAGE_CODE = "en"
LANGUAGES = list(PACKAGE_LANGUAGES)
LOCALE_PATHS = [str(PACKAGE / "conf" / "locale")]
TIME_ZONE = "UTC"
DJFS = {"type": "osfs", "directory_root": str(VAR / "djpyfs"), "url_root": "/static/djpyfs"}
# Only this package's scenarios on the index page (the sample blocks stay loadable: the demo uses two).
EXCLUDED_XBLOCKS = {
    "allscopes_demo",
    "attempts_scoreboard_demo",
    "equality_demo",
    "filethumbs",
    "helloworld_demo",
    "html_demo",
    "problem_demo",
    "sidebar_demo",
    "slider_demo",
    "textinput_demo",
    "thumbs",
    "view_counter_demo",
    "debugchild",
    "sequence_demo",
    "vertical_demo",
}
WORKBENCH = {**WORKBENCH, "reset_state_on_restart": False}

MICROVET = {
    "BASE_URL": f"http://127.0.0.1:{PORT}",
    "KEYS_DIR": str(VAR / "keys"),
    "ASSETS_DIR": str(VAR / "assets"),  # the workbench's course files: uploaded badge images (ADR 0017)
    "FORMATS": ["di", "jwt"],
    "ISSUE_IN_BACKGROUND": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "logfile": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(VAR / "workbench.log"),
            "maxBytes": 1_000_000,
            "backupCount": 2,
            "formatter": "plain",
        },
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "loggers": {
        "django": {"handlers": ["logfile"], "level": "INFO"},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Grade and completion events, which the stock workbench only logs without a handler.
        "workbench.runtime": {"handlers": ["logfile"], "level": "INFO"},
        "microcredential_xblock": {"handlers": ["logfile", "console"], "level": "INFO"},
    },
}
