"""The platform contract (tests/contract): an LMS and a Studio built only by edx-django-utils' plugin
machinery from our entry points, each in its own pytest process (its own settings module, INSTALLED_APPS
from ``get_plugin_apps``, ``lxml.etree`` replaced before anything imports it)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.parametrize("project", ["lms", "cms"])
def test_platform_contract(project):
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--ds=tests.contract.{project}_production",
        f"tests/contract/{project}_contract.py",
    ]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
    assert run.returncode == 0, f"{' '.join(command)}\n{run.stdout[-6000:]}\n{run.stderr[-3000:]}"
