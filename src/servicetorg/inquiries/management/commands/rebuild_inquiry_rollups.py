from django.core.management.base import BaseCommand

from servicetorg.core.models import Municipality
from servicetorg.inquiries import rollups


class Command(BaseCommand):
    help = "Recompute the dashboard rollup tables of every municipality from the inquiries."

    def handle(self, *args, **options):
        for municipality in Municipality.objects.all():
            rollups.rebuild(municipality.pk)
            self.stdout.write(f"{municipality}: rebuilt")
