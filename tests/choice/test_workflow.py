"""The scheme's table (every pair), the version rule, rates and their validation."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from servicetorg.choice import services, workflow
from servicetorg.choice.models import Band, Mode, PriceModel, Rate, Scheme, SchemeState
from servicetorg.core.choices import Role
from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.core.workflow import TransitionRefused

from .conftest import DECISION, build_scheme, rate

pytestmark = pytest.mark.django_db

EXPECTED = {
    (SchemeState.DRAFT, workflow.ADOPT): SchemeState.ADOPTED,
    (SchemeState.ADOPTED, workflow.NEW_VERSION): SchemeState.ADOPTED,
}


def _in_state(scheme, state):
    Scheme.objects.filter(pk=scheme.pk).update(state=state)
    scheme.refresh_from_db()
    return scheme


def _act(scheme, action):
    if action == workflow.ADOPT:
        return services.adopt(scheme, **DECISION, user=SYSTEM)
    if action == workflow.NEW_VERSION:
        services.new_version(scheme, user=SYSTEM)
        return Scheme.objects.get(pk=scheme.pk)
    raise AssertionError(action)


@pytest.mark.parametrize(("state", "action"), workflow.SCHEME_WORKFLOW.pairs())
def test_every_pair_of_the_table(draft, state, action):
    scheme = _in_state(draft, state)
    if action == workflow.END:  # internal: refused to every user, taken only when a successor is adopted
        assert not workflow.SCHEME_WORKFLOW.allows(state, action)
        allowed = (state, action) == (SchemeState.ADOPTED, workflow.END)
        assert workflow.SCHEME_WORKFLOW.allows(state, action, internal=True) is allowed
        return
    expected = EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            _act(scheme, action)
        assert refused.value.code == "transition_refused"
        scheme.refresh_from_db()
        assert scheme.state == state
        assert Scheme.objects.count() == 1
    else:
        assert _act(scheme, action).state == expected


def test_adoption_needs_the_decision_and_the_validity(municipality):
    scheme = build_scheme(municipality, valid_from=None)
    with pytest.raises(ValidationError) as error:
        services.adopt(scheme, user=SYSTEM)
    assert set(error.value.message_dict) == {"decision_date", "case_reference", "valid_from"}
    with pytest.raises(ValidationError) as error:
        services.adopt(
            scheme,
            decision_date=timezone.localdate() + timedelta(days=1),
            case_reference="PS 1/26",
            user=SYSTEM,
        )
    assert "decision_date" in error.value.message_dict
    scheme.refresh_from_db()
    assert scheme.state == SchemeState.DRAFT


def test_adoption_needs_rates_and_framework_terms(municipality):
    scheme = build_scheme(municipality)
    services.update_scheme(
        scheme, rates={Band.DAY: None, Band.EVENING: None}, mode=Mode.FRAMEWORK, user=SYSTEM
    )
    with pytest.raises(ValidationError) as error:
        services.adopt(scheme, **DECISION, user=SYSTEM)
    assert set(error.value.message_dict) == {"rates", "agreement_ends_on"}


def test_a_new_version_is_a_draft_copy_and_adopting_it_ends_the_old_one(adopted):
    copy = services.new_version(adopted, user=SYSTEM)
    assert (copy.state, copy.version, copy.replaces_id) == (SchemeState.DRAFT, 2, adopted.pk)
    assert copy.decision_date is None and copy.valid_from is None
    assert sorted(copy.rates.values_list("band", "amount")) == sorted(
        adopted.rates.values_list("band", "amount")
    )
    with pytest.raises(ValidationError):  # one successor per version
        services.new_version(adopted, user=SYSTEM)
    services.update_scheme(
        copy, valid_from=date(2027, 1, 1), rates={Band.DAY: rate("500", "24", "120")}, user=SYSTEM
    )
    adopted.refresh_from_db()
    assert adopted.state == SchemeState.ADOPTED and adopted.valid_until is None  # in force meanwhile
    assert adopted.rates.get(band=Band.DAY).amount == Decimal("612")  # the copy's rates are its own
    services.adopt(copy, decision_date=date(2026, 6, 1), case_reference="PS 40/26", user=SYSTEM)
    adopted.refresh_from_db()
    assert adopted.state == SchemeState.ENDED
    assert adopted.valid_until == date(2026, 12, 31)
    assert adopted.history.first().state == SchemeState.ENDED  # audited


def test_a_new_version_must_start_after_the_one_it_replaces(adopted):
    copy = services.new_version(adopted, user=SYSTEM)
    services.update_scheme(copy, valid_from=adopted.valid_from, user=SYSTEM)
    with pytest.raises(ValidationError) as error:
        services.adopt(copy, **DECISION, user=SYSTEM)
    assert "valid_from" in error.value.message_dict
    adopted.refresh_from_db()
    assert adopted.state == SchemeState.ADOPTED


def test_two_adopted_schemes_of_one_service_may_not_overlap(adopted, municipality):
    other = build_scheme(municipality, service=adopted.service, valid_from=date(2026, 6, 1))
    with pytest.raises(ValidationError) as error:
        services.adopt(other, **DECISION, user=SYSTEM)
    assert "valid_from" in error.value.message_dict


def test_an_adopted_scheme_is_never_edited(adopted):
    with pytest.raises(ValidationError):
        services.update_scheme(adopted, name="Nytt navn", user=SYSTEM)
    with pytest.raises(ValidationError):
        services.set_rate(adopted, Band.DAY, **rate("1", "1", "1"), user=SYSTEM)
    assert Scheme.objects.get(pk=adopted.pk).name == "Brukervalg i praktisk bistand"


def test_notice_is_days_or_months(draft):
    for days, months in ((0, 0), (14, 1)):
        with pytest.raises(ValidationError) as error:
            services.update_scheme(draft, notice_days=days, notice_months=months, user=SYSTEM)
        assert "notice_days" in error.value.message_dict
    assert services.update_scheme(draft, notice_days=14, notice_months=0, user=SYSTEM).notice_days == 14


def test_framework_fields_only_in_framework_mode(draft):
    with pytest.raises(ValidationError) as error:
        services.update_scheme(draft, provider_count=7, user=SYSTEM)
    assert "provider_count" in error.value.message_dict
    services.update_scheme(
        draft, mode=Mode.FRAMEWORK, provider_count=7, agreement_ends_on=date(2029, 12, 31), user=SYSTEM
    )


def test_rate_must_be_the_sum_of_its_costs(draft):
    with pytest.raises(ValidationError) as error:
        services.set_rate(draft, Band.WEEKEND, **rate("600", "30", "140", amount="790"), user=SYSTEM)
    assert "amount" in error.value.message_dict
    assert services.set_rate(draft, Band.WEEKEND, **rate("612", "30", "144"), user=SYSTEM).amount == Decimal(
        "786"
    )


def test_rate_bands_follow_the_price_model(draft):
    with pytest.raises(ValidationError) as error:
        services.set_rate(draft, Band.LEVEL_1, **rate(minimum=None), user=SYSTEM)
    assert "band" in error.value.message_dict
    # the price model changes: the hourly rates go, a care level comes, without a minimum visit
    services.update_scheme(draft, price_model=PriceModel.DAILY, user=SYSTEM)
    assert not draft.rates.exists()
    with pytest.raises(ValidationError) as error:
        services.set_rate(draft, Band.LEVEL_2, **rate("2100", "400", "300", minimum=30), user=SYSTEM)
    assert "minimum_minutes" in error.value.message_dict
    services.set_rate(draft, Band.LEVEL_2, **rate("2100", "400", "300", minimum=None), user=SYSTEM)
    assert list(draft.rates.values_list("band", flat=True)) == [Band.LEVEL_2]


def test_update_reports_each_bad_rate_by_its_band(draft):
    with pytest.raises(ValidationError) as error:
        services.update_scheme(draft, rates={Band.DAY: rate(amount="1")}, user=SYSTEM)
    assert "rate-day-amount" in error.value.message_dict
    assert Rate.objects.get(scheme=draft, band=Band.DAY).amount == Decimal("612")  # nothing half-written


@pytest.mark.parametrize("role", [Role.CASE_OFFICER, Role.COUNCIL, Role.DESK_WORKER, Role.UNIT_LEADER])
def test_only_administration_may_change_schemes(draft, municipality, make_staff, role):
    user = make_staff(role, municipality)
    for call in (
        lambda: services.update_scheme(draft, name="X", user=user),
        lambda: services.set_rate(draft, Band.DAY, **rate(), user=user),
        lambda: services.adopt(draft, **DECISION, user=user),
        lambda: services.create_scheme(municipality=municipality, service=draft.service, name="X", user=user),
    ):
        with pytest.raises(PermissionDenied):
            call()
    with pytest.raises(PermissionDenied):
        services.adopt(draft, **DECISION, user=CITIZEN)
    admin = make_staff(Role.ADMINISTRATION, municipality)
    assert services.adopt(draft, **DECISION, user=admin).state == SchemeState.ADOPTED


@pytest.mark.parametrize("state", list(SchemeState.values))
def test_permission_is_checked_before_the_table(draft, municipality, make_staff, state):
    scheme = _in_state(draft, state)
    council = make_staff(Role.COUNCIL, municipality)
    for call in (
        lambda: services.adopt(scheme, **DECISION, user=council),
        lambda: services.new_version(scheme, user=council),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_another_municipality_administration_may_not(draft, other_staff):
    with pytest.raises(PermissionDenied):
        services.adopt(draft, **DECISION, user=other_staff)


def test_the_service_must_be_the_municipality_s(draft, other_municipality):
    from tests.factories import make_service

    foreign = make_service(other_municipality, slug="fremmed")
    with pytest.raises(ValidationError) as error:
        services.update_scheme(draft, service=foreign, user=SYSTEM)
    assert "service" in error.value.message_dict


def test_none_is_not_an_actor(draft):
    with pytest.raises(TypeError):
        services.adopt(draft, **DECISION, user=None)
