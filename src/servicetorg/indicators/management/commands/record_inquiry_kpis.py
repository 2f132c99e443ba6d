from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from servicetorg.core.models import Municipality
from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators.inquiry_kpis import record_inquiry_kpis


class Command(BaseCommand):
    help = "Record the year's front-desk figures (answered in time, resolved at the desk) as indicators."

    def add_arguments(self, parser):
        parser.add_argument("municipality", help="kommunenummer, e.g. 3999")
        parser.add_argument("--year", type=int, default=None, help="calendar year (default: this year)")

    def handle(self, *args, municipality, year, **options):
        found = Municipality.objects.filter(number=municipality).first()
        if found is None:
            raise CommandError(f"Ukjent kommunenummer / unknown municipality number: {municipality}")
        year = year or timezone.localdate().year
        values = record_inquiry_kpis(found, year, user=SYSTEM)
        for value in values:
            self.stdout.write(f"{value.indicator.name}: {value.value} ({year})")
        if not values:
            self.stdout.write(f"Ingen henvendelser i {year} / no inquiries in {year}")
