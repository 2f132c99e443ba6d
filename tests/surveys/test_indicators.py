"""Publishing a question's mean or share as an indicator value (the real indicators app)."""

import pytest
from django.core.exceptions import ValidationError

from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators.models import Indicator, IndicatorValue
from servicetorg.surveys import services
from tests.factories import UnitFactory

from .conftest import answer


@pytest.fixture
def indicator(municipality):
    return Indicator.objects.create(
        municipality=municipality, code="tilfredshet", name="Tilfredshet", unit_of_measure="%"
    )


def test_publish_share_and_mean(survey, indicator, unit):
    for value in ["6", "5", "5", "2", "3", "9"]:
        answer(survey, {"q1": value})
    q1 = survey.questions.get(code="q1")
    with pytest.raises(ValidationError):  # 3 in, 2 outside the chosen: the share gives them back
        services.publish_indicator_value(
            q1, indicator=indicator, statistic="share", chosen=[5, 6], unit=unit, user=SYSTEM
        )
    for value in ["6", "5", "2", "3", "1", "2", "6"]:
        answer(survey, {"q1": value})
    # Live, three of these 13 answers would still wait for the pool to reach the threshold: the
    # figure for the year is published from the closed survey, with every answer.
    services.close(survey, user=SYSTEM)
    value = services.publish_indicator_value(
        q1, indicator=indicator, statistic="share", chosen=[5, 6], unit=unit, user=SYSTEM
    )
    assert float(value.value) == pytest.approx(50.0)  # 6 of 12 valid; "vet ikke" left out
    assert value.source == "survey" and value.unit == unit and value.year == survey.year
    assert "N = 12" in value.note
    again = services.publish_indicator_value(
        q1, indicator=indicator, statistic="mean", unit=unit, user=SYSTEM
    )
    assert float(again.value) == pytest.approx(46 / 12, abs=1e-4)
    assert IndicatorValue.objects.count() == 1  # same indicator/unit/year is replaced


def test_publish_refuses_too_few_and_foreign_unit(survey, indicator, other_municipality):
    for value in ["6", "5"]:
        answer(survey, {"q1": value})
    q1 = survey.questions.get(code="q1")
    with pytest.raises(ValidationError, match="For få"):
        services.publish_indicator_value(q1, indicator=indicator, statistic="mean", user=SYSTEM)
    with pytest.raises(ValidationError) as err:
        services.publish_indicator_value(
            q1,
            indicator=indicator,
            statistic="mean",
            unit=UnitFactory(municipality=other_municipality),
            user=SYSTEM,
        )
    assert "unit" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.publish_indicator_value(
            survey.questions.get(code="bedre"), indicator=indicator, statistic="mean", user=SYSTEM
        )
    assert not IndicatorValue.objects.exists()


def test_surveys_reach_indicators_only_through_the_registry(survey, indicator, monkeypatch):
    """Surveys come before indicators in the app order: without a registered target nothing is stored."""
    from servicetorg.indicators.survey_figures import SurveyIndicatorTarget
    from servicetorg.surveys import figure_targets

    assert isinstance(figure_targets.indicator_target(), SurveyIndicatorTarget)  # filled by apps.py
    for value in ["6", "5", "5", "2", "3"]:
        answer(survey, {"q1": value})
    monkeypatch.setattr(figure_targets, "_target", None)
    with pytest.raises(ValidationError):
        services.publish_indicator_value(survey.questions.get(code="q1"), indicator=indicator, user=SYSTEM)
    assert not IndicatorValue.objects.exists()
