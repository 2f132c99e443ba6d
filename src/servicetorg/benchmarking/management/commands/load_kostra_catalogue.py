"""Load the KOSTRA indicator catalogue (national indicators shipped with the project). Idempotent:
run it on every deployment beside load_municipality_registry; `make run` does."""

from django.core.management.base import BaseCommand

from servicetorg.benchmarking.catalogue import load_catalogue


class Command(BaseCommand):
    help = "Load the KOSTRA indicator catalogue (about 40 service and 9 context indicators)."

    def handle(self, *args, **options):
        result = load_catalogue()
        self.stdout.write(
            f"KOSTRA indicators: {result.created} new, {result.updated} updated, "
            f"{result.unchanged} unchanged." + ("" if result.changed else " Nothing to change.")
        )
