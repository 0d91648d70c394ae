"""Management commands of the Open edX integration (found because the plugin's AppConfig,
platform.apps.MicrovetPlatformConfig, is rooted at the ``microcredential_xblock`` package)."""
