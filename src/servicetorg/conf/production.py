"""Production settings: what a municipality runs. Fails closed — it refuses to start without its keys,
with the development key or a weak one, or without PORTAL_BASE_URL (docs/operations.md)."""

from django.core.exceptions import ImproperlyConfigured

from servicetorg.conf.base import *  # noqa: F403
from servicetorg.conf.base import DEV_SECRET_KEY, derive, env_bool

DEV = False  # whatever SERVICETORG_DEV says: this module is production
DEBUG = env_bool("DEBUG", False)

if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured(
        "SECRET_KEY must be set (50+ random characters); for development set SERVICETORG_DEV=1."
    )
if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:  # noqa: F405
    raise ImproperlyConfigured(
        "SECRET_KEY is the development key or too weak: production needs 50+ random characters "
        "(deploy/generate-secrets prints one)."
    )
if not FIELD_ENCRYPTION_KEYS or not NATIONAL_ID_HASH_KEY:  # noqa: F405
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS (Fernet keys) and NATIONAL_ID_HASH_KEY (32+ random characters) must be "
        "set; for development set SERVICETORG_DEV=1."
    )
if not PORTAL_BASE_URL:  # noqa: F405
    raise ImproperlyConfigured(
        "PORTAL_BASE_URL must be set (e.g. https://servicetorg.fjordvik.kommune.no): case links in "
        "e-mails and SMS point there. For development set SERVICETORG_DEV=1."
    )

if CITIZEN_OIDC_ISSUER:  # noqa: F405
    from urllib.parse import urlparse

    _idp = urlparse(CITIZEN_OIDC_ISSUER)  # noqa: F405
    if _idp.scheme != "https" or _idp.hostname in ("localhost", "127.0.0.1", "::1") or not _idp.hostname:
        raise ImproperlyConfigured(
            "CITIZEN_OIDC_ISSUER must be ID-porten over https (https://idporten.no, or "
            "https://test.idporten.no for its test environment): production refuses the local test "
            "provider. For development set SERVICETORG_DEV=1."
        )
    if not (CITIZEN_OIDC_CLIENT_ID and CITIZEN_OIDC_CLIENT_SECRET):  # noqa: F405
        raise ImproperlyConfigured(
            "CITIZEN_OIDC_CLIENT_ID and CITIZEN_OIDC_CLIENT_SECRET must be set with CITIZEN_OIDC_ISSUER "
            "(the client registered in ID-porten's self-service, docs/operations.md)."
        )

derive(globals())
