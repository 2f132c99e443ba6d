"""Who sees which round and item: the one place for the kommunetest's scoping and blinding.

* The organiser's coordinators (``Perm.SERVICETEST_COORDINATE`` in the round's municipality) see
  their rounds in every state — except a round that tests the organiser itself: until it is
  published only its test coordinators (the role) see that one, not an administration that holds
  the permission too (it is the tested municipality's staff).
* A tester (``Perm.SERVICETEST_TEST`` in the organiser, enrolled in the round) sees, while the
  round is being tested, the e-mail and phone items assigned to her and the web items of regions
  other than her own; never an item of her own municipality (:func:`own_codes`).
* Everyone else sees nothing of a round until it is published: a tested region that is also a
  tenant (``Municipality.number == RoundRegion.code``) gets 404 for its staff and its lists leave
  the round out (blinding). Once published, the staff of a tested tenant (``Perm.STAFF_PAGES`` there)
  see their own region's result with its evidence; the results are public anyway.
"""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.http import Http404

from servicetorg.core.choices import Role
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, municipality_ids
from servicetorg.core.tenancy import get_scoped_or_404, memberships, scope

from .models import Item, ItemChannel, Round, RoundRegion, RoundState, RoundTester

#: Roles that make a tester of the organiser, not a member of its staff (they do not make the
#: organiser "her own municipality").
TEST_ROLES = {Role.TESTER, Role.TEST_COORDINATOR}


def _self_tests_hidden_from(user) -> QuerySet:
    """Unpublished rounds that test their own organiser, where the user is not a test coordinator
    (a superuser too: the demo's ``admin`` is one, and Fjordvik's administration)."""
    coordinator_of = {m for m, _unit, role in memberships(user) if role == Role.TEST_COORDINATOR}
    return (
        Round.objects.filter(regions__code=F("municipality__number"))
        .exclude(state=RoundState.PUBLISHED)
        .exclude(municipality_id__in=coordinator_of)
        .values("pk")
    )


def _coordinated(user) -> QuerySet:
    return Round.objects.select_related("municipality", "protocol").exclude(
        pk__in=_self_tests_hidden_from(user)
    )


def coordinated_rounds(user) -> QuerySet:
    return scope(_coordinated(user), user, Perm.SERVICETEST_COORDINATE)


def round_for_coordinator(user, pk) -> Round:
    return get_scoped_or_404(_coordinated(user), user, Perm.SERVICETEST_COORDINATE, pk=pk)


def staff_numbers(user) -> set[str]:
    """Numbers of the tenants where the user works other than as a tester."""
    ids = {m for m, _unit, role in memberships(user) if role not in TEST_ROLES}
    return set(Municipality.objects.filter(pk__in=ids).values_list("number", flat=True)) if ids else set()


def own_codes(user, round_: Round) -> set[str]:
    """The codes a tester may never test in ``round_``: the home code she was enrolled with and the
    numbers of the tenants where she works."""
    codes = staff_numbers(user)
    codes.update(RoundTester.objects.filter(round=round_, user=user).values_list("home_code", flat=True))
    return codes


def tester_items(user) -> QuerySet:
    """The items a tester may record now: rounds being tested where she is enrolled, in a
    municipality where she holds ``Perm.SERVICETEST_TEST``; e-mail and phone items assigned to her,
    web items of regions that are not her own."""
    allowed = municipality_ids(user, Perm.SERVICETEST_TEST)
    qs = Item.objects.filter(round__state=RoundState.RUNNING).select_related("round", "region")
    if allowed is not None:
        qs = qs.filter(round__municipality_id__in=allowed)
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    enrolments = list(RoundTester.objects.filter(user=user).values_list("round_id", "home_code"))
    if not enrolments:
        return qs.none()
    staff = staff_numbers(user)
    web = Q(pk__in=[])
    for round_id, home in enrolments:
        web |= Q(round_id=round_id) & ~Q(region__code__in=sorted(staff | {home}))
    return qs.filter(Q(tester=user) & ~Q(channel=ItemChannel.WEB) | Q(channel=ItemChannel.WEB) & web)


def tester_item_or_404(user, pk) -> Item:
    try:
        return tester_items(user).get(pk=pk)
    except Item.DoesNotExist as exc:
        raise Http404 from exc


def results_for_staff(user) -> QuerySet:
    """Published results of the regions that are the user's own tenants (``Perm.STAFF_PAGES``)."""
    allowed = municipality_ids(user, Perm.STAFF_PAGES)
    qs = RoundRegion.objects.filter(round__state=RoundState.PUBLISHED).select_related("round")
    if allowed is None:
        return qs
    numbers = Municipality.objects.filter(pk__in=allowed).values_list("number", flat=True)
    return qs.filter(code__in=list(numbers))


def published_rounds() -> QuerySet:
    return Round.objects.filter(state=RoundState.PUBLISHED).select_related("municipality")
