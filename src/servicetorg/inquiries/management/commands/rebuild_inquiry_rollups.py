from django.core.management.base import BaseCommand

from servicetorg.core.models import Municipality
from servicetorg.inquiries import rollups


class Command(BaseCommand):
    help = (
        "Repair the dashboard rollup tables of every municipality from the inquiries "
        "(safe while intake runs: adds the difference)."
    )

    def handle(self, *args, **options):
        for municipality in Municipality.objects.all():
            corrected = rollups.rebuild(municipality.pk)
            self.stdout.write(f"{municipality}: {corrected} rollup rows corrected")
