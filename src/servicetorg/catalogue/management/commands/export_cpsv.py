"""Export a municipality's published services as CPSV-AP-NO (Turtle or JSON-LD)."""

import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator

from servicetorg.catalogue import cpsv
from servicetorg.core.models import Municipality


class Command(BaseCommand):
    help = (
        "Export the published services of a municipality as open data in CPSV-AP-NO, "
        "Digdir's standard for describing public services (Turtle or JSON-LD)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "municipality", help="Municipality number (kommunenummer), four digits, e.g. 3805."
        )
        parser.add_argument(
            "--format", choices=sorted(cpsv.FORMATS), default="turtle", help="RDF format (default: turtle)."
        )
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output.")
        parser.add_argument(
            "--base-url",
            help="Site the IRIs and portal links point to (default: https://<portal host>, "
            f"else {cpsv.DEFAULT_BASE_URL}).",
        )
        parser.add_argument(
            "--validate",
            action="store_true",
            help="Check the export against the SHACL shapes first; write nothing if it does not conform.",
        )

    def handle(self, *args, **options):
        number = options["municipality"].strip()
        if not re.fullmatch(r"\d{4}", number):
            raise CommandError(
                f"The municipality number must be four digits (kommunenummer), not {number!r}."
            )
        municipality = Municipality.objects.filter(number=number).first()
        if municipality is None:
            known = ", ".join(Municipality.objects.order_by("number").values_list("number", flat=True)[:20])
            raise CommandError(
                f"No municipality with number {number}. Known municipalities: {known or 'none'}."
            )
        base_url = options["base_url"]
        if base_url:
            try:
                URLValidator(schemes=["http", "https"])(base_url)
            except ValidationError as exc:
                raise CommandError(f"--base-url must be an http(s) address, not {base_url!r}.") from exc

        export = cpsv.build_export(municipality, base_url=base_url)
        graph = export.graph
        for problem in export.problems:
            self.stderr.write(self.style.WARNING(f"Left out: {problem}"))
        if options["validate"]:
            conforms, report = cpsv.validate(graph)
            if not conforms:
                raise CommandError(f"The export does not conform to the CPSV-AP-NO shapes:\n{report}")
        fmt = options["format"]
        text = cpsv.serialize_graph(graph, fmt)
        count = export.services

        if not options["output"]:
            self.stdout.write(text, ending="" if text.endswith("\n") else "\n")
            return
        path = Path(options["output"])
        if path.is_dir():
            raise CommandError(f"{path} is a directory; give a file name.")
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Could not write {path}: {exc.strerror or exc}.") from exc
        self.stdout.write(self.style.SUCCESS(f"Wrote {count} services of {municipality} to {path} ({fmt})."))
