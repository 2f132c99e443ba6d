"""The front desk's figures and the standard surveys' indexes are shared definitions (national rows),
and the data migration merges the per-municipality rows of before."""

import importlib
from datetime import date

import pytest
from django.apps import apps

from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators import services as indicator_services
from servicetorg.indicators.inquiry_kpis import record_inquiry_kpis
from servicetorg.indicators.models import Indicator, IndicatorValue, Source
from servicetorg.indicators.survey_figures import SurveyIndicatorTarget
from servicetorg.inquiries.models import DailyStat, Handling
from servicetorg.strategy import services as strategy_services
from servicetorg.strategy.models import GoalIndicator, StatusSection
from tests.factories import ServiceAreaFactory

pytestmark = pytest.mark.django_db


def desk_year(municipality, replied, in_time):
    DailyStat.objects.create(
        municipality=municipality,
        channel="email",
        day=date(2025, 3, 3),
        handling=Handling.RESOLVED_AT_DESK,
        received=replied,
        replied=replied,
        in_time=in_time,
    )


def test_front_desk_figures_are_one_national_row_per_code(municipality, other_municipality):
    desk_year(municipality, 40, 30)
    desk_year(other_municipality, 10, 5)
    record_inquiry_kpis(municipality, 2025, user=SYSTEM)
    record_inquiry_kpis(other_municipality, 2025, user=SYSTEM)
    rows = Indicator.objects.filter(source=Source.INQUIRY_KPI)
    assert (
        rows.count() == 3 and not rows.filter(municipality__isnull=False).exists()
    )  # no median: no reply times
    in_time = rows.get(code="henvendelser-svart-i-tide")
    assert dict(in_time.values.values_list("municipality__name", "value")) == {
        municipality.name: 75,
        other_municipality.name: 50,
    }


def test_survey_target_offers_the_standard_indexes(municipality, other_municipality):
    own = Indicator.objects.create(municipality=municipality, code="eget", name="Eget", unit_of_measure="%")
    Indicator.objects.create(
        municipality=other_municipality, code="fremmed", name="Fremmed", unit_of_measure="%"
    )
    codes = {i.code for i, _label in SurveyIndicatorTarget().choices(municipality)}
    assert codes == {own.code, "tilfredshet-servicetorget", "tilfredshet-etter-sak"}
    shared = Indicator.objects.get(code="tilfredshet-servicetorget")
    assert shared.municipality_id is None and shared.source == Source.SURVEY


def test_migration_merges_local_rows_into_the_national_one(municipality, other_municipality):
    merge = importlib.import_module("servicetorg.strategy.migrations.0006_shared_own_figures").merge
    local = {}
    for m, value in ((municipality, 70), (other_municipality, 80)):
        local[m.pk] = Indicator.objects.create(
            municipality=m,
            code="henvendelser-svart-i-tide",
            name="Svar i tide",
            unit_of_measure="%",
            source=Source.INQUIRY_KPI,
        )
        indicator_services.record_value(
            indicator=local[m.pk],
            municipality=m,
            year=2025,
            value=value,
            source=Source.INQUIRY_KPI,
            user=SYSTEM,
        )
    untouched = Indicator.objects.create(
        municipality=municipality,
        code="tilfredshet-servicetorget",
        name="Egen",
        unit_of_measure="p",
        source=Source.OWN,
    )
    strategy = strategy_services.create_strategy(
        municipality=municipality, start_year=2024, title="S", user=SYSTEM
    )
    area = strategy_services.add_focus_area(strategy, title="A", user=SYSTEM)
    goal = strategy_services.add_goal(area, title="G", user=SYSTEM)
    strategy_services.add_goal_indicator(
        goal, indicator=local[municipality.pk], baseline_year=2023, targets={2025: 75}, user=SYSTEM
    )
    section = StatusSection.objects.create(
        strategy=strategy, service_area=ServiceAreaFactory(municipality=municipality)
    )
    section.indicators.add(local[municipality.pk])

    merge(apps, None)

    national = Indicator.objects.get(municipality=None, code="henvendelser-svart-i-tide")
    assert national.source == Source.INQUIRY_KPI and national.name == "Svar i tide"
    assert not Indicator.objects.filter(pk__in=[i.pk for i in local.values()]).exists()
    assert sorted(IndicatorValue.objects.filter(indicator=national).values_list("value", flat=True)) == [
        70,
        80,
    ]
    assert GoalIndicator.objects.get(goal=goal).indicator == national
    assert list(section.indicators.all()) == [national]
    assert Indicator.objects.filter(pk=untouched.pk).exists()  # another source: left alone
    merge(apps, None)  # running again changes nothing
    assert IndicatorValue.objects.filter(indicator=national).count() == 2


def test_demo_publishes_the_figures_it_has(municipality, other_municipality):
    from servicetorg.benchmarking.owndata import demo
    from servicetorg.benchmarking.owndata.models import Publication

    desk_year(municipality, 40, 30)
    record_inquiry_kpis(municipality, 2025, user=SYSTEM)
    for _ in range(2):
        demo.load(municipality, seed=1)
    assert Publication.objects.filter(municipality=municipality, published=True).count() == 3
    assert not Publication.objects.filter(municipality=other_municipality).exists()
