"""Own figures in the benchmark: each municipality chooses which shared figures it publishes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, require, user_of
from servicetorg.indicators.models import Indicator, Source

from .models import Publication

#: The sources of the installation's shared own figures (national rows).
SHARED_SOURCES = (Source.INQUIRY_KPI, Source.SURVEY)


def shared_indicators():
    """The shared own figures: national indicators from the front desk and the standard surveys."""
    return Indicator.objects.filter(municipality__isnull=True, source__in=SHARED_SOURCES).order_by(
        "name", "pk"
    )


@transaction.atomic
def set_publication(
    municipality: Municipality, indicator: Indicator, *, published: bool, user
) -> Publication:
    """Publish (or withdraw) the municipality's values of a shared figure; records who and when.

    Setting the same choice again changes nothing (who/when keep the earlier choice)."""
    require(user, Perm.BENCHMARK_EDIT, municipality.pk)
    if not shared_indicators().filter(pk=indicator.pk).exists():
        raise ValidationError({"indicator": _("Only a shared own figure can be published here.")})
    publication = (
        Publication.objects.select_for_update().filter(municipality=municipality, indicator=indicator).first()
    )
    if publication is None:
        return Publication.objects.create(
            municipality=municipality,
            indicator=indicator,
            published=bool(published),
            chosen_by=user_of(user),
            chosen_at=timezone.now(),
        )
    if publication.published != bool(published):
        publication.published = bool(published)
        publication.chosen_by = user_of(user)
        publication.chosen_at = timezone.now()
        publication.save(update_fields=["published", "chosen_by", "chosen_at"])
    return publication
