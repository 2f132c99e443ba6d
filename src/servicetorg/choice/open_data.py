"""What user choice publishes as open data (registered in core's open-data registry): the providers
a user may choose in each scheme in force — name, organisation number, whether it is the
municipality's own, districts, languages, a fixed helper, whether it takes new users — as CSV and
JSON. Never personal data: no user, decision or visit, only the registry of providers and one
count per provider to say whether it is full. Three queries whatever the number of providers.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from django.db.models import Count, Max, Q
from django.utils import timezone

from servicetorg.core.opendata import Concept, Dataset, csv_and_json

from .models import Application, ApplicationState, ChoiceState, Provider, Scheme, SchemeState
from .selectors import public_schemes

CSV_COLUMNS = [
    "ordning",
    "ordning_versjon",
    "tjeneste",
    "leverandor",
    "organisasjonsnummer",
    "kommunal",
    "bydeler",
    "sprak",
    "fast_hjelper",
    "tar_nye_brukere",
    "kapasitet_brukere",
]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def rows(municipality, day: date | None = None) -> list[dict]:
    """One row per scheme in force and provider a user may choose there (approved, or the default)."""
    day = day or timezone.localdate()
    schemes = list(public_schemes(municipality, day))
    if not schemes:
        return []
    approved = set(
        Application.objects.filter(scheme__in=schemes, state=ApplicationState.APPROVED).values_list(
            "scheme_id", "provider_id"
        )
    )
    approved |= {(s.pk, s.default_provider_id) for s in schemes if s.default_provider_id}
    # Users now or to come (choices.taken): the same count for every provider in one query.
    taken = Count(
        "choices__decision",
        distinct=True,
        filter=Q(choices__state=ChoiceState.CURRENT)
        & (Q(choices__effective_until__isnull=True) | Q(choices__effective_until__gte=day)),
    )
    providers = {
        p.pk: p
        for p in Provider.objects.filter(pk__in={p for _, p in approved}, municipality=municipality).annotate(
            taken=taken
        )
    }
    out = []
    for scheme in schemes:
        chosen = sorted(
            (providers[p] for s, p in approved if s == scheme.pk and p in providers),
            key=lambda p: (not p.is_municipal, p.name),
        )
        for provider in chosen:
            full = bool(provider.capacity_users) and provider.taken >= provider.capacity_users
            out.append(
                {
                    "ordning": scheme.name,
                    "ordning_versjon": scheme.version,
                    "tjeneste": scheme.service.name,
                    "leverandor": provider.name,
                    "organisasjonsnummer": provider.organization_number,
                    "kommunal": provider.is_municipal,
                    "bydeler": _split(provider.districts),
                    "sprak": _split(provider.languages),
                    "fast_hjelper": provider.fixed_helper,
                    "tar_nye_brukere": not full,
                    "kapasitet_brukere": provider.capacity_users or None,
                }
            )
    return out


def _cell(value) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, list):
        return "; ".join(value)
    return "" if value is None else str(value)


def csv_text(municipality) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows(municipality):
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return out.getvalue()


def json_text(municipality) -> str:
    """``{"kommune": …, "ordninger": [{"ordning": …, "leverandorer": [...]}]}``."""
    schemes: dict[tuple[str, int], dict] = {}
    for row in rows(municipality):
        key = (row["ordning"], row["ordning_versjon"])
        entry = schemes.setdefault(
            key,
            {
                "ordning": row["ordning"],
                "versjon": row["ordning_versjon"],
                "tjeneste": row["tjeneste"],
                "leverandorer": [],
            },
        )
        entry["leverandorer"].append(
            {k: v for k, v in row.items() if k not in ("ordning", "ordning_versjon", "tjeneste")}
        )
    document = {
        "kommune": municipality.name,
        "kommunenummer": municipality.number,
        "dato": timezone.localdate().isoformat(),
        "ordninger": list(schemes.values()),
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def _temporal(municipality) -> tuple[date | None, date | None]:
    """From the first scheme in force (its first version) until now (open-ended)."""
    first = public_schemes(municipality).order_by("valid_from").values_list("valid_from", flat=True).first()
    first_ever = (
        Scheme.objects.filter(municipality=municipality, state__in=[SchemeState.ADOPTED, SchemeState.ENDED])
        .order_by("valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )
    return (first_ever or first), None


def _modified(municipality):
    return Provider.objects.filter(municipality=municipality).aggregate(changed=Max("created_at"))["changed"]


DATASETS = [
    Dataset(
        key="brukervalg-leverandorer",
        position=80,
        title={
            "nb": "Godkjente leverandører i brukervalg",
            "nn": "Godkjende leverandørar i brukarval",
            "en": "Approved providers in user choice",
        },
        description={
            "nb": "Leverandørene brukerne kan velge mellom i hver brukervalgordning som gjelder: navn, "
            "organisasjonsnummer, om den er kommunens egen, bydeler, språk, fast hjelper og om den tar imot "
            "nye brukere.",
            "nn": "Leverandørane brukarane kan velje mellom i kvar brukarvalordning som gjeld: namn, "
            "organisasjonsnummer, om han er kommunen sin eigen, bydelar, språk, fast hjelpar og om han tek "
            "imot nye brukarar.",
            "en": "The providers users may choose between in each user-choice scheme in force: name, "
            "organisation number, whether it is the municipality's own, districts, languages, a fixed "
            "helper and whether it takes new users.",
        },
        distributions=csv_and_json(
            "brukervalg-leverandorer",
            {"nb": "Leverandører", "nn": "Leverandørar", "en": "Providers"},
            csv=csv_text,
            json=json_text,
        ),
        themes=("SOCI", "HEAL"),
        los_themes=("helse-og-omsorg",),
        keywords={"nb": ("brukervalg", "hjemmehjelp", "leverandør"), "en": ("user choice", "home help")},
        frequency="IRREG",
        concepts=("brukervalg",),
        temporal=_temporal,
        modified=_modified,
    ),
]

CONCEPTS = [
    Concept(
        key="brukervalg",
        term={"nb": "brukervalg", "nn": "brukarval", "en": "user choice"},
        definition={
            "nb": "Ordning der innbyggerne selv velger mellom flere godkjente leverandører av en kommunal "
            "tjeneste. Kommunen har fortsatt ansvaret for tjenesten og avgjør hvem som får den.",
            "nn": "Ordning der innbyggjarane sjølve vel mellom fleire godkjende leverandørar av ei kommunal "
            "teneste. Kommunen har framleis ansvaret for tenesta og avgjer kven som får ho.",
            "en": "A scheme in which residents choose between several approved providers of a municipal "
            "service. The municipality keeps the responsibility for the service and decides who gets it.",
        },
        alternative_terms={"nb": ("fritt brukervalg",), "en": ("free choice of provider",)},
    ),
]

# School choice (issue 22): the published cutoff per round and school (choice/schools/open_data.py).
from .schools import open_data as _school_open_data  # noqa: E402

DATASETS = [*DATASETS, *_school_open_data.DATASETS]
CONCEPTS = [*CONCEPTS, *_school_open_data.CONCEPTS]
