"""Demo catalogue: ten service areas, units and 45+ realistic services (see demo_data.py)."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from servicetorg.core.models import Unit
from servicetorg.core.permissions import SYSTEM

from . import services
from .defaults import create_default_areas
from .demo_data import SEARCH_WORDS, SERVICES, UNITS
from .models import Service

#: Service areas whose inquiries are walled to the unit that handles them (health, care, social).
SENSITIVE_AREAS = frozenset({"helse", "pleie-og-omsorg", "sosiale-tjenester"})


@transaction.atomic
def load(municipality, *, seed: int) -> None:
    rng = random.Random(seed)
    areas = create_default_areas(municipality)
    units = {}
    for data in UNITS:
        fields = {k: v for k, v in data.items() if k != "slug"}
        units[data["slug"]], _ = Unit.objects.update_or_create(
            municipality=municipality, slug=data["slug"], defaults=fields
        )
    existing = set(Service.objects.filter(municipality=municipality).values_list("slug", flat=True))
    today = timezone.localdate()
    for data in SERVICES:
        words, words_en = SEARCH_WORDS.get(data["slug"], ("", ""))
        if data["slug"] in existing:
            # A demo loaded before services had search words gets them (what staff wrote is kept).
            service = Service.objects.get(municipality=municipality, slug=data["slug"])
            if not service.search_words and not service.search_words_en:
                services.update_service(service, search_words=words, search_words_en=words_en, user=SYSTEM)
            continue
        description = {k: v for k, v in data.items() if k in services.DESCRIPTION_FIELDS}
        service = services.create_service(
            municipality=municipality,
            area=areas[data["area"]],
            slug=data["slug"],
            responsible_unit=units.get(data.get("unit")),
            ladder_level=data.get("ladder_level", 2),
            channels=data.get("channels", []),
            requires_national_id=data.get("requires_national_id", False),
            asks_location=data.get("asks_location", False),
            sensitive=data["area"] in SENSITIVE_AREAS,
            search_words=words,
            search_words_en=words_en,
            description=description,
            promises=data.get("promises", []),
            user=SYSTEM,
        )
        services.publish(service.versions.get(), user=SYSTEM)
        roll = rng.random()
        if roll < 0.1:
            # Some descriptions are overdue for their yearly review.
            Service.objects.filter(pk=service.pk).update(
                review_due=today - timedelta(days=rng.randint(5, 90))
            )
        elif roll < 0.18:
            # Some have a new draft being edited while the published version stays on the portal.
            draft = services.ensure_draft(service, user=SYSTEM)
            services.save_draft(draft, description={"summary": draft.summary + " (Oppdateres.)"}, user=SYSTEM)
