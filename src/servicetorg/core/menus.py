"""Navigation entries contributed by each app.

An app's AppConfig may declare ``staff_menu`` and ``public_menu`` (lists of (url name, label)), and
``service_actions`` (url names taking a service ``slug``, shown on the portal's service page). The
layout shows them without core having to import the apps.
"""

from functools import cache

from django.apps import apps
from django.urls import NoReverseMatch, reverse


@cache
def _entries(attribute: str) -> tuple[tuple[str, object], ...]:
    found = []
    for config in apps.get_app_configs():
        found.extend(getattr(config, attribute, ()))
    return tuple(found)


def menu(attribute: str, **kwargs) -> list[dict]:
    """Entries of ``attribute`` whose URL resolves (with ``kwargs``, e.g. a service's slug)."""
    items = []
    for url_name, label in _entries(attribute):
        try:
            items.append({"url": reverse(url_name, kwargs=kwargs or None), "label": label})
        except NoReverseMatch:
            continue
    return items
