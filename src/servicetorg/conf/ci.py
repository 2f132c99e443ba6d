"""Test settings (pytest; pyproject.toml): the development settings. Tests that need production's
behaviour start a process with ``servicetorg.settings`` and no SERVICETORG_DEV
(tests/core/test_production.py)."""

from servicetorg.conf.dev import *  # noqa: F403

# Tests never reach Kartverket's address register: the search is off unless a test starts the local
# stand-in (the `geonorge` fixture, tests/geonorge.py) and points ADDRESS_SEARCH_URL at it.
ADDRESS_SEARCH_URL = ""

# Tests hash passwords with MD5: the suite makes some 800 users, and PBKDF2's million rounds took
# 0.46 s a hash on the 2-core machine — most of the suite's time (issue 19, "A fast inner loop").
# Never outside tests: dev and production keep Django's hashers. The tests of real hashing ask for
# production's list with the `production_hashers` fixture (tests/conftest.py).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# National data (official statistics, KOSTRA groupings) is kept by the operators only, as in a
# production installation that names no steward; tests of a steward set the list themselves.
NATIONAL_DATA_STEWARDS: list[str] = []
