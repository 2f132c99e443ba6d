"""The fødselsnummer of an inquiry: encrypted at rest with a keyed digest (core/crypto.py), and
never in the history table, the logs or a debug page."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db.models import CharField
from django.db.models.functions import Cast

from servicetorg.core import crypto
from servicetorg.core.choices import Channel
from servicetorg.inquiries import services
from servicetorg.inquiries.models import Inquiry

pytestmark = pytest.mark.django_db
FNR = "15076500565"


@pytest.fixture
def register(municipality, service, desk_worker):
    service.requires_national_id = True
    service.save()

    def registered(**fields):
        fields = {"channel": Channel.PHONE, "subject": "Søknad", "national_id": FNR, **fields}
        return services.register(municipality=municipality, service=service, user=desk_worker, **fields)

    return registered


def stored(inquiry_id):
    """The columns as stored (the cast skips the field's decryption)."""
    raw = Cast("national_id", output_field=CharField())
    rows = Inquiry.objects.filter(pk=inquiry_id).annotate(raw=raw)
    return rows.values_list("raw", "national_id_digest").get()


def test_the_model_stores_ciphertext_and_digest_and_reads_plain(register):
    inquiry = register().inquiry
    raw = stored(inquiry.pk)
    assert raw[0].startswith("gAAAAA") and FNR not in raw[0]
    assert raw[1] == crypto.national_id_digest(FNR)
    again = Inquiry.objects.get(pk=inquiry.pk)
    assert again.national_id == FNR and again.masked_national_id() == "150765*****"
    assert list(Inquiry.objects.filter(national_id_digest=crypto.national_id_digest(FNR))) == [again]
    again.national_id = ""
    again.save()
    assert Inquiry.objects.filter(pk=inquiry.pk, national_id="", national_id_digest="").exists()


def test_rotate_field_keys_command(register, settings):
    inquiry = register().inquiry
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    before = stored(inquiry.pk)
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    settings.NATIONAL_ID_HASH_KEY = "a-new-hash-key-of-at-least-32-characters"
    call_command("rotate_field_keys", verbosity=0)
    settings.FIELD_ENCRYPTION_KEYS = [new]
    again = Inquiry.objects.get(pk=inquiry.pk)
    assert again.national_id == FNR
    assert again.national_id_digest == crypto.national_id_digest(FNR)
    assert stored(inquiry.pk)[0] != before[0]
