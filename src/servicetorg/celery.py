"""Celery application.

Production runs workers on Redis (``CELERY_BROKER_URL``). The embedded default has no broker set and
runs every task eagerly in the calling process, so the platform works without extra servers.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicetorg.settings")

app = Celery("servicetorg")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
