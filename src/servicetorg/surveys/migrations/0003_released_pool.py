"""Live results read a released pool (issue 18 §2.2). Responses stored before were already shown in
the results, so they are released; new ones wait (default false) until the pool reaches the threshold."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0002_import_log"),
    ]

    operations = [
        migrations.AddField(
            model_name="answer",
            name="released",
            field=models.BooleanField(default=True, editable=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="response",
            name="released",
            field=models.BooleanField(default=True, editable=False, verbose_name="released to the results"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="answer",
            name="released",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AlterField(
            model_name="response",
            name="released",
            field=models.BooleanField(default=False, editable=False, verbose_name="released to the results"),
        ),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(
                condition=models.Q(("released", False)), fields=["survey"], name="response_waiting"
            ),
        ),
    ]
