"""Set up a municipality's satisfaction survey: one question after each closed case (docs/surveys.md)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from servicetorg.core.models import Municipality
from servicetorg.core.permissions import SYSTEM
from servicetorg.surveys.services import satisfaction


class Command(BaseCommand):
    help = "Set up and publish the satisfaction survey asked after each closed case (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="Municipality number (kommunenummer)")

    def handle(self, *args, municipality, **options):
        try:
            target = Municipality.objects.get(number=municipality)
        except Municipality.DoesNotExist as exc:
            raise CommandError(f"No municipality with number {municipality!r}.") from exc
        try:
            survey = satisfaction.setup_satisfaction_survey(target, user=SYSTEM)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Satisfaction survey {survey.pk} “{survey}” is {survey.state}.")
        )
