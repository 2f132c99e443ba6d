from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from servicetorg.core.models import Municipality
from servicetorg.core.permissions import SYSTEM
from servicetorg.privacy import retention


class Command(BaseCommand):
    help = (
        "Purge personal data whose retention period has ended (what the nightly privacy.purge_personal_data "
        "task does). --dry-run only reports, per municipality and kind, how many rows would go and the "
        "oldest date."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report only; change nothing.")
        parser.add_argument(
            "--municipality", metavar="NUMBER", help="Only this municipality (its four-digit number)."
        )

    def handle(self, *args, **options):
        municipality = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(number=options["municipality"]).first()
            if municipality is None:
                raise CommandError(f"No municipality with number {options['municipality']}.")
        dry_run = options["dry_run"]
        lines = retention.purge(user=SYSTEM, municipality=municipality, dry_run=dry_run)
        self.stdout.write(
            ("DRY RUN: nothing is changed. " if dry_run else "") + f"Now: {timezone.now():%Y-%m-%d %H:%M} UTC"
        )
        header = f"{'municipality':<28} {'kind':<22} {'period':>8} {'due':>7} {'oldest':<10} {'purged':>7}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for line in lines:
            where = (
                f"{line.municipality.number} {line.municipality.name}" if line.municipality else "(platform)"
            )
            oldest = (
                timezone.localtime(line.oldest).date()
                if hasattr(line.oldest, "tzinfo") and line.oldest
                else line.oldest
            )
            self.stdout.write(
                f"{where[:28]:<28} {line.kind.key:<22} {str(line.days) + 'd':>8} {line.due:>7} "
                f"{str(oldest or '-'):<10} {('-' if dry_run else line.purged):>7}"
            )
        total = sum(line.due for line in lines)
        purged = sum(line.purged for line in lines)
        self.stdout.write(f"Due: {total}" + ("" if dry_run else f", purged: {purged}"))
