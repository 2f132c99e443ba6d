"""The fødselsnummer encrypted at rest, with a keyed hash for look-ups, and gone from the history.

1. The history table loses its copy of the number (existing history rows lose it: issue 11).
2. The column widens to hold a Fernet token, and every stored number is encrypted in place and gets
   its digest (core/crypto.py, with the keys of this process: FIELD_ENCRYPTION_KEYS,
   NATIONAL_ID_HASH_KEY). Reversible: backwards decrypts (the same keys must still be configured)
   and narrows the column again; the history's copies do not come back.
"""

from django.db import migrations, models

import servicetorg.core.crypto
import servicetorg.core.validators

BATCH = 1000


def encrypt_rows(apps, schema_editor):
    from servicetorg.core.crypto import encrypt_national_id, national_id_digest

    Inquiry = apps.get_model("inquiries", "Inquiry")  # national_id is a plain CharField in this state
    rows = Inquiry.objects.exclude(national_id="").values_list("pk", "national_id")
    for pk, value in rows.iterator(chunk_size=BATCH):
        Inquiry.objects.filter(pk=pk).update(
            national_id=encrypt_national_id(value), national_id_digest=national_id_digest(value)
        )


def decrypt_rows(apps, schema_editor):
    from servicetorg.core.crypto import decrypt_national_id

    Inquiry = apps.get_model("inquiries", "Inquiry")
    rows = Inquiry.objects.exclude(national_id="").values_list("pk", "national_id")
    for pk, token in rows.iterator(chunk_size=BATCH):
        Inquiry.objects.filter(pk=pk).update(national_id=decrypt_national_id(token), national_id_digest="")


class Migration(migrations.Migration):
    dependencies = [
        ("inquiries", "0006_anonymised_at"),
    ]

    operations = [
        migrations.RemoveField(model_name="historicalinquiry", name="national_id"),
        migrations.AddField(
            model_name="inquiry",
            name="national_id_digest",
            field=servicetorg.core.crypto.DigestField(source="national_id"),
        ),
        migrations.AlterField(
            model_name="inquiry",
            name="national_id",
            field=models.CharField(
                blank=True,
                max_length=255,
                validators=[servicetorg.core.validators.validate_national_id],
                verbose_name="national identity number",
            ),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
        migrations.AlterField(
            model_name="inquiry",
            name="national_id",
            field=servicetorg.core.crypto.EncryptedTextField(
                blank=True,
                max_length=255,
                validators=[servicetorg.core.validators.validate_national_id],
                verbose_name="national identity number",
            ),
        ),
        migrations.AddIndex(
            model_name="inquiry",
            index=models.Index(
                condition=models.Q(("national_id_digest", ""), _negated=True),
                fields=["national_id_digest"],
                name="inq_national_id_digest",
            ),
        ),
    ]
