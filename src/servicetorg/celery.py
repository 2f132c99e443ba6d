"""Celery application.

Production runs workers on Redis (``CELERY_BROKER_URL``). The embedded default has no broker set and
runs every task eagerly in the calling process, so the platform works without extra servers.
"""

import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicetorg.settings")

app = Celery("servicetorg")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def catch_up(sender=None, **kwargs) -> None:
    """When beat starts, run at once what must not wait for its next slot (``CELERY_CATCH_UP_AT_START``):
    a beat that was down on a Friday evening would otherwise leave Monday's deadline warnings until
    Monday 06:30, the deadline day. Each such task is idempotent, so running it early costs nothing."""
    from django.conf import settings

    app.loader.import_default_modules()  # beat itself imports no task module (autodiscovery)
    for name in settings.CELERY_CATCH_UP_AT_START:
        app.tasks[name].delay()
