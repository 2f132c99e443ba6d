"""Demo: Fjordvik's user-choice scheme for practical help at home (praktisk bistand), adopted by the
council, version 2 in force and the version 1 it replaced. Idempotent; dates follow today's year,
so the in-force version is the current one whenever the demo is loaded."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from servicetorg.catalogue.models import Service
from servicetorg.core.permissions import SYSTEM

from . import demo_users, services
from .models import Band, DefaultRule, Mode, PriceModel, Scheme
from .schools import demo as schools_demo

SERVICE_SLUG = "praktisk-bistand"
NAME = "Brukervalg i praktisk bistand (hjemmehjelp)"
REQUIREMENTS = (
    "Leverandøren må ha organisasjonsnummer, være registrert i Merverdiavgiftsregisteret og ha ordnede "
    "forhold for skatt og avgifter. Ansatte skal ha relevant opplæring, kunne norsk muntlig og skriftlig, "
    "og legge fram politiattest. Leverandøren skal ha et internkontrollsystem, melde avvik til kommunen "
    "og dokumentere hvert besøk i kommunens fagsystem."
)
TERMS = (
    "Kontrakten gjelder så lenge ordningen gjelder, med tre måneders gjensidig oppsigelse. Kommunen betaler "
    "per utført time etter vedtaket, månedlig etterskuddsvis. Leverandøren skal kunne ta imot nye brukere "
    "innen fem virkedager, eller melde at den er full."
)
#: (band, running costs, capital costs, share of common costs) for each version; price = the sum.
RATES = {
    1: [
        (Band.DAY, "440", "22", "112"),
        (Band.EVENING, "512", "26", "124"),
        (Band.WEEKEND, "573", "28", "134"),
    ],
    2: [
        (Band.DAY, "468", "24", "120"),
        (Band.EVENING, "548", "28", "132"),
        (Band.WEEKEND, "612", "30", "144"),
    ],
}


def _rates(version: int) -> dict:
    return {
        band: {
            "amount": Decimal(running) + Decimal(capital) + Decimal(common),
            "minimum_minutes": 30,
            "running_costs": Decimal(running),
            "capital_costs": Decimal(capital),
            "common_costs": Decimal(common),
        }
        for band, running, capital, common in RATES[version]
    }


@transaction.atomic
def load(municipality, *, seed: int) -> None:
    service = Service.objects.filter(municipality=municipality, slug=SERVICE_SLUG).first()
    if service is not None:
        _user_choice(municipality, service, seed=seed)
    schools_demo.load(municipality, seed=seed)  # 12 schools, a published round of 2 000, an open one


def _user_choice(municipality, service, *, seed: int) -> None:
    if not Scheme.objects.filter(municipality=municipality, service=service).exists():
        _schemes(municipality, service)
    scheme = demo_users.current_scheme(municipality, service)
    if scheme is not None:
        demo_users.load(municipality, scheme, seed=seed)


def _schemes(municipality, service) -> None:
    year = timezone.localdate().year
    first = services.create_scheme(
        municipality=municipality,
        service=service,
        name=NAME,
        mode=Mode.APPROVAL,
        price_model=PriceModel.HOURLY,
        user=SYSTEM,
    )
    services.update_scheme(
        first,
        valid_from=date(year - 2, 1, 1),
        requirements=REQUIREMENTS,
        contract_terms=TERMS,
        default_rule=DefaultRule.MUNICIPAL,
        notice_days=0,
        notice_months=1,
        supplementary_services=True,
        rates=_rates(1),
        user=SYSTEM,
    )
    services.adopt(
        first,
        decision_date=date(year - 3, 11, 23),
        case_reference=f"PS 87/{(year - 3) % 100:02d}",
        user=SYSTEM,
    )
    second = services.new_version(Scheme.objects.get(pk=first.pk), user=SYSTEM)
    services.update_scheme(second, valid_from=date(year, 1, 1), rates=_rates(2), user=SYSTEM)
    services.adopt(
        second,
        decision_date=date(year - 1, 12, 11),
        case_reference=f"PS 112/{(year - 1) % 100:02d}",
        user=SYSTEM,
    )
