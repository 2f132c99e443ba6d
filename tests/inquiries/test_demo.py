import pytest

from servicetorg.inquiries import demo, selectors
from servicetorg.inquiries.models import DailyStat, Inquiry
from tests.factories import make_service

pytestmark = [pytest.mark.slow, pytest.mark.django_db]  # slow: loads the demo


def test_demo_is_idempotent_and_fills_rollups(municipality, unit, desk_worker):
    make_service(municipality, unit=unit, slug="barnehageplass")
    make_service(municipality, unit=unit, slug="byggesak", name="Byggesak")
    demo.load(municipality, seed=7, target=3000)
    count = Inquiry.objects.filter(municipality=municipality).count()
    assert 2500 < count < 3500
    demo.load(municipality, seed=7, target=3000)
    assert Inquiry.objects.filter(municipality=municipality).count() == count
    start, end = selectors.default_period()
    board = selectors.dashboard(municipality.pk, start, end)
    assert board.total == sum(DailyStat.objects.values_list("received", flat=True)) == count
    assert board.breached > 0 and board.median_hours is not None
    # Weekdays are busier than weekends.
    by_weekday = [0] * 7
    for day, n in DailyStat.objects.values_list("day", "received"):
        by_weekday[day.weekday()] += n
    assert by_weekday[0] > 3 * by_weekday[6]


def test_demo_contact_persons_do_the_work_and_no_service_takes_the_year(municipality, unit, desk_worker):
    from django.db.models import Count

    from servicetorg.core.choices import Role
    from tests.factories import make_staff

    officer = make_staff(Role.CASE_OFFICER, municipality, unit)
    council = make_staff(Role.COUNCIL, municipality)
    for i in range(8):
        make_service(municipality, unit=unit, slug=f"tjeneste-{i}", name=f"Tjeneste {i}")
    demo.load(municipality, seed=7, target=3000)
    inquiries = Inquiry.objects.filter(municipality=municipality)
    owners = set(inquiries.values_list("contact_person", flat=True))
    assert owners <= {desk_worker.pk, officer.pk}
    assert council.pk not in owners
    # Forwarded inquiries are owned by someone of their unit; desk registrations by the desk.
    assert not inquiries.filter(unit=unit).exclude(contact_person=officer).exists()
    registrars = set(inquiries.exclude(registered_by=None).values_list("registered_by", flat=True))
    assert registrars == {desk_worker.pk}
    biggest = inquiries.exclude(service=None).values("service").annotate(n=Count("pk")).order_by("-n")[0]["n"]
    assert biggest < 0.5 * inquiries.exclude(service=None).count()


def test_demo_places_only_on_services_that_ask_for_a_location(municipality, unit, desk_worker):
    from servicetorg.inquiries.services import clean_location

    road = make_service(municipality, unit=unit, slug="feil-pa-vei", name="Feil på vei")
    road.asks_location = True
    road.save()
    make_service(municipality, unit=unit, slug="barnehageplass")
    demo.load(municipality, seed=7, target=600)
    on_road = Inquiry.objects.filter(service=road)
    placed = on_road.filter(latitude__isnull=False)
    assert placed.count() > on_road.count() / 2 and on_road.exclude(address="").exists()
    assert not Inquiry.objects.exclude(service=road).filter(latitude__isnull=False).exists()
    assert not Inquiry.objects.exclude(service=road).exclude(address="").exists()
    for inquiry in placed[:50]:  # every place passes the rules the intake applies
        clean_location(inquiry.latitude, inquiry.longitude, inquiry.address)
