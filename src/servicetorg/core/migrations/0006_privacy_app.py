from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_municipality_map_center"),
    ]

    # The retention rules and the privacy log moved to the privacy app (issue 19 §5). The tables keep
    # their names (core_retentionrule, core_historicalretentionrule, core_privacylog): only Django's
    # idea of which app owns them changes; privacy's 0001 takes them over.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="privacylog",
                    name="municipality",
                ),
                migrations.RemoveField(
                    model_name="privacylog",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="retentionrule",
                    name="municipality",
                ),
                migrations.DeleteModel(
                    name="HistoricalRetentionRule",
                ),
                migrations.DeleteModel(
                    name="PrivacyLog",
                ),
                migrations.DeleteModel(
                    name="RetentionRule",
                ),
            ],
            database_operations=[],
        ),
    ]
