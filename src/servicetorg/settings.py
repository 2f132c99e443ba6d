"""The settings entry point (DJANGO_SETTINGS_MODULE of manage.py, wsgi, asgi and Celery).

Fails closed: the production settings (``servicetorg.conf.production``) unless ``SERVICETORG_DEV=1``
asks for development (``servicetorg.conf.dev``). A deployment may name ``servicetorg.conf.production``
directly; then SERVICETORG_DEV changes nothing.
"""

import os

if os.environ.get("SERVICETORG_DEV", "").strip().lower() in {"1", "true", "yes", "on"}:
    from servicetorg.conf.dev import *  # noqa: F403
else:
    from servicetorg.conf.production import *  # noqa: F403
