"""The consultation deadline becomes a point in time (UTC, shown in Norwegian time).

A deadline that was a date meant "through that day": it becomes 23:59 that day in Europe/Oslo.
"""

import datetime
import zoneinfo

from django.db import migrations, models

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def _end_of_day(day):
    return datetime.datetime.combine(day, datetime.time(23, 59), tzinfo=OSLO) if day else None


def dates_to_times(apps, schema_editor):
    for name in ("Strategy", "HistoricalStrategy"):
        model = apps.get_model("strategy", name)
        for row in model.objects.exclude(consultation_deadline=None).only("pk", "consultation_deadline"):
            model.objects.filter(pk=row.pk).update(
                consultation_deadline_at=_end_of_day(row.consultation_deadline)
            )


def times_to_dates(apps, schema_editor):
    for name in ("Strategy", "HistoricalStrategy"):
        model = apps.get_model("strategy", name)
        for row in model.objects.exclude(consultation_deadline_at=None).only(
            "pk", "consultation_deadline_at"
        ):
            day = row.consultation_deadline_at.astimezone(OSLO).date()
            model.objects.filter(pk=row.pk).update(consultation_deadline=day)


class Migration(migrations.Migration):
    dependencies = [("strategy", "0002_adopted_report_snapshot")]

    operations = [
        migrations.AddField(
            model_name="strategy",
            name="consultation_deadline_at",
            field=models.DateTimeField(null=True, blank=True),
        ),
        migrations.AddField(
            model_name="historicalstrategy",
            name="consultation_deadline_at",
            field=models.DateTimeField(null=True, blank=True),
        ),
        migrations.RunPython(dates_to_times, times_to_dates),
        migrations.RemoveField(model_name="strategy", name="consultation_deadline"),
        migrations.RemoveField(model_name="historicalstrategy", name="consultation_deadline"),
        migrations.RenameField(
            model_name="strategy", old_name="consultation_deadline_at", new_name="consultation_deadline"
        ),
        migrations.RenameField(
            model_name="historicalstrategy",
            old_name="consultation_deadline_at",
            new_name="consultation_deadline",
        ),
        migrations.AlterField(
            model_name="strategy",
            name="consultation_deadline",
            field=models.DateTimeField(
                blank=True,
                help_text="Commenting closes automatically at this time (Norwegian time).",
                null=True,
                verbose_name="consultation deadline",
            ),
        ),
        migrations.AlterField(
            model_name="historicalstrategy",
            name="consultation_deadline",
            field=models.DateTimeField(
                blank=True,
                help_text="Commenting closes automatically at this time (Norwegian time).",
                null=True,
                verbose_name="consultation deadline",
            ),
        ),
    ]
