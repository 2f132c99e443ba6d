"""Test settings (pytest; pyproject.toml): the development settings. Tests that need production's
behaviour start a process with ``servicetorg.settings`` and no SERVICETORG_DEV
(tests/core/test_production.py)."""

from servicetorg.conf.dev import *  # noqa: F403

# Tests never reach Kartverket's address register: the search is off unless a test starts the local
# stand-in (the `geonorge` fixture, tests/geonorge.py) and points ADDRESS_SEARCH_URL at it.
ADDRESS_SEARCH_URL = ""
