"""manage.py import_relations FILE --municipality NNNN [--skip-bad-rows]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from servicetorg.core.models import Municipality
from servicetorg.core.permissions import SYSTEM

from ...imports import COLUMNS, OPTIONAL, ImportFailed, import_relations


class Command(BaseCommand):
    help = (
        "Import who may act for whom (guardians, relatives, attorneys) from CSV with the columns "
        f"{', '.join(COLUMNS)} and optionally {', '.join(OPTIONAL)}. Nothing of a file with a bad row "
        "is imported unless --skip-bad-rows; rows already there are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--municipality", required=True, help="The kommunenummer, e.g. 3999.")
        parser.add_argument("--skip-bad-rows", action="store_true")

    def handle(self, *args, file, municipality, skip_bad_rows, **options):
        target = Municipality.objects.filter(number=municipality).first()
        if target is None:
            raise CommandError(f"No municipality with the number {municipality}.")
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        try:
            result = import_relations(data, municipality=target, user=SYSTEM, skip_bad_rows=skip_bad_rows)
        except ImportFailed as failed:
            for line, reason in failed.errors:
                self.stderr.write(f"line {line}: {reason}")
            raise CommandError("Nothing was imported.") from failed
        for line, reason in result.errors:
            self.stderr.write(f"line {line} skipped: {reason}")
        self.stdout.write(
            self.style.SUCCESS(f"{result.created} relations imported, {result.unchanged} already there.")
        )
