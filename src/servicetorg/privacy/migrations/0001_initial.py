import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MODELS = ["retentionrule", "historicalretentionrule", "privacylog"]


def move_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="core", model__in=MODELS).update(app_label="privacy")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "0006_privacy_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # The tables exist (core created them before this app did): take them over in Django's state
    # only, and move their content types (and with them any permissions granted) to this app.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="HistoricalRetentionRule",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=60, verbose_name="kind of record")),
                        ("days", models.PositiveIntegerField(verbose_name="kept for (days)")),
                        (
                            "updated_at",
                            models.DateTimeField(blank=True, editable=False, verbose_name="updated"),
                        ),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "municipality",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="core.municipality",
                                verbose_name="municipality",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical retention rule",
                        "verbose_name_plural": "historical retention rules",
                        "db_table": "core_historicalretentionrule",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="PrivacyLog",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("search", "Search for a person"),
                                    ("export", "Export of a person's data"),
                                    ("erase", "Erasure of a person's data"),
                                    ("purge", "Purge after the retention period"),
                                    ("rules", "Retention periods changed"),
                                ],
                                max_length=10,
                                verbose_name="action",
                            ),
                        ),
                        ("actor", models.CharField(max_length=150, verbose_name="by")),
                        ("detail", models.JSONField(default=dict, verbose_name="detail")),
                        ("counts", models.JSONField(default=dict, verbose_name="counts")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="time")),
                        (
                            "municipality",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="core.municipality",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "privacy log entry",
                        "verbose_name_plural": "privacy log",
                        "db_table": "core_privacylog",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [
                            models.Index(
                                fields=["municipality", "-created_at"], name="privacy_log_tenant_time"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="RetentionRule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=60, verbose_name="kind of record")),
                        ("days", models.PositiveIntegerField(verbose_name="kept for (days)")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                        (
                            "municipality",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="retention_rules",
                                to="core.municipality",
                                verbose_name="municipality",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "retention rule",
                        "verbose_name_plural": "retention rules",
                        "db_table": "core_retentionrule",
                        "ordering": ["municipality", "kind"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("municipality", "kind"), name="retention_rule_unique"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
