"""Fetch a KOSTRA table from Statistics Norway's PxWebApi v2 for every region and import it (online
installations only; the base URL is the setting SSB_API_URL)."""

from django.core.management.base import BaseCommand, CommandError

from servicetorg.benchmarking import fetch
from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators.services import ImportFailed


def _codes(raw: str | None) -> list[str] | None:
    return [c.strip() for c in raw.split(",") if c.strip()] if raw else None


class Command(BaseCommand):
    help = "Fetch a KOSTRA table (JSON-stat 2) from Statistics Norway for every region and import it."

    def add_arguments(self, parser):
        parser.add_argument("--table", required=True, help="SSB table, e.g. 12362")
        parser.add_argument("--contents", help="ContentsCode(s), comma separated (default: the catalogue's)")
        parser.add_argument("--years", help="years, comma separated (default: every year of the table)")
        parser.add_argument("--preliminary", action="store_true", help="mark the figures preliminary")

    def handle(self, *args, **options):
        try:
            result = fetch.fetch_table(
                options["table"],
                user=SYSTEM,
                contents=_codes(options["contents"]),
                years=_codes(options["years"]),
                preliminary=options["preliminary"],
            )
        except (fetch.FetchFailed, ImportFailed) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result.requests} requests ({result.retries} retries after 429): {result.created} new, "
            f"{result.updated} changed, {result.unchanged} unchanged values."
        )
