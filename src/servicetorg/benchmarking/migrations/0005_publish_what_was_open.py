"""Figures that were open data before the publication choice existed stay published.

Until the choice at /staff/statistikk/egne-tall/ governed the municipality's open data, every
municipality published its front desk and survey figures there. Those values are public already, so
this records them as published (chosen by the system, now); the administration can withdraw any of
them. A municipality with no values of a shared figure gets no choice: not published, as for a new one.
"""

from django.db import migrations
from django.utils import timezone

SHARED_SOURCES = ("inquiry_kpi", "survey")


def publish_what_was_open(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    IndicatorValue = apps.get_model("indicators", "IndicatorValue")
    Publication = apps.get_model("benchmarking", "Publication")
    shared = Indicator.objects.filter(municipality__isnull=True, source__in=SHARED_SOURCES)
    pairs = set(  # at most municipalities × shared figures rows, not one per value
        IndicatorValue.objects.filter(indicator__in=shared)
        .order_by()
        .values_list("municipality_id", "indicator_id")
        .distinct()
    )
    chosen = set(Publication.objects.values_list("municipality_id", "indicator_id"))
    now = timezone.now()
    Publication.objects.bulk_create(
        [
            Publication(municipality_id=m, indicator_id=i, published=True, chosen_at=now)
            for m, i in sorted(pairs - chosen)
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("benchmarking", "0004_compare_peer_groups"),
        ("strategy", "0006_shared_own_figures"),
    ]

    operations = [migrations.RunPython(publish_what_was_open, migrations.RunPython.noop)]
