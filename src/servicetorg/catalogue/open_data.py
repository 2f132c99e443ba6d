"""What the service catalogue publishes as open data (registered in core's open-data registry)."""

from django.db.models import Max, Min

from servicetorg.core.opendata import Concept, Dataset, Distribution, Vocabulary, vocab

from . import cpsv, declarations
from .models import Service, ServiceState


def _published(municipality):
    return Service.objects.filter(municipality=municipality, state=ServiceState.PUBLISHED)


def _temporal(municipality):
    first = _published(municipality).aggregate(first=Min("published_version__published_at"))["first"]
    return first, None


def _modified(municipality):
    return Service.objects.filter(municipality=municipality).aggregate(changed=Max("updated_at"))["changed"]


def _turtle(municipality, base_url):
    return cpsv.serialize(municipality, "turtle", base_url=base_url)


def _jsonld(municipality, base_url):
    return cpsv.serialize(municipality, "json-ld", base_url=base_url)


def _declarations_turtle(municipality, base_url):
    return declarations.serialize(municipality, "turtle", base_url=base_url)


def _declarations_jsonld(municipality, base_url):
    return declarations.serialize(municipality, "json-ld", base_url=base_url)


def _declarations_csv(municipality, base_url):
    return declarations.csv_text(municipality, base_url=base_url)


SERVICE_DECLARATION_VOCABULARY = "https://w3id.org/servicetorg/serviceerklaering"

VOCABULARIES = [Vocabulary(filename="serviceerklaering.ttl", path=declarations.VOCABULARY_PATH)]

DATASETS = [
    Dataset(
        key="tjenestekatalog",
        position=10,
        title={
            "nb": "Tjenestekatalog",
            "nn": "Tenestekatalog",
            "en": "Service catalogue",
        },
        description={
            "nb": "Kommunens publiserte tjenestebeskrivelser etter CPSV-AP-NO: hva tjenesten er, "
            "hvem den er for, kontaktpunkt, kanaler, pris, regelverk, dokumentasjon og behandlingstid.",
            "nn": "Dei publiserte tenesteskildringane til kommunen etter CPSV-AP-NO.",
            "en": "The municipality's published service descriptions in CPSV-AP-NO: what each service "
            "is, who it is for, contact point, channels, price, rules, evidence and processing time.",
        },
        distributions=(
            Distribution(
                filename="tjenester.ttl",
                title={"nb": "Tjenestekatalog (Turtle)", "en": "Service catalogue (Turtle)"},
                media_type="text/turtle",
                file_type="RDF_TURTLE",
                render=_turtle,
                conforms_to=(vocab.CPSV_AP_NO,),
            ),
            Distribution(
                filename="tjenester.jsonld",
                title={"nb": "Tjenestekatalog (JSON-LD)", "en": "Service catalogue (JSON-LD)"},
                media_type="application/ld+json",
                file_type="JSON_LD",
                render=_jsonld,
                conforms_to=(vocab.CPSV_AP_NO,),
            ),
        ),
        themes=("GOVE",),
        los_themes=("demokrati-og-innbyggerrettigheter",),
        keywords={
            "nb": ("tjenestekatalog", "tjenestebeskrivelse", "CPSV-AP-NO"),
            "en": ("service catalogue",),
        },
        frequency="CONT",
        concepts=("tjenestebeskrivelse", "tjenesteomrade", "tjenestetrappa"),
        temporal=_temporal,
        modified=_modified,
        conforms_to=(vocab.CPSV_AP_NO,),
    ),
    Dataset(
        key="serviceerklaeringer",
        position=20,
        title={
            "nb": "Serviceerklæringer og brukergarantier",
            "nn": "Serviceerklæringar og brukargarantiar",
            "en": "Service declarations and user guarantees",
        },
        description={
            "nb": "Hva kommunen lover brukerne av hver tjeneste: frister for svar, vedtak og levering, "
            "og hva brukeren får om et løfte brytes (brukergaranti og kompensasjon).",
            "nn": "Kva kommunen lovar brukarane av kvar teneste: fristar for svar, vedtak og levering, "
            "og kva brukaren får om ein lovnad vert broten.",
            "en": "What the municipality promises the users of each service: time limits for reply, "
            "decision and delivery, and what the user gets if a promise is broken.",
        },
        distributions=(
            Distribution(
                filename="serviceerklaeringer.csv",
                title={
                    "nb": "Serviceerklæringer (CSV, én rad per løfte)",
                    "en": "Service declarations (CSV)",
                },
                media_type="text/csv",
                file_type="CSV",
                render=_declarations_csv,
            ),
            Distribution(
                filename="serviceerklaeringer.ttl",
                title={"nb": "Serviceerklæringer (Turtle)", "en": "Service declarations (Turtle)"},
                media_type="text/turtle",
                file_type="RDF_TURTLE",
                render=_declarations_turtle,
                conforms_to=(SERVICE_DECLARATION_VOCABULARY,),
            ),
            Distribution(
                filename="serviceerklaeringer.jsonld",
                title={"nb": "Serviceerklæringer (JSON-LD)", "en": "Service declarations (JSON-LD)"},
                media_type="application/ld+json",
                file_type="JSON_LD",
                render=_declarations_jsonld,
                conforms_to=(SERVICE_DECLARATION_VOCABULARY,),
            ),
        ),
        themes=("GOVE",),
        los_themes=("demokrati-og-innbyggerrettigheter",),
        keywords={"nb": ("serviceerklæring", "brukergaranti", "frister"), "en": ("service declaration",)},
        frequency="CONT",
        concepts=("serviceerklaering", "brukergaranti"),
        temporal=_temporal,
        modified=_modified,
        conforms_to=(SERVICE_DECLARATION_VOCABULARY,),
    ),
]

CONCEPTS = [
    Concept(
        key="tjenestebeskrivelse",
        term={"nb": "tjenestebeskrivelse", "nn": "tenesteskildring", "en": "service description"},
        definition={
            "nb": "Beskrivelse av en kommunal tjeneste etter en fast mal: hva tjenesten er, hvem den er "
            "for, hva brukeren kan forvente og må gjøre, pris, saksgang, regelverk og kontakt.",
            "nn": "Skildring av ei kommunal teneste etter ein fast mal: kva tenesta er, kven ho er for, "
            "kva brukaren kan vente og må gjere, pris, saksgang, regelverk og kontakt.",
            "en": "A description of a municipal service after a fixed template: what the service is, who "
            "it is for, what the user can expect and must do, price, case flow, rules and contact.",
        },
        see_also=("serviceerklaering",),
    ),
    Concept(
        key="serviceerklaering",
        term={"nb": "serviceerklæring", "nn": "serviceerklæring", "en": "service declaration"},
        definition={
            "nb": "Kommunens skriftlige løfte til brukerne av en tjeneste om hva de kan forvente, "
            "med frister for svar, vedtak eller levering.",
            "nn": "Den skriftlege lovnaden til kommunen til brukarane av ei teneste om kva dei kan vente, "
            "med fristar for svar, vedtak eller levering.",
            "en": "The municipality's written promise to the users of a service about what they can "
            "expect, with time limits for reply, decision or delivery.",
        },
        see_also=("brukergaranti", "tjenestebeskrivelse"),
    ),
    Concept(
        key="brukergaranti",
        term={"nb": "brukergaranti", "nn": "brukargaranti", "en": "user guarantee"},
        definition={
            "nb": "Det brukeren får dersom kommunen bryter et løfte i serviceerklæringen, for eksempel "
            "en unnskyldning, raskere behandling eller et beløp i kompensasjon.",
            "nn": "Det brukaren får dersom kommunen bryt ein lovnad i serviceerklæringa, til dømes ei "
            "orsaking, raskare handsaming eller eit beløp i kompensasjon.",
            "en": "What the user gets if the municipality breaks a promise of the service declaration, "
            "such as an apology, faster handling or an amount of compensation.",
        },
        see_also=("serviceerklaering",),
    ),
    Concept(
        key="tjenestetrappa",
        term={"nb": "tjenestetrappa", "nn": "tenestetrappa", "en": "service ladder"},
        definition={
            "nb": "Seks trinn som viser hvor langt servicetorget kan ta en sak: 1 mottak, 2 generell "
            "informasjon, 3 individuell informasjon, 4 saksforberedelse, 5 regelstyrt saksbehandling "
            "og 6 skjønnsbasert saksbehandling.",
            "nn": "Seks trinn som viser kor langt servicetorget kan ta ei sak: 1 mottak, 2 generell "
            "informasjon, 3 individuell informasjon, 4 saksførebuing, 5 regelstyrt sakshandsaming "
            "og 6 skjønsbasert sakshandsaming.",
            "en": "Six steps that show how far the service desk can take a case: 1 reception, 2 general "
            "information, 3 individual information, 4 preparatory case handling, 5 rule-based and "
            "6 discretionary case handling.",
        },
        see_also=("servicetorg",),
    ),
    Concept(
        key="tjenesteomrade",
        term={"nb": "tjenesteområde", "nn": "tenesteområde", "en": "service area"},
        definition={
            "nb": "En gruppe kommunale tjenester som hører sammen, som skole, barnehage eller "
            "pleie og omsorg.",
            "nn": "Ei gruppe kommunale tenester som høyrer saman, som skule, barnehage eller "
            "pleie og omsorg.",
            "en": "A group of municipal services that belong together, such as school, kindergarten or care.",
        },
    ),
]
