"""The indicators app as the target of survey figures (registered in ``apps.py``).

Surveys declares the registry (``surveys.figure_targets``) because it comes before indicators in
the app order; this module fills it.
"""

from servicetorg.core.models import Municipality, Unit

from . import services
from .models import Indicator, Source


class SurveyIndicatorTarget:
    def choices(self, municipality: Municipality) -> list[tuple[Indicator, str]]:
        """The municipality's own indicators (national ones come from KOSTRA, not from surveys)."""
        return [(i, str(i)) for i in Indicator.objects.filter(municipality=municipality).order_by("name")]

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
