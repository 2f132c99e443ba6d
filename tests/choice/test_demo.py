"""The brukervalg demo: providers, 1 000 users, 12 months of choices close to the Oslo pilot's
11 % / 21 %, a withdrawn provider's users moved, visits; loading it twice changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from stdnum.no import orgnr

from servicetorg.catalogue import demo as catalogue_demo
from servicetorg.choice import demo, demo_users
from servicetorg.choice.models import (
    Application,
    ApplicationState,
    Choice,
    ChoiceHow,
    Decision,
    Provider,
    ProviderMember,
    Scheme,
    Settlement,
    SettlementState,
    Visit,
    VisitState,
    WaitingEntry,
    WaitingState,
)
from servicetorg.citizens import demo as citizens_demo
from servicetorg.core import demo as core_demo
from servicetorg.core.crypto import national_id_digest
from servicetorg.core.synthetic_ids import is_synthetic_national_id

pytestmark = pytest.mark.slow  # loads the demo


def _load(municipality):
    catalogue_demo.load(municipality, seed=2026)
    core_demo.load_users(municipality)
    citizens_demo.load(municipality, seed=2026)
    demo.load(municipality, seed=2026)


def _counts():
    return [m.objects.count() for m in (Provider, Application, Decision, Choice, WaitingEntry, Visit)]


def test_demo(municipality):
    """One load (it takes seconds), then each part."""
    _load(municipality)
    loads_once(municipality)
    providers_and_applications()
    shares_are_close_to_the_oslo_pilot()
    people_are_synthetic_and_ingrid_has_visits_to_attest()


def loads_once(loaded):
    before = _counts()
    demo.load(loaded, seed=2026)
    assert _counts() == before
    assert Decision.objects.count() == 1000


def providers_and_applications():
    scheme = Scheme.objects.get(state="adopted")
    municipal = Provider.objects.get(unit__isnull=False)
    assert scheme.default_provider == municipal
    approved = Application.objects.filter(scheme=scheme, state=ApplicationState.APPROVED)
    assert approved.filter(provider__unit__isnull=True).count() == 7
    assert approved.filter(provider=municipal).exists()
    assert Application.objects.filter(state=ApplicationState.SUBMITTED).count() == 1
    rejected = Application.objects.get(state=ApplicationState.REJECTED)
    assert rejected.reason
    withdrawn = Application.objects.get(state=ApplicationState.WITHDRAWN)
    assert withdrawn.effective_on
    for provider in Provider.objects.filter(unit__isnull=True):
        assert orgnr.is_valid(provider.organization_number)
    assert ProviderMember.objects.filter(user__username="leverandor").count() == 1
    # the withdrawn provider serves nobody after its withdrawal; its users were moved
    assert not Choice.objects.filter(
        provider=withdrawn.provider, effective_from__gte=withdrawn.effective_on
    ).exists()
    assert Choice.objects.filter(how=ChoiceHow.MOVED, effective_from=withdrawn.effective_on).exists()


def shares_are_close_to_the_oslo_pilot():
    today = timezone.localdate()
    current = Choice.objects.filter(effective_from__lte=today, decision__state="in_force").exclude(
        effective_until__lt=today
    )
    private = current.filter(provider__unit__isnull=True).count() / current.count()
    new = current.filter(decision__valid_from__gt=today - timedelta(days=365))
    new_private = new.filter(provider__unit__isnull=True).count() / new.count()
    assert 0.09 <= private <= 0.13
    assert 0.17 <= new_private <= 0.25
    assert current.count() == current.values("decision").distinct().count()  # one provider at a time
    assert WaitingEntry.objects.filter(state=WaitingState.WAITING).count() >= 3
    assert WaitingEntry.objects.filter(state=WaitingState.PLACED).exists()


def people_are_synthetic_and_ingrid_has_visits_to_attest():
    for decision in Decision.objects.order_by("pk")[:50]:
        assert is_synthetic_national_id(decision.national_id)
    ingrid = Decision.objects.get(national_id_digest=national_id_digest(demo_users.INGRID))
    assert ingrid.choices.get().provider.name == "Fjordvik Hjemmehjelp AS"
    assert Visit.objects.filter(decision=ingrid, state=VisitState.REGISTERED).exists()
    assert Visit.objects.filter(decision=ingrid, state=VisitState.ATTESTED).exists()
    # visits: last three months, mostly attested, continuity differs between providers
    visits = Visit.objects.all()
    assert visits.filter(state=VisitState.ATTESTED).count() / visits.count() > 0.8
    assert set(Settlement.objects.values_list("state", flat=True)) == {
        SettlementState.PAID,
        SettlementState.APPROVED,
    }
    assert Settlement.objects.values("month").distinct().count() == 2
    full = Provider.objects.get(name="Nabohjelpen Fjordvik SA")
    today = timezone.localdate()
    serving = Choice.objects.filter(provider=full, effective_from__lte=today, state="current").count()
    assert serving >= full.capacity_users
    assert not visits.filter(
        starts_at__lt=timezone.now() - timedelta(days=demo_users.VISIT_DAYS + 2)
    ).exists()
