"""Test settings (pytest; pyproject.toml): the development settings. Tests that need production's
behaviour start a process with ``servicetorg.settings`` and no SERVICETORG_DEV
(tests/core/test_production.py)."""

from servicetorg.conf.dev import *  # noqa: F403
