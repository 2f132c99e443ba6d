from datetime import timedelta

from django.core.management.base import BaseCommand

from servicetorg.core.permissions import SYSTEM
from servicetorg.inquiries import services


class Command(BaseCommand):
    help = (
        "Delete attachment files that no attachment row names (left by a rolled-back transaction), "
        "older than --hours (default 24). Run it nightly."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args, hours, **options):
        deleted = services.sweep_orphan_files(user=SYSTEM, older_than=timedelta(hours=hours))
        self.stdout.write(f"{deleted} orphan attachment files deleted")
