"""Read queries of user-choice schemes, scoped through core.tenancy (the one scoping helper)."""

from django.db.models import Count
from django.utils import timezone

from servicetorg.core.permissions import Perm
from servicetorg.core.tenancy import scope

from .models import Scheme, SchemeState


def schemes_for(user):
    """The schemes the user may read, with their service and number of rates (one query)."""
    return scope(
        Scheme.objects.select_related("municipality", "service").annotate(n_rates=Count("rates")),
        user,
        Perm.CHOICE_READ,
    ).order_by("municipality__name", "name", "-version")


def versions_of(scheme: Scheme) -> list[Scheme]:
    """Every version of the scheme, oldest first (following ``replaces`` both ways)."""
    first = scheme
    while first.replaces_id is not None:
        first = Scheme.objects.get(pk=first.replaces_id)
    chain = [first]
    while True:
        following = Scheme.objects.filter(replaces=chain[-1]).first()
        if following is None:
            return chain
        chain.append(following)


def public_schemes(municipality, day=None):
    """The schemes in force in ``municipality`` on ``day`` (today): adopted by the council (a version
    ended by its successor stays in force until the day before the successor's start)."""
    day = day or timezone.localdate()
    return (
        Scheme.objects.filter(
            municipality=municipality,
            state__in=[SchemeState.ADOPTED, SchemeState.ENDED],
            valid_from__lte=day,
        )
        .exclude(valid_until__lt=day)
        .select_related("service")
        .order_by("name")
    )
