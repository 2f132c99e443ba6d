"""Navigation entries contributed by each app.

An app's AppConfig may declare ``staff_menu`` and ``public_menu`` (lists of (url name, label), or
(url name, label, Perm) for an entry shown only to those who hold the permission its page checks,
so nobody is led to a 403), and
``service_actions`` (url names taking a service ``slug``, shown on the portal's service page). The
layout shows them without core having to import the apps. ``menu_position`` (default 50) orders the
apps' entries: the daily work first (inquiries), administration last (relations, privacy).
"""

from functools import cache

from django.apps import apps
from django.urls import NoReverseMatch, reverse


@cache
def _entries(attribute: str) -> tuple[tuple[str, object], ...]:
    found = []
    configs = sorted(apps.get_app_configs(), key=lambda config: getattr(config, "menu_position", 50))
    for config in configs:  # sorted() is stable: apps of one position keep INSTALLED_APPS' order
        found.extend(getattr(config, attribute, ()))
    return tuple(found)


def menu(attribute: str, *, actor=None, named_only: bool = False, **kwargs) -> list[dict]:
    """Entries of ``attribute`` whose URL resolves (with ``kwargs``, e.g. a service's slug) and, for
    an entry that names a permission, that ``actor`` holds somewhere (the page's own check).
    ``named_only``: only entries that name a permission (for a user without the staff pages, e.g.
    a provider, who must not be led to pages every staff member opens)."""
    from .permissions import holds_anywhere

    items = []
    for entry in _entries(attribute):
        url_name, label = entry[0], entry[1]
        if named_only and len(entry) < 3:
            continue
        if len(entry) > 2 and (actor is None or not holds_anywhere(actor, [entry[2]])):
            continue
        try:
            items.append({"url": reverse(url_name, kwargs=kwargs or None), "label": label})
        except NoReverseMatch:
            continue
    return items
