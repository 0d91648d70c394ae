"""Stands for ``lms/celery.py`` and ``cms/celery.py``: the project's Celery app, current, configured from
Django settings. Tasks run eagerly here (no broker in these tests); tests/test_celery.py runs a real worker."""

from celery import Celery


def project_app(name: str) -> Celery:
    app = Celery(name)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.set_current()
    return app
