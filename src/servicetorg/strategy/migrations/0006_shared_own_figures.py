"""The front desk's figures and the standard surveys' indexes become shared definitions.

Until now ``record_inquiry_kpis`` made one indicator per municipality for each front-desk figure, and
the standard survey's index was each municipality's own indicator. They are now national rows
(``municipality`` None) with a value per municipality, so benchmarking can compare them. This
migration merges the existing per-municipality rows of those codes into one national row per code:
values, goal indicators and status sections are moved to it, then the local row is deleted.

It lives in the strategy app because strategy (the last app referring to indicators) must be moved
too. Reversing it leaves the national rows as they are (nothing is lost).
"""

from django.db import migrations

#: code → the sources a local row of that code may have (other rows with the code are left alone)
SHARED = {
    "henvendelser-svart-i-tide": "inquiry_kpi",
    "henvendelser-ferdigbehandlet-i-skranken": "inquiry_kpi",
    "henvendelser-median-svartid": "inquiry_kpi",
    "henvendelser-antall": "inquiry_kpi",
    "tilfredshet-servicetorget": "survey",
    "tilfredshet-etter-sak": "survey",
}

COPIED = ["name", "description", "unit_of_measure", "direction", "source", "aspect", "sector"]


def merge(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    IndicatorValue = apps.get_model("indicators", "IndicatorValue")
    GoalIndicator = apps.get_model("strategy", "GoalIndicator")
    Through = apps.get_model("strategy", "StatusSection").indicators.through
    for code, source in SHARED.items():
        local = list(
            Indicator.objects.filter(municipality__isnull=False, code=code, source=source).order_by("pk")
        )
        if not local:
            continue
        national = Indicator.objects.filter(municipality__isnull=True, code=code).first()
        if national is None:
            national = Indicator.objects.create(
                municipality=None, code=code, **{f: getattr(local[0], f) for f in COPIED}
            )
        for row in local:
            for value in IndicatorValue.objects.filter(indicator=row):
                clash = IndicatorValue.objects.filter(
                    indicator=national,
                    municipality_id=value.municipality_id,
                    unit_id=value.unit_id,
                    year=value.year,
                ).exists()
                if clash:  # the national row already has it: keep that one
                    value.delete()
                else:
                    value.indicator = national
                    value.save(update_fields=["indicator"])
            for link in GoalIndicator.objects.filter(indicator=row):
                if GoalIndicator.objects.filter(goal_id=link.goal_id, indicator=national).exists():
                    continue  # the goal already follows the national row (kept; the local link is protected)
                link.indicator = national
                link.save(update_fields=["indicator"])
            for through in Through.objects.filter(indicator=row):
                if not Through.objects.filter(
                    statussection_id=through.statussection_id, indicator=national
                ).exists():
                    Through.objects.create(statussection_id=through.statussection_id, indicator=national)
                through.delete()
            if not GoalIndicator.objects.filter(indicator=row).exists():
                row.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("strategy", "0005_report_bodies"),
        ("indicators", "0002_historicalindicator_denominator_and_more"),
    ]

    operations = [migrations.RunPython(merge, migrations.RunPython.noop)]
