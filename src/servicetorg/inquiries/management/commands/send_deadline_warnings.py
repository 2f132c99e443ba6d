from django.conf import settings
from django.core.management.base import BaseCommand

from servicetorg.inquiries.tasks import send_deadline_warnings


class Command(BaseCommand):
    help = "Mark broken reply deadlines and e-mail warnings one working day before a deadline."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Pretend today is this date (YYYY-MM-DD).")
        parser.add_argument("--queue", action="store_true", help="Only queue the task on the broker.")

    def handle(self, *args, **options):
        if options["queue"] and not settings.CELERY_TASK_ALWAYS_EAGER:
            result = send_deadline_warnings.delay(options.get("date"))
            self.stdout.write(f"queued {result.id}")
            return
        outcome = send_deadline_warnings.apply(args=(options.get("date"),)).get()
        self.stdout.write(" ".join(f"{name}={count}" for name, count in outcome.items()))
