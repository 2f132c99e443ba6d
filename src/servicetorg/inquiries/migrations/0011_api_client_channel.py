"""One API key, one channel (issue 18 §2.1). A client with a service account was issued for the REST
API and keeps it; one without serves Open311, as before. A system that used one key for both gets a
new Open311 key (docs/operations.md, "Upgrade")."""

from django.db import migrations, models


def split_channels(apps, schema_editor):
    apps.get_model("inquiries", "ApiClient").objects.filter(user__isnull=False).update(channel="rest")


class Migration(migrations.Migration):
    dependencies = [
        ("inquiries", "0010_inquiry_location"),
    ]

    operations = [
        migrations.AddField(
            model_name="apiclient",
            name="channel",
            field=models.CharField(
                choices=[("open311", "Open311 (GeoReport v2)"), ("rest", "REST API")],
                default="open311",
                max_length=10,
                verbose_name="channel",
            ),
        ),
        migrations.RunPython(split_channels, migrations.RunPython.noop),
    ]
