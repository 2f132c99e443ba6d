from django.db.models.signals import post_save
from django.dispatch import receiver

from servicetorg.core.models import Municipality

from .defaults import create_default_areas


@receiver(post_save, sender=Municipality, dispatch_uid="catalogue_default_areas")
def give_new_municipality_default_areas(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        create_default_areas(instance)


def ensure_search_index(sender, using="default", **kwargs):
    """After every migrate: SQLite's search index and its triggers exist (a later migration that
    rebuilds catalogue_service drops the triggers with the old table)."""
    from .sql import ensure_fts

    ensure_fts(using)
