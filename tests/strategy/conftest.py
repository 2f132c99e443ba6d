from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators import services as indicator_services
from servicetorg.indicators.models import Direction, Indicator, Source
from servicetorg.strategy import services, workflow
from servicetorg.strategy.models import MeasureStatus

from ..factories import ServiceAreaFactory


def soon():
    """A consultation deadline a month ahead."""
    return timezone.now() + timedelta(days=30)


def make_indicator(municipality=None, code="svar-epost", direction=Direction.HIGHER_IS_BETTER, **fields):
    defaults = {"name": f"Indikator {code}", "unit_of_measure": "%", "source": Source.OWN}
    defaults.update(fields)
    return Indicator.objects.create(municipality=municipality, code=code, direction=direction, **defaults)


def build_strategy(municipality, *, start_year=2024, goals=2, adopt=False, publish=False, values=True):
    """A strategy with one focus area, ``goals`` goals (each with an indicator, baseline and targets)
    and two measures (one done). Optionally adopted and published."""
    strategy = services.create_strategy(
        municipality=municipality, start_year=start_year, title="Servicestrategi", user=SYSTEM
    )
    area = services.add_focus_area(strategy, title="Tilgjengelighet", user=SYSTEM)
    for n in range(goals):
        indicator = make_indicator(
            municipality,
            code=f"ind-{municipality.number}-{start_year}-{n}",
            direction=Direction.HIGHER_IS_BETTER if n % 2 == 0 else Direction.LOWER_IS_BETTER,
        )
        goal = services.add_goal(area, title=f"Mål {n}", user=SYSTEM)
        if n % 2 == 0:
            targets = {start_year: 60, start_year + 1: 70, start_year + 2: 80, start_year + 3: 90}
        else:
            targets = {start_year: 40, start_year + 1: 35, start_year + 2: 30, start_year + 3: 25}
        services.add_goal_indicator(
            goal, indicator=indicator, baseline_year=start_year - 1, targets=targets, user=SYSTEM
        )
        if values:
            series = [50, 62, 69, 85] if n % 2 == 0 else [45, 39, 36, 33]
            for offset, value in enumerate(series):
                indicator_services.record_value(
                    indicator=indicator,
                    municipality=municipality,
                    year=start_year - 1 + offset,
                    value=Decimal(value),
                    source=Source.OWN,
                    user=SYSTEM,
                )
    done = services.add_measure(area, title="Felles innboks", due_date=date(start_year, 12, 1), user=SYSTEM)
    services.record_measure_progress(
        done, status=MeasureStatus.DONE, completed_on=date(start_year, 11, 1), user=SYSTEM
    )
    services.add_measure(
        area,
        title="Chat",
        due_date=date(start_year + 1, 6, 1),
        milestones=[{"title": "Pilot", "due_date": date(start_year + 1, 1, 1)}],
        user=SYSTEM,
    )
    first_indicator = Indicator.objects.filter(goal_links__goal__focus_area=area).order_by("pk").first()
    services.add_status_section(
        strategy,
        service_area=ServiceAreaFactory(municipality=municipality, name="Servicetorget"),
        resources="12 årsverk",
        volume="30 000 henvendelser",
        quality="Svar innen én virkedag",
        indicators=[first_indicator] if first_indicator else [],
        user=SYSTEM,
    )
    if adopt or publish:
        strategy = services.transition(
            strategy, workflow.START_CONSULTATION, consultation_deadline=soon(), user=SYSTEM
        )
        strategy = services.transition(
            strategy, workflow.ADOPT, adopted_on=date(start_year, 6, 1), case_reference="PS 1/24", user=SYSTEM
        )
    if publish:
        strategy = services.transition(strategy, workflow.PUBLISH, user=SYSTEM)
    return strategy


@pytest.fixture
def published_strategy(municipality):
    return build_strategy(municipality, publish=True)


@pytest.fixture
def draft_strategy(municipality):
    return build_strategy(municipality)
