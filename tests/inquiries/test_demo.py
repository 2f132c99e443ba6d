import pytest

from servicetorg.inquiries import demo, selectors
from servicetorg.inquiries.models import DailyStat, Inquiry
from tests.factories import make_service

pytestmark = pytest.mark.django_db


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
