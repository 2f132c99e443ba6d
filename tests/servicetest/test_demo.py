"""The kommunetest's demo (servicetest/demo.py) over a small register: a published round over one
region per size band and Fjordvik, a round being tested, the coordinator and testers; loading it
again changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from servicetorg.benchmarking.models import OfficialValue, Region, RegionKind
from servicetorg.core.demo import DEMO_PASSWORD, load_municipality
from servicetorg.indicators.models import Indicator
from servicetorg.servicetest import demo
from servicetorg.servicetest.models import Item, ItemState, Round, RoundState

pytestmark = pytest.mark.django_db

REGISTER = [
    ("0301", "Oslo", 717000),
    ("1506", "Molde", 32000),
    ("1820", "Alstahaug", 7400),
    ("3905", "Tønsberg", 59000),
    ("3909", "Larvik", 48000),
    ("4601", "Bergen", 291000),
    ("5001", "Trondheim", 215000),
    ("1111", "Sokndal", 3300),
    ("5055", "Heim", 6000),
]


@pytest.fixture
def register(db):
    indicator = Indicator.objects.create(code="folkemengde", name="Folkemengde", unit_of_measure="personer")
    for code, name, population in REGISTER:
        Region.objects.create(code=code, name=name, kind=RegionKind.MUNICIPALITY, county_code=code[:2])
        OfficialValue.objects.create(
            indicator=indicator, region_code=code, year=2024, value=population, changed_at=timezone.now()
        )


def test_demo_publishes_a_round_and_leaves_one_running(register, client):
    fjordvik = load_municipality()
    demo.load(fjordvik, seed=2026)
    published = Round.objects.get(name=demo.PUBLISHED_NAME)
    assert published.state == RoundState.PUBLISHED
    codes = set(published.regions.values_list("code", flat=True))
    assert "3999" in codes and len(codes) == 5  # one per size band and Fjordvik
    assert "Drawn by size band" in published.sampling_note or "størrelse" in published.sampling_note.lower()
    assert all(r.total is not None for r in published.regions.all())
    assert not Item.objects.filter(round=published).exclude(state=ItemState.APPROVED).exists()
    running = Round.objects.get(name=demo.RUNNING_NAME)
    assert running.state == RoundState.RUNNING
    tester = get_user_model().objects.get(username="tester")
    assert tester.check_password(DEMO_PASSWORD)
    assert not running.items.filter(tester=tester, region__code="3909").exists()
    assert running.items.filter(tester=tester).exists()
    before = (Round.objects.count(), Item.objects.count())
    demo.load(fjordvik, seed=2026)
    assert (Round.objects.count(), Item.objects.count()) == before
    response = client.get(reverse("servicetest_public:round", kwargs={"pk": published.pk}))
    assert response.status_code == 200
