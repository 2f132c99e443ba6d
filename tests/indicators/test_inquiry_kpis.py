from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators.inquiry_kpis import record_inquiry_kpis
from servicetorg.indicators.models import Indicator, IndicatorValue
from servicetorg.inquiries.models import DailyStat, Handling, ReplyTimeStat


@pytest.fixture
def year_of_inquiries(municipality):
    common = {"municipality": municipality, "channel": "email"}
    DailyStat.objects.create(
        day=date(2025, 3, 3),
        handling=Handling.RESOLVED_AT_DESK,
        received=30,
        replied=30,
        in_time=27,
        **common,
    )
    DailyStat.objects.create(
        day=date(2025, 9, 1), handling=Handling.FORWARDED, received=10, replied=10, in_time=3, **common
    )
    ReplyTimeStat.objects.create(day=date(2025, 3, 3), bucket=2, count=40, **common)
    return municipality


def test_figures_become_indicator_values(year_of_inquiries):
    values = {v.indicator.code: v for v in record_inquiry_kpis(year_of_inquiries, 2025, user=SYSTEM)}
    assert values["henvendelser-svart-i-tide"].value == pytest.approx(75.0)  # 30 of 40
    assert values["henvendelser-ferdigbehandlet-i-skranken"].value == pytest.approx(75.0)
    assert values["henvendelser-antall"].value == 40
    assert values["henvendelser-median-svartid"].indicator.direction == "lower"
    assert {v.source for v in values.values()} == {"inquiry_kpi"}


def test_recording_twice_updates_instead_of_duplicating(year_of_inquiries):
    record_inquiry_kpis(year_of_inquiries, 2025, user=SYSTEM)
    record_inquiry_kpis(year_of_inquiries, 2025, user=SYSTEM)
    assert Indicator.objects.filter(source="inquiry_kpi").count() == 4
    assert IndicatorValue.objects.filter(year=2025).count() == 4


def test_a_year_without_inquiries_records_nothing(year_of_inquiries):
    assert record_inquiry_kpis(year_of_inquiries, 2019, user=SYSTEM) == []


def test_other_municipalities_figures_are_not_mixed_in(year_of_inquiries, other_municipality):
    assert record_inquiry_kpis(other_municipality, 2025, user=SYSTEM) == []


def test_command_and_staff_button(year_of_inquiries, client, administration, desk_worker):
    with pytest.raises(CommandError):
        call_command("record_inquiry_kpis", "0000", "--year", "2025")
    call_command("record_inquiry_kpis", year_of_inquiries.number, "--year", "2025")
    assert IndicatorValue.objects.count() == 4
    client.force_login(desk_worker)
    assert client.post(reverse("indicators:record-inquiry-figures"), {"year": "2025"}).status_code == 403
    client.force_login(administration)
    response = client.post(reverse("indicators:record-inquiry-figures"), {"year": "abc"}, follow=True)
    assert "2000" in response.content.decode()
    response = client.post(reverse("indicators:record-inquiry-figures"), {"year": "2025"}, follow=True)
    assert response.status_code == 200
