from django.core.management.base import BaseCommand

from servicetorg.core.permissions import SYSTEM
from servicetorg.inquiries import services


class Command(BaseCommand):
    help = (
        "Encrypt every stored fødselsnummer again with the first key of FIELD_ENCRYPTION_KEYS and "
        "recompute its look-up digest with NATIONAL_ID_HASH_KEY (key rotation: docs/operations.md)."
    )

    def handle(self, *args, **options):
        count = services.reencrypt_national_ids(user=SYSTEM)
        self.stdout.write(f"{count} national identity numbers encrypted with the current key")
