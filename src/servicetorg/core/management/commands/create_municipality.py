"""First start of a real installation (docs/operations.md): the municipality and its units.

Idempotent: run again with the same number, it updates the municipality and adds or renames units
(a unit is known by its short name). Everything is validated as the admin form validates it, and
nothing is written unless all of it is valid.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from servicetorg.core.models import Municipality, Unit


def _center(value: str) -> tuple[Decimal, Decimal]:
    try:
        lat, long = (Decimal(part.strip()) for part in value.split(","))
    except (ValueError, InvalidOperation) as exc:
        raise CommandError(
            f"--center {value!r}: write it as latitude,longitude in decimal degrees, e.g. 59.0533,10.0352"
        ) from exc
    return lat.quantize(Decimal("0.000001")), long.quantize(Decimal("0.000001"))


def _unit(value: str) -> tuple[str, str]:
    slug, sep, name = value.partition(":")
    if not sep or not slug.strip() or not name.strip():
        raise CommandError(f"--unit {value!r}: write it as short-name:Name, e.g. servicetorget:Servicetorget")
    return slug.strip(), name.strip()


class Command(BaseCommand):
    help = "Create or update a municipality (tenant) and its units."

    def add_arguments(self, parser):
        parser.add_argument("--number", required=True, help="Municipality number (4 digits, SSB), e.g. 3805.")
        parser.add_argument("--name", required=True, help="Name, e.g. Larvik.")
        parser.add_argument("--organization-number", required=True, help="Organisasjonsnummer (9 digits).")
        parser.add_argument("--email", default="", help="Post box e-mail (postmottak).")
        parser.add_argument("--phone", default="", help="Switchboard phone number.")
        parser.add_argument("--address", default="", help="Visiting address.")
        parser.add_argument("--website", default="", help="The municipality's website.")
        parser.add_argument("--portal-host", default="", help="Host name of its portal, if it has its own.")
        parser.add_argument(
            "--center",
            default=None,
            metavar="LAT,LONG",
            help="Where its maps start (e.g. the town hall), in decimal degrees: 59.0533,10.0352. "
            "Left as it is when not given.",
        )
        parser.add_argument(
            "--unit", action="append", default=[], metavar="SHORT:NAME", help="A unit (repeat the option)."
        )

    @transaction.atomic
    def handle(self, *args, **opts):
        units = [_unit(value) for value in opts["unit"]]
        fields = {
            "name": opts["name"],
            "organization_number": opts["organization_number"],
            "email": opts["email"],
            "phone": opts["phone"],
            "address": opts["address"],
            "website": opts["website"],
            "portal_host": opts["portal_host"],
        }
        if opts["center"] is not None:
            fields["center_latitude"], fields["center_longitude"] = _center(opts["center"])
        municipality = Municipality.objects.filter(number=opts["number"]).first() or Municipality(
            number=opts["number"]
        )
        created = municipality.pk is None
        for field, value in fields.items():
            setattr(municipality, field, value)
        try:
            municipality.full_clean()
            municipality.save()
            for slug, name in units:
                unit = Unit.objects.filter(municipality=municipality, slug=slug).first() or Unit(
                    municipality=municipality, slug=slug
                )
                unit.name = name
                unit.full_clean()
                unit.save()
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(
            f"{'Created' if created else 'Updated'} {municipality} with {municipality.units.count()} unit(s)."
        )
