"""Create a survey from a shipped questionnaire template (surveys/data/*.json)."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from servicetorg.core.models import Municipality
from servicetorg.core.permissions import SYSTEM
from servicetorg.surveys import services


class Command(BaseCommand):
    help = "Create a survey from a questionnaire template; without arguments, list the templates."

    def add_arguments(self, parser):
        parser.add_argument("template", nargs="?", help="Template key, e.g. servicetorg_brukerundersokelse")
        parser.add_argument("--municipality", help="Municipality number (kommunenummer)")
        parser.add_argument("--opens-on", type=datetime.date.fromisoformat)
        parser.add_argument("--closes-on", type=datetime.date.fromisoformat)
        parser.add_argument("--title", default="")

    def handle(self, *args, template, municipality, opens_on, closes_on, title, **options):
        if not template:
            for t in services.available_templates():
                self.stdout.write(f"{t['key']}: {t['title']}")
            return
        try:
            target = Municipality.objects.get(number=municipality)
        except Municipality.DoesNotExist as exc:
            raise CommandError(f"No municipality with number {municipality!r}.") from exc
        opens_on = opens_on or datetime.date.today()
        closes_on = closes_on or opens_on + datetime.timedelta(days=30)
        extra = {"title": title} if title else {}
        try:
            survey = services.create_from_template(
                template, municipality=target, opens_on=opens_on, closes_on=closes_on, user=SYSTEM, **extra
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Created survey {survey.pk} “{survey}” with {survey.questions.count()} questions."
            )
        )
