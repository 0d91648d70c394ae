"""The LMS mounts the wallet metadata at its root through the second plugin app (edx-django-utils)."""

from __future__ import annotations

from types import ModuleType
from unittest import mock

import pytest
from django.urls import Resolver404, resolve
from edx_django_utils.plugins import get_plugin_url_patterns
from edx_django_utils.plugins.registry import DjangoAppRegistry

from microcredential_xblock.platform.apps import MicrovetPlatformConfig
from microcredential_xblock.platform.plugin_settings import LMS
from microcredential_xblock.wallet.apps import WalletWellKnownConfig

pytestmark = pytest.mark.django_db


@pytest.fixture
def lms_urls(settings):
    apps = {"microvet_platform": MicrovetPlatformConfig, "microvet_wallet": WalletWellKnownConfig}
    with mock.patch.object(DjangoAppRegistry, "get_available_plugins", return_value=apps):
        urlconf = ModuleType("lms_urls")  # like lms/urls.py: urlpatterns.extend(get_plugin_url_patterns(...))
        urlconf.urlpatterns = get_plugin_url_patterns(LMS)
    settings.ROOT_URLCONF = urlconf
    return urlconf


def test_root_well_known_urls_are_mounted_in_the_lms(lms_urls, client):
    assert len(lms_urls.urlpatterns) == 2
    assert resolve("/.well-known/openid-credential-issuer/microvet/oid4vci").url_name == "oid4vci_metadata"
    assert resolve("/microvet/oid4vci/token").url_name == "oid4vci_token"
    body = client.get("/.well-known/openid-credential-issuer/microvet/oid4vci").json()
    assert body["credential_issuer"] == "https://lms.example.org/microvet/oid4vci"
    as_metadata = client.get("/.well-known/oauth-authorization-server/microvet/oid4vci").json()
    assert as_metadata["token_endpoint"].endswith("/microvet/oid4vci/token")


def test_other_well_known_paths_fall_through(lms_urls):
    with pytest.raises(Resolver404):
        resolve("/.well-known/openid-configuration")
