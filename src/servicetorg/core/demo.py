"""The demo municipality and its staff users (one per role)."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from .choices import Role
from .models import Membership, Municipality, Unit

DEMO_NUMBER = "3999"
DEMO_CENTER = (Decimal("59.053300"), Decimal("10.035200"))
DEMO_PASSWORD = "demo-passord-2026"  # noqa: S105 - printed in the README, demo only
#: username, role, unit slug (None: the whole municipality), full name
DEMO_USERS = [
    ("skranke", Role.DESK_WORKER, "servicetorget", "Siri Skranke"),
    ("saksbehandler", Role.CASE_OFFICER, "barnehage", "Sander Saksbehandler"),
    ("enhetsleder", Role.UNIT_LEADER, "oppvekst", "Elin Enhetsleder"),
    ("radmann", Role.ADMINISTRATION, None, "Rolf Rådmann"),
    ("politiker", Role.COUNCIL, None, "Polly Politiker"),
    ("leverandor", Role.PROVIDER, None, "Lars Leverandør"),
]


@transaction.atomic
def load_municipality() -> Municipality:
    municipality, _ = Municipality.objects.update_or_create(
        number=DEMO_NUMBER,
        defaults={
            "name": "Fjordvik",
            "organization_number": "921000006",
            "website": "https://fjordvik.kommune.no",
            "email": "postmottak@fjordvik.kommune.no",
            "phone": "33 00 00 00",
            "address": "Rådhusgata 1, 3999 Fjordvik",
            # Fjordvik is made up; its maps start where a town by a fjord in Vestfold would be.
            "center_latitude": DEMO_CENTER[0],
            "center_longitude": DEMO_CENTER[1],
        },
    )
    return municipality


@transaction.atomic
def load_users(municipality: Municipality) -> None:
    user_model = get_user_model()
    admin, created = user_model.objects.get_or_create(
        username="admin",
        defaults={"is_staff": True, "is_superuser": True, "email": "admin@fjordvik.kommune.no"},
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    Membership.objects.get_or_create(user=admin, municipality=municipality, unit=None, role=Role.ADMIN)
    for username, role, unit_slug, full_name in DEMO_USERS:
        first, last = full_name.split(" ", 1)
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@fjordvik.kommune.no"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        unit = Unit.objects.filter(municipality=municipality, slug=unit_slug).first() if unit_slug else None
        Membership.objects.get_or_create(user=user, municipality=municipality, unit=unit, role=role)
