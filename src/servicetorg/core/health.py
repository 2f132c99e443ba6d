"""``/helse/``: is this installation well (docs/operations.md, "Monitoring").

Anyone gets the verdict (200 or 503) and the state of the database and the cache; a monitor that sends
``Authorization: Bearer <HEALTH_TOKEN>`` also gets the figures worth an alarm: the queue's length, the
outbox's pending and failed messages and how long the oldest pending one has waited. Cheap: three
indexed counts and two round trips, no page rendering.
"""

import hmac
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Count, Min, Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .models import OutboxMessage, OutboxState

log = logging.getLogger(__name__)


def _cache_ok() -> bool:
    try:
        cache.set("health:probe", "1", 30)
        return cache.get("health:probe") == "1"
    except Exception:  # noqa: BLE001 (any cache failure is "not ok", never a 500)
        log.warning("health: the cache does not answer", exc_info=True)
        return False


def _queue_length() -> int | None:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    try:
        return int(redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).llen("celery"))
    except redis.RedisError:
        return -1


def _authorised(request) -> bool:
    token = getattr(settings, "HEALTH_TOKEN", "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


@never_cache
def health(request):
    body: dict = {"database": "ok", "cache": "ok" if _cache_ok() else "failing"}
    try:
        outbox = OutboxMessage.objects.aggregate(
            pending=Count("pk", filter=Q(state=OutboxState.PENDING)),
            failed=Count("pk", filter=Q(state=OutboxState.FAILED)),
            oldest=Min("created_at", filter=Q(state=OutboxState.PENDING)),
        )
    except DatabaseError:
        log.warning("health: the database does not answer", exc_info=True)
        return JsonResponse({**body, "database": "failing"}, status=503)
    if _authorised(request):
        oldest = outbox["oldest"]
        body.update(
            {
                "queue_length": _queue_length(),
                "outbox_pending": outbox["pending"],
                "outbox_failed": outbox["failed"],
                "outbox_oldest_pending_seconds": int((timezone.now() - oldest).total_seconds())
                if oldest
                else 0,
            }
        )
    return JsonResponse(body, status=200)
