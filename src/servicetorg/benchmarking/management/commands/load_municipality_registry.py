"""Load the register of municipalities (Statistics Norway's classification 131, shipped with the
project). Idempotent: run it on every deployment; `make run` does."""

from django.core.management.base import BaseCommand

from servicetorg.benchmarking.registry import load_registry


class Command(BaseCommand):
    help = "Load the register of municipalities 2017–2024 and its change table (SSB classification 131)."

    def handle(self, *args, **options):
        result = load_registry()
        self.stdout.write(
            f"Regions: {result.regions_created} new, {result.regions_updated} updated; "
            f"code changes: {result.changes_created} new. Current: {result.current_municipalities} "
            f"municipalities in {result.current_counties} counties."
            + ("" if result.changed else " Nothing to change.")
        )
