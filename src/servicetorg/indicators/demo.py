"""Demo indicators: four national KOSTRA indicators imported from the shipped JSON-stat file (SSB's
format, table 12362-like) and eight of the municipality's own (inquiry KPIs, survey results, own
measurements) with values for 2023–2026. Idempotent: values are upserted."""

from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from servicetorg.core.permissions import SYSTEM

from . import services, survey_figures
from .inquiry_kpis import record_inquiry_kpis
from .models import Aspect, Direction, ImportRun, Indicator, Source

DATA_FILE = Path(__file__).resolve().parent / "data" / "ssb_12362_kostra_example.json"

H, L = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER

#: code, name, unit of measure, direction, aspect, SSB content code
KOSTRA = [
    ("barnehagedekning", "Andel barn 1–5 år med barnehageplass", "%", H, Aspect.VOLUME, "KOSandel120000"),
    (
        "bhg-kostnad-per-barn",
        "Korrigerte brutto driftsutgifter per barn i kommunal barnehage",
        "kr",
        L,
        Aspect.RESOURCES,
        "KOSkorrbrutto0000",
    ),
    (
        "byggesak-saksbehandlingstid",
        "Saksbehandlingstid for byggesaker med 12 ukers frist",
        "dager",
        L,
        Aspect.QUALITY,
        "KOSsaksbehtid0000",
    ),
    (
        "andel-80-hjemme",
        "Andel innbyggere 80 år og over som bor hjemme",
        "%",
        H,
        Aspect.VOLUME,
        "KOSandelhjemme0000",
    ),
]

#: code, name, unit of measure, direction, source, aspect, values 2023–2026
OWN = [
    (
        "epost-svar-1-virkedag",
        "Andel e-poster besvart innen én virkedag",
        "%",
        H,
        Source.INQUIRY_KPI,
        Aspect.QUALITY,
        [71, 78, 84, 88],
    ),
    (
        "ferdig-i-servicetorget",
        "Andel henvendelser ferdigbehandlet i servicetorget",
        "%",
        H,
        Source.INQUIRY_KPI,
        Aspect.VOLUME,
        [52, 55, "57.6", "60.3"],
    ),
    (
        "tilfredshet-servicetorget",
        "Brukertilfredshet i servicetorget (skala 1–6)",
        "poeng",
        H,
        Source.SURVEY,
        Aspect.QUALITY,
        ["4.6", "4.7", "4.9", "5.0"],
    ),
    (
        "foreldretilfredshet-barnehage",
        "Foreldretilfredshet i barnehagene (skala 1–6)",
        "poeng",
        H,
        Source.SURVEY,
        Aspect.QUALITY,
        ["5.0", "5.1", "5.0", "5.1"],
    ),
    (
        "ventetid-sykehjem",
        "Gjennomsnittlig ventetid på sykehjemsplass",
        "dager",
        L,
        Source.OWN,
        Aspect.QUALITY,
        [48, 45, 44, 43],
    ),
    (
        "tilfredshet-hjemmetjenesten",
        "Brukertilfredshet i hjemmetjenesten (skala 1–6)",
        "poeng",
        H,
        Source.SURVEY,
        Aspect.QUALITY,
        ["4.8", "4.9", "5.0", "5.1"],
    ),
    (
        "sykefravaer",
        "Sykefravær blant kommunens ansatte",
        "%",
        L,
        Source.OWN,
        Aspect.RESOURCES,
        ["9.1", "8.8", "8.4", "8.1"],
    ),
    (
        "digitale-soknader",
        "Andel søknader levert digitalt",
        "%",
        H,
        Source.OWN,
        Aspect.VOLUME,
        [62, 70, 77, 83],
    ),
]


@transaction.atomic
def load(municipality, *, seed: int) -> None:
    for code, name, unit, direction, aspect, content in KOSTRA:
        Indicator.objects.update_or_create(
            municipality=None,
            code=code,
            defaults={
                "name": name,
                "unit_of_measure": unit,
                "direction": direction,
                "source": Source.KOSTRA,
                "aspect": aspect,
                "kostra_table": "12362",
                "kostra_code": content,
            },
        )
    if not ImportRun.objects.filter(municipality=municipality, file_name=DATA_FILE.name).exists():
        services.import_jsonstat(
            DATA_FILE.read_bytes(), municipalities=[municipality], file_name=DATA_FILE.name, user=SYSTEM
        )
    shared = set(survey_figures.shared_codes())
    for code, name, unit, direction, source, aspect, values in OWN:
        # The standard survey's index is a shared definition (national); the rest are the demo's own.
        indicator, _created = Indicator.objects.update_or_create(
            municipality=None if code in shared else municipality,
            code=code,
            defaults={
                "name": name,
                "unit_of_measure": unit,
                "direction": direction,
                "source": source,
                "aspect": aspect,
            },
        )
        for year, value in zip(range(2023, 2027), values, strict=True):
            services.record_value(
                indicator=indicator,
                municipality=municipality,
                year=year,
                value=Decimal(str(value)),
                source=source,
                user=SYSTEM,
            )
    # The front desk's own figures, from the demo year of inquiries (module 2).
    today = timezone.localdate()
    for year in (today.year - 1, today.year):
        record_inquiry_kpis(municipality, year, user=SYSTEM)
