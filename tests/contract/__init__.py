"""Platform contract tests: our package in an LMS and a Studio configured only by the platform's own
plugin machinery (edx-django-utils from PyPI), with settings that are lazily derived like the platform's
and ``lxml.etree`` replaced like the platform replaces it. Nothing of ours is listed by hand.

They run in their own pytest processes (``tests/test_platform_contract.py`` starts them), one per
project type: ``pytest --ds tests.contract.lms_production tests/contract/lms_contract.py`` and the same
with ``cms``. The modules stand for the platform's files: ``<project>_common`` for
``<project>/envs/common.py``, ``<project>_production`` for ``production.py``, ``<project>_urls`` for
``<project>/urls.py``, ``plugins`` for ``openedx.core.djangoapps.plugins``, ``celery`` for ``lms/celery.py``.
"""
