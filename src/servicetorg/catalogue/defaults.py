"""Default service areas: the ten sectors of the 1999 survey of quality work in the municipalities
(seed 002). Every new municipality starts with them; staff rename, reorder or add in the admin."""

from django.db import transaction

from .models import ServiceArea

DEFAULT_AREAS = [
    ("skole", "Skole", "School"),
    ("barnehage", "Barnehage", "Kindergarten"),
    ("pleie-og-omsorg", "Pleie og omsorg", "Care services"),
    ("helse", "Helsetjenester", "Health services"),
    ("sosiale-tjenester", "Sosiale tjenester", "Social services"),
    ("tekniske-tjenester", "Tekniske tjenester", "Technical services"),
    ("samferdsel", "Samferdsel", "Transport"),
    ("naringsutvikling", "Næringsutvikling", "Business development"),
    ("kultur-og-fritid", "Kultur og fritid", "Culture and leisure"),
    ("sentraladministrasjon", "Sentraladministrasjon", "Central administration"),
]


@transaction.atomic
def create_default_areas(municipality) -> dict[str, ServiceArea]:
    """The ten default areas of ``municipality`` (created when missing, never overwritten)."""
    areas = {}
    for position, (slug, name, name_en) in enumerate(DEFAULT_AREAS):
        areas[slug], _ = ServiceArea.objects.get_or_create(
            municipality=municipality,
            slug=slug,
            defaults={"name": name, "name_en": name_en, "position": position},
        )
    return areas
