"""One idempotency mechanism for intake (issue 19 §4): Open311's repeats are recognised by
IdempotencyRecord, as the REST API's (an Open311 client acts as no user: ``user`` may be empty, with
its own unique index). The live Open311 submissions move over; Open311Submission goes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_submissions(apps, schema_editor):
    Submission = apps.get_model("inquiries", "Open311Submission")
    Record = apps.get_model("inquiries", "IdempotencyRecord")
    Inquiry = apps.get_model("inquiries", "Inquiry")
    for submission in Submission.objects.exclude(service_request_id="").select_related("client").iterator():
        inquiry_id = (
            Inquiry.objects.filter(
                municipality_id=submission.client.municipality_id, reference=submission.service_request_id
            )
            .values_list("pk", flat=True)
            .first()
        )
        record, created = Record.objects.get_or_create(
            user=None,
            client_scope=submission.client_id,
            key=submission.key,
            defaults={
                "request_hash": submission.request_hash,
                "status_code": 201,
                "response": submission.response,
                "inquiry_id": inquiry_id,
            },
        )
        if created:  # auto_now_add set it to now: the key keeps its first use's time
            Record.objects.filter(pk=record.pk).update(created_at=submission.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("inquiries", "0014_inquiry_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="user",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="idempotencyrecord",
            constraint=models.UniqueConstraint(
                condition=models.Q(("user__isnull", True)),
                fields=("client_scope", "key"),
                name="idempotency_open311_key_unique",
            ),
        ),
        migrations.RunPython(move_submissions, migrations.RunPython.noop),
        migrations.DeleteModel(name="Open311Submission"),
    ]
