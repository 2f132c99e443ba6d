"""First start of a real installation (docs/operations.md): the first administrator, with MFA.

The account is a superuser (the Django admin, where staff accounts and roles are managed, is for
superusers who passed the second factor) with the administrator role in one municipality. Its
authenticator app is set up here: the command prints the TOTP key once (as an otpauth:// link and a
QR code for the terminal), so the first log-in already asks for the code and nobody else can enrol
a device of their own with the password. The password is read from an environment variable or typed
at the prompt; it never stands on the command line.
"""

import getpass
import io
import os
from base64 import b32encode

import segno
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from servicetorg.core.choices import Role
from servicetorg.core.models import Membership, Municipality


class Command(BaseCommand):
    help = "Create the first administrator (superuser + administrator role) with a TOTP device."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--municipality", required=True, help="Municipality number, e.g. 3805.")
        parser.add_argument(
            "--password-env",
            metavar="VARIABLE",
            help="Read the password from this environment variable (else it is asked for).",
        )
        parser.add_argument("--no-qr", action="store_true", help="Print the otpauth link, no QR code.")

    def handle(self, *args, username, email, municipality, password_env, no_qr, **opts):
        found = Municipality.objects.filter(number=municipality).first()
        if found is None:
            raise CommandError(f"No municipality {municipality}: create it first (create_municipality).")
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            raise CommandError(f"The user {username!r} exists already; nothing was changed.")
        password = os.environ.get(password_env, "") if password_env else self._ask()
        if not password:
            raise CommandError(f"The environment variable {password_env} is empty.")
        user = user_model(username=username, email=email, is_staff=True, is_superuser=True)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        with transaction.atomic():
            user.set_password(password)
            user.save()
            Membership.objects.create(user=user, municipality=found, unit=None, role=Role.ADMIN)
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        self.stdout.write(f"Created the administrator {username} in {found}.")
        self.stdout.write("Add this key to the authenticator app now; it is shown only once:")
        self.stdout.write(f"  {device.config_url}")
        self.stdout.write(f"  key: {b32encode(device.bin_key).decode()}")
        if not no_qr:
            picture = io.StringIO()
            segno.make(device.config_url, error="m").terminal(out=picture, compact=True)
            self.stdout.write(picture.getvalue())

    def _ask(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first
