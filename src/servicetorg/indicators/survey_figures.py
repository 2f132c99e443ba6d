"""The indicators app as the target of survey figures (registered in ``apps.py``).

Surveys declares the registry (``surveys.figure_targets``) because it comes before indicators in
the app order; this module fills it.

The standard surveys' indexes (the shipped questionnaire templates and the satisfaction question after
a closed case) are **shared** definitions: national indicators (``municipality`` None, source
"survey") that every municipality of the installation publishes its own value to, so the figures can
be compared (benchmarking's own figures). A municipality's other survey figures stay its own.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from servicetorg.core.models import Municipality, Unit

from . import services
from .models import Aspect, Direction, Indicator, Source


@dataclass(frozen=True)
class StandardFigure:
    code: str
    name: object  # lazy text, stored in the installation's language
    unit_of_measure: object
    template: str  # the survey template (``Survey.template_key``) the figure comes from


STANDARD = [
    StandardFigure(
        "tilfredshet-servicetorget",
        _("User satisfaction at the service desk (scale 1–6)"),
        _("points"),
        "servicetorg_brukerundersokelse",
    ),
    StandardFigure(
        "tilfredshet-etter-sak",
        _("Satisfaction after a closed case (scale 1–5)"),
        _("points"),
        "satisfaction-after-case",
    ),
]


def shared_codes() -> list[str]:
    return [figure.code for figure in STANDARD]


@transaction.atomic
def standard_indicators() -> list[Indicator]:
    """The shared survey indicators (created the first time, names in the installation's language)."""
    found = []
    for figure in STANDARD:
        with translation.override(settings.LANGUAGE_CODE):
            name, unit_of_measure = str(figure.name), str(figure.unit_of_measure)
        indicator, _created = Indicator.objects.get_or_create(
            municipality=None,
            code=figure.code,
            defaults={
                "name": name,
                "unit_of_measure": unit_of_measure,
                "direction": Direction.HIGHER_IS_BETTER,
                "aspect": Aspect.QUALITY,
                "source": Source.SURVEY,
            },
        )
        found.append(indicator)
    return found


class SurveyIndicatorTarget:
    def choices(self, municipality: Municipality) -> list[tuple[Indicator, str]]:
        """The municipality's own indicators and the shared indexes of the standard surveys
        (the other national ones come from KOSTRA, not from surveys)."""
        standard_indicators()
        found = Indicator.objects.filter(
            Q(municipality=municipality) | Q(municipality=None, source=Source.SURVEY, code__in=shared_codes())
        ).order_by("name")
        return [(i, str(i)) for i in found]

    def record(
        self,
        indicator: Indicator,
        *,
        municipality: Municipality,
        unit: Unit | None,
        year: int,
        value: float,
        note: str,
        user,
    ):
        return services.record_value(
            indicator=indicator,
            municipality=municipality,
            unit=unit,
            year=year,
            value=value,
            source=Source.SURVEY,
            note=note,
            user=user,
        )
