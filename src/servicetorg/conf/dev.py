"""Development settings (`make run`, SERVICETORG_DEV=1): DEBUG on, fixed development keys, MFA off,
e-mail to the console, case links to 127.0.0.1. Never for a real installation: production.py refuses
the development key."""

from servicetorg.conf.base import *  # noqa: F403
from servicetorg.conf.base import DEV_SECRET_KEY, derive, env_bool

DEV = True
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY  # noqa: F405
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or ["ZGV2LW9ubHktaW5zZWN1cmUtZmllbGQta2V5LTMyYnk="]  # noqa: F405
NATIONAL_ID_HASH_KEY = NATIONAL_ID_HASH_KEY or "dev-only-insecure-national-id-hash-key"  # noqa: F405
PORTAL_BASE_URL = PORTAL_BASE_URL or "http://127.0.0.1:8000"  # noqa: F405

# The local test identity provider that `make run` starts (python -m servicetorg.testidp) stands in
# for ID-porten; it signs in synthetic numbers only.
CITIZEN_OIDC_ISSUER = CITIZEN_OIDC_ISSUER or "http://127.0.0.1:9400"  # noqa: F405
CITIZEN_OIDC_CLIENT_ID = CITIZEN_OIDC_CLIENT_ID or "servicetorg-dev"  # noqa: F405
CITIZEN_OIDC_CLIENT_SECRET = CITIZEN_OIDC_CLIENT_SECRET or "dev-only-client-secret"  # noqa: F405
ACCEPT_SYNTHETIC_NATIONAL_IDS = True
# The demo's Fjordvik (3999) hosts the installation: its administration keeps the national data.
NATIONAL_DATA_STEWARDS = NATIONAL_DATA_STEWARDS or ["3999"]  # noqa: F405

derive(globals())
