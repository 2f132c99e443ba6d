from django.core.management.base import BaseCommand

from servicetorg.core import outbox


class Command(BaseCommand):
    help = "Send every due outbox message now (what the core.outbox_sweep task does every minute)."

    def handle(self, *args, **options):
        counts = outbox.deliver_due()
        self.stdout.write(", ".join(f"{state}: {count}" for state, count in counts.items()))
