"""Providers' services: applying (public and signed in), organisation numbers, documents, receipts,
profile and supplementary services, members; the comparison's capacity, continuity and survey."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from servicetorg.choice import provider_selectors, providers
from servicetorg.choice.models import (
    Application,
    ApplicationDocument,
    ApplicationState,
    Choice,
    ChoiceHow,
    Mode,
    Provider,
    ProviderMember,
    SupplementaryService,
    WaitingEntry,
)
from servicetorg.core.choices import Role
from servicetorg.core.models import OutboxMessage
from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.core.workdays import add_working_days
from tests.factories import make_service
from tests.surveys.conftest import answer, make_survey

from .conftest import build_scheme
from .provider_helpers import (
    ORGNRS,
    apply_public,
    approved_provider,
    local,
    make_decision,
    provider_user,
    sample_pdf,
    visit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme(municipality):
    return build_scheme(municipality, adopt=True, supplementary_services=True)


@pytest.fixture
def storage(settings, tmp_path, monkeypatch):
    from django.core.files.storage import storages

    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments")},
        },
    }
    monkeypatch.setattr(ApplicationDocument._meta.get_field("file"), "storage", storages["attachments"])
    return tmp_path


# --- Applying ---------------------------------------------------------------------------------


def test_a_public_applicant_registers_the_provider_and_gets_a_receipt(scheme, storage):
    application = apply_public(
        scheme,
        documents=[sample_pdf(), sample_pdf("forsikring.pdf")],
        competence="Hjelpepleiere",
        profile={"languages": "norsk"},
    )
    provider = application.provider
    assert provider.organization_number == ORGNRS[0]
    assert provider.municipality_id == scheme.municipality_id
    assert provider.languages == "norsk"
    assert application.state == ApplicationState.SUBMITTED
    assert application.submitted_by is None
    assert application.decide_by == add_working_days(
        timezone.localdate(), providers.DECIDE_WITHIN_WORKING_DAYS
    )
    names = sorted(application.documents.values_list("name", flat=True))
    assert names == ["attest.pdf", "forsikring.pdf"]
    stored = application.documents.first().file.name
    assert "attest" not in stored and stored.startswith(f"choice/{scheme.municipality_id}/")
    receipt = OutboxMessage.objects.get(key=f"choice-application-{application.pk}-received")
    assert receipt.recipients == ["post@omsorg.example"]
    assert application.decide_by.strftime("%d.%m.%Y") in receipt.body


@pytest.mark.parametrize("number", ["987654300", "12345678", "1234567890", "abcdefghi", "", "987 654 301"])
def test_an_organisation_number_failing_the_check_is_refused_with_a_message(scheme, number):
    with pytest.raises(ValidationError) as error:
        apply_public(scheme, orgnr=number)
    assert "organization_number" in error.value.message_dict
    assert Provider.objects.count() == 0 and Application.objects.count() == 0


def test_spaces_in_the_number_are_allowed(scheme):
    application = apply_public(scheme, orgnr="987 654 309")
    assert application.provider.organization_number == "987654309"


def test_the_public_form_needs_a_name_and_an_address(scheme):
    with pytest.raises(ValidationError) as error:
        apply_public(scheme, name="", email="")
    assert {"name", "email"} <= set(error.value.message_dict)


def test_a_second_open_application_is_refused_and_a_rejected_provider_may_apply_again(scheme):
    first = apply_public(scheme)
    with pytest.raises(ValidationError):
        apply_public(scheme)
    providers.reject(first, user=SYSTEM, reason="Mangler dokumentasjon")
    again = apply_public(scheme)
    assert again.provider_id == first.provider_id
    assert Provider.objects.count() == 1


def test_no_one_applies_anonymously_in_the_name_of_a_provider_with_users(scheme):
    provider = approved_provider(scheme)
    provider_user(provider)
    other = build_scheme(scheme.municipality, service=make_service(scheme.municipality, slug="x"), adopt=True)
    with pytest.raises(ValidationError) as error:
        apply_public(other)
    assert "organization_number" in error.value.message_dict


def test_too_many_documents_are_refused(scheme, settings):
    settings.ATTACHMENT_MAX_FILES = 2
    with pytest.raises(ValidationError):
        apply_public(scheme, documents=[sample_pdf(), sample_pdf(), sample_pdf()])
    assert Application.objects.count() == 0


def test_unchecked_files_are_not_stored(scheme, storage):
    with pytest.raises(TypeError):
        apply_public(scheme, documents=[b"%PDF"])
    assert ApplicationDocument.objects.count() == 0


def test_a_draft_or_a_framework_scheme_takes_no_public_applications(municipality):
    draft = build_scheme(municipality)
    with pytest.raises(ValidationError):
        apply_public(draft)
    framework = build_scheme(
        municipality,
        service=make_service(municipality, slug="rammeavtale"),
        mode=Mode.FRAMEWORK,
        agreement_ends_on=date(2028, 1, 1),
        provider_count=3,
        adopt=True,
    )
    assert not providers.open_for_applications(framework, user=CITIZEN)
    with pytest.raises(ValidationError):
        apply_public(framework)
    assert providers.open_for_applications(framework, user=SYSTEM)


def test_a_provider_user_applies_for_her_own_provider_only(scheme, municipality):
    provider = approved_provider(scheme)
    other = approved_provider(scheme, orgnr=ORGNRS[1], name="Annen AS")
    user = provider_user(provider)
    second = build_scheme(municipality, service=make_service(municipality, slug="andre"), adopt=True)
    application = providers.apply(second, user=user, provider=provider, competence="Sykepleiere")
    assert application.submitted_by == user
    with pytest.raises(PermissionDenied):
        providers.apply(second, user=user, provider=other)


def test_municipal_only_scheme_takes_only_the_municipalitys_units(municipality, unit):
    scheme = build_scheme(municipality, mode=Mode.MUNICIPAL, adopt=True)
    firm = providers.create_provider(
        municipality=municipality, user=SYSTEM, name="Firma", organization_number=ORGNRS[2]
    )
    own = providers.create_provider(municipality=municipality, user=SYSTEM, name="Hjemmetjenesten", unit=unit)
    with pytest.raises(ValidationError):
        providers.apply(scheme, user=SYSTEM, provider=firm)
    assert providers.apply(scheme, user=SYSTEM, provider=own).state == ApplicationState.SUBMITTED


def test_reject_and_suspend_need_a_reason(scheme):
    application = apply_public(scheme)
    with pytest.raises(ValidationError) as error:
        providers.reject(application, user=SYSTEM, reason="  ")
    assert "reason" in error.value.message_dict
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    providers.approve(application, user=SYSTEM)
    with pytest.raises(ValidationError):
        providers.suspend(application, user=SYSTEM, reason="")


def test_a_suspended_provider_takes_no_new_users(scheme):
    provider = approved_provider(scheme)
    application = provider.applications.get()
    assert providers.takes_new_users(provider, scheme)
    assert provider in provider_selectors.public_providers(scheme)
    providers.suspend(application, user=SYSTEM, reason="Tilsyn")
    assert not providers.takes_new_users(provider, scheme)
    assert provider not in provider_selectors.public_providers(scheme)
    providers.reinstate(application, user=SYSTEM)
    assert providers.takes_new_users(provider, scheme)


def test_the_decision_is_told_to_the_provider_with_the_reason(scheme):
    application = apply_public(scheme)
    providers.reject(application, user=SYSTEM, reason="Mangler politiattest")
    message = OutboxMessage.objects.get(key__startswith=f"choice-application-{application.pk}-reject")
    assert "Mangler politiattest" in message.body
    assert message.recipients == ["post@omsorg.example"]


# --- Profile, supplementary services, members ---------------------------------------------------


def test_her_own_users_keep_the_profile_and_no_one_else(scheme, administration):
    provider = approved_provider(scheme)
    other = approved_provider(scheme, orgnr=ORGNRS[1], name="Annen AS")
    user = provider_user(provider)
    providers.update_profile(
        provider, user=user, languages="norsk ,  polsk,", capacity_users=40, fixed_helper=True
    )
    provider.refresh_from_db()
    assert (provider.languages, provider.capacity_users, provider.fixed_helper) == ("norsk, polsk", 40, True)
    with pytest.raises(PermissionDenied):
        providers.update_profile(other, user=user, capacity_users=1)
    with pytest.raises(PermissionDenied):
        providers.update_profile(provider, user=administration, capacity_users=1)
    with pytest.raises(ValidationError):
        providers.update_profile(provider, user=user, organization_number=ORGNRS[3])


def test_supplementary_services_only_where_the_scheme_allows_them(municipality):
    strict = build_scheme(municipality, adopt=True)
    provider = approved_provider(strict)
    user = provider_user(provider)
    with pytest.raises(ValidationError):
        providers.add_supplementary(provider, user=user, name="Vindusvask")
    allowing = build_scheme(
        municipality,
        service=make_service(municipality, slug="annen"),
        adopt=True,
        supplementary_services=True,
    )
    providers.apply(allowing, user=user, provider=provider)
    item = providers.add_supplementary(provider, user=user, name="Vindusvask", price="450 kr")
    providers.update_supplementary(item, user=user, price="500 kr")
    item.refresh_from_db()
    assert item.price == "500 kr"
    providers.delete_supplementary(item, user=user)
    assert not SupplementaryService.objects.exists()


def test_members_need_the_provider_role_in_the_municipality(scheme, administration, other_municipality):
    from tests.factories import make_staff

    provider = approved_provider(scheme)
    member = make_staff(Role.PROVIDER, scheme.municipality)
    stranger = make_staff(Role.PROVIDER, other_municipality)
    link = providers.add_member(provider, user=administration, member=member)
    with pytest.raises(ValidationError):
        providers.add_member(provider, user=administration, member=member)
    with pytest.raises(ValidationError):
        providers.add_member(provider, user=administration, member=stranger)
    with pytest.raises(PermissionDenied):
        providers.add_member(provider, user=member, member=member)
    providers.remove_member(link, user=administration)
    assert not ProviderMember.objects.exists()


# --- The comparison -----------------------------------------------------------------------------


def test_continuity_against_a_hand_computed_case(scheme):
    """Window: the 84 days before today, periods of 14 days from its start.

    User A: period 0 helpers x, y, x (2 distinct); period 1 helper x (1); period 5 helpers z, w (2).
    User B: period 0 helper x (1). A cancelled visit (helper q) and visits outside the window
    (helper v) do not count. Pairs (user, period): 4; distinct helpers summed: 2+1+2+1 = 6 → 1.5.
    Another provider's visits count for that provider alone.
    """
    provider = approved_provider(scheme)
    other = approved_provider(scheme, orgnr=ORGNRS[1], name="Annen AS")
    a, b = make_decision(scheme), make_decision(scheme, name="Ola")
    today = date(2026, 6, 1)
    start = today - timedelta(weeks=12)
    for day, helper in ((0, "x"), (3, "y"), (13, "x"), (14, "x"), (71, "z"), (83, "w")):
        visit(provider, a, local(start + timedelta(days=day)), helper)
    visit(provider, b, local(start + timedelta(days=5)), "x")
    visit(provider, b, local(start + timedelta(days=6)), "q", state="cancelled")
    visit(provider, a, local(start - timedelta(days=1)), "v")
    visit(provider, a, local(today), "v")
    visit(other, b, local(start + timedelta(days=20)), "p")
    figures = provider_selectors.continuity([provider.pk, other.pk], today=today)
    assert (figures[provider.pk].helpers, figures[provider.pk].pairs, figures[provider.pk].users) == (6, 4, 2)
    assert figures[provider.pk].average == pytest.approx(1.5)
    assert figures[other.pk].average == 1


def test_capacity_status_from_choices_and_the_waiting_list(scheme):
    provider = approved_provider(scheme, capacity_users=2)
    decisions = [make_decision(scheme, name=f"Bruker {i}") for i in range(3)]
    today = timezone.localdate()

    def status():
        row = next(r for r in provider_selectors.comparison(scheme).rows if r.provider.pk == provider.pk)
        return row.capacity

    assert status().takes_new
    Choice.objects.create(
        decision=decisions[0], provider=provider, how=ChoiceHow.ACTIVE, effective_from=today
    )
    Choice.objects.create(
        decision=decisions[1],
        provider=provider,
        how=ChoiceHow.ACTIVE,
        effective_from=today - timedelta(days=40),
        effective_until=today - timedelta(days=1),
        state="ended",
    )
    assert status().takes_new and status().users == 1
    Choice.objects.create(
        decision=decisions[1], provider=provider, how=ChoiceHow.ACTIVE, effective_from=today
    )
    assert not status().takes_new and status().waiting == 0
    WaitingEntry.objects.create(decision=decisions[2], provider=provider)
    assert status().waiting == 1


def test_district_filter_and_the_municipal_provider_first(scheme, unit):
    east = approved_provider(scheme, districts="Øst, Sentrum")
    everywhere = approved_provider(scheme, orgnr=ORGNRS[1], name="Alle AS")
    own = providers.create_provider(municipality=scheme.municipality, user=SYSTEM, name="Kommunen", unit=unit)
    type(scheme).objects.filter(pk=scheme.pk).update(default_provider=own)
    scheme.refresh_from_db()
    result = provider_selectors.comparison(scheme)
    assert [r.provider for r in result.rows] == [own, everywhere, east]
    assert result.districts == ["Sentrum", "Øst"]
    west = [r.provider for r in provider_selectors.comparison(scheme, district="vest").rows]
    assert west == [own, everywhere]
    assert east in [r.provider for r in provider_selectors.comparison(scheme, district="øst").rows]


def test_the_survey_figure_with_n_and_the_threshold(scheme, django_assert_max_num_queries):
    survey = make_survey(scheme.municipality, threshold=3)
    provider = approved_provider(scheme)
    providers.update_registry(provider, user=SYSTEM, survey=survey)
    for _i in range(2):
        answer(survey, {"q1": "4", "q2": "6"})
    row = provider_selectors.comparison(scheme).rows[0]
    assert row.survey.suppressed and row.survey.n < 3  # (not yet released: the pool)
    answer(survey, {"q1": "5", "q2": "5"})
    from tests.surveys.conftest import close

    close(survey)
    with django_assert_max_num_queries(6):
        row = provider_selectors.comparison(scheme).rows[0]
    assert row.survey.n == 3
    assert row.survey.mean == pytest.approx((4 + 6 + 4 + 6 + 5 + 5) / 6)
    assert row.survey.top == 6


def test_another_municipalitys_survey_cannot_be_linked(scheme, other_municipality):
    provider = approved_provider(scheme)
    with pytest.raises(ValidationError):
        providers.update_registry(provider, user=SYSTEM, survey=make_survey(other_municipality))


def test_nothing_refers_to_a_supplementary_service():
    """Supplementary services never enter decisions, orders, visits or settlements: no model has a
    relation to them but their provider's, and the settlement SQL and the API never name them."""
    from pathlib import Path

    from django.apps import apps

    import servicetorg.choice as choice_app

    relations = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.related_model is SupplementaryService and not field.auto_created
    ]
    assert relations == []
    folder = Path(choice_app.__file__).parent
    for name in ("sql.py", "settlement.py", "visits.py", "choices.py", "decisions.py", "api_providers.py"):
        text = (folder / name).read_text(encoding="utf-8").lower()
        assert "supplementaryservice" not in text and "supplementary_services" not in text, name


def test_a_documents_file_goes_with_its_row(scheme, storage, django_capture_on_commit_callbacks):
    application = apply_public(scheme, documents=[sample_pdf()])
    document = application.documents.get()
    storage_, name = document.file.storage, document.file.name
    assert storage_.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        document.delete()
    assert not storage_.exists(name)
