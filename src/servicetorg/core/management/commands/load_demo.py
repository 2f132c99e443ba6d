"""Load the demo municipality with a fixed seed. Idempotent: running it again changes nothing.

Each app may ship ``<app>/demo.py`` with ``load(municipality, *, seed)``; they run in the order of
INSTALLED_APPS (core → catalogue → inquiries → surveys → indicators → strategy → ...).
"""

import importlib
import importlib.util
import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from servicetorg.core import demo


class Command(BaseCommand):
    help = "Load the demo municipality (Fjordvik), its staff users and demo data of every module."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--only", nargs="*", help="Only these apps' demo data (e.g. catalogue).")
        parser.add_argument(
            "--this-is-a-demo-installation",
            action="store_true",
            help="Load the demo with production settings too (a public demo server; never real data).",
        )

    def handle(self, *args, seed, only, this_is_a_demo_installation, **options):
        if not settings.DEV and not this_is_a_demo_installation:
            raise CommandError(
                "load_demo refuses to run with production settings: it creates users with known "
                "passwords. On a demo server that will never hold real data, say so: "
                "manage.py load_demo --this-is-a-demo-installation. A real installation starts with "
                "the first-start commands of docs/operations.md."
            )
        municipality = demo.load_municipality()
        for config in apps.get_app_configs():
            if not config.name.startswith("servicetorg.") or config.label == "core":
                continue
            if only and config.label not in only:
                continue
            module_name = f"{config.name}.demo"
            if importlib.util.find_spec(module_name) is None:
                continue
            started = time.monotonic()
            importlib.import_module(module_name).load(municipality, seed=seed)
            self.stdout.write(f"  {config.label}: {time.monotonic() - started:.1f} s")
            if config.label == "catalogue":
                demo.load_users(municipality)  # users bound to units need the catalogue's units
        demo.load_users(municipality)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo municipality {municipality} is ready. Log in at /staff/logg-inn/ as admin, skranke, "
                f"saksbehandler, enhetsleder, radmann, politiker, leverandor, skolekontor, testkoordinator "
                f"or tester; "
                f"password {demo.DEMO_PASSWORD}"
            )
        )
