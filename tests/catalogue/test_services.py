from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from servicetorg.catalogue import selectors, services
from servicetorg.catalogue.models import Service, ServiceDescription, VersionState
from servicetorg.core.permissions import SYSTEM

from ..factories import ServiceAreaFactory, UnitFactory, make_service


def test_new_service_is_a_draft_invisible_on_the_portal(municipality):
    service = make_service(municipality, slug="sfo", name="SFO", publish=False)
    assert service.state == "draft"
    assert service.versions.get().state == VersionState.DRAFT
    assert list(selectors.published_services(municipality)) == []


def test_publishing_sets_review_date_and_denormalises(municipality):
    service = make_service(municipality, slug="sfo", name="Skolefritidsordning")
    assert service.name == "Skolefritidsordning"
    assert service.review_due == timezone.localdate() + timedelta(days=365)
    assert service.published_version.published_at is not None


def test_published_version_stays_while_new_draft_is_edited(municipality):
    service = make_service(municipality, slug="sfo", name="SFO")
    draft = services.ensure_draft(service, user=SYSTEM)
    assert draft.version == 2
    assert [p.kind for p in draft.promises.all()] == ["decision", "reply"]  # copied from version 1
    services.save_draft(draft, description={"name": "SFO – nytt navn"}, user=SYSTEM)
    service.refresh_from_db()
    assert service.name == "SFO"
    assert selectors.published_service(municipality, "sfo").published_version.version == 1

    services.publish(draft, user=SYSTEM)
    service.refresh_from_db()
    assert service.name == "SFO – nytt navn"
    states = dict(service.versions.values_list("version", "state"))
    assert states == {1: VersionState.ARCHIVED, 2: VersionState.PUBLISHED}


def test_ensure_draft_returns_the_existing_draft(municipality):
    service = make_service(municipality, slug="sfo")
    assert services.ensure_draft(service, user=SYSTEM).pk == services.ensure_draft(service, user=SYSTEM).pk
    assert service.versions.filter(state=VersionState.DRAFT).count() == 1


def test_published_versions_are_read_only(municipality):
    service = make_service(municipality, slug="sfo")
    with pytest.raises(ValidationError):
        services.save_draft(service.published_version, description={"name": "Endret"}, user=SYSTEM)
    with pytest.raises(ValidationError):
        services.publish(service.published_version, user=SYSTEM)


def test_withdraw_takes_the_service_off_the_portal(municipality):
    service = make_service(municipality, slug="sfo")
    services.withdraw(service, user=SYSTEM)
    service.refresh_from_db()
    assert service.state == "archived"
    assert not selectors.published_services(municipality).exists()
    with pytest.raises(ValidationError):
        services.withdraw(service, user=SYSTEM)


def test_slug_clash_is_a_clear_validation_error(municipality):
    make_service(municipality, slug="sfo")
    with pytest.raises(ValidationError) as error:
        make_service(municipality, slug="sfo")
    assert "already has a service" in str(error.value) or "allerede" in str(error.value)


def test_same_slug_in_another_municipality_is_fine(municipality, other_municipality):
    ours = make_service(municipality, slug="sfo")
    theirs = make_service(other_municipality, slug="sfo")
    assert ours.pk != theirs.pk
    slugs = Service.objects.filter(slug="sfo").values_list("municipality_id", flat=True)
    assert sorted(slugs) == sorted([municipality.pk, other_municipality.pk])


def test_area_and_unit_must_belong_to_the_municipality(municipality, other_municipality):
    foreign_area = ServiceAreaFactory(municipality=other_municipality)
    with pytest.raises(ValidationError) as error:
        make_service(municipality, area=foreign_area, slug="x")
    assert "area" in error.value.message_dict
    foreign_unit = UnitFactory(municipality=other_municipality)
    with pytest.raises(ValidationError) as error:
        make_service(municipality, unit=foreign_unit, slug="y")
    assert "responsible_unit" in error.value.message_dict


def test_promises_are_validated(municipality):
    with pytest.raises(ValidationError):
        make_service(municipality, slug="a", promises=[{"kind": "reply", "limit_value": 0}])
    with pytest.raises(ValidationError):
        make_service(
            municipality,
            slug="b",
            promises=[{"kind": "reply", "limit_value": 1}, {"kind": "reply", "limit_value": 2}],
        )
    assert not ServiceDescription.objects.exists()  # nothing half-created


def test_invalid_channel_is_refused(municipality):
    with pytest.raises(ValidationError) as error:
        make_service(municipality, slug="a", channels=["fax"])
    assert "channels" in error.value.message_dict


def test_mark_reviewed(municipality):
    service = make_service(municipality, slug="a")
    with pytest.raises(ValidationError):
        services.mark_reviewed(service, next_review=timezone.localdate(), user=SYSTEM)
    services.mark_reviewed(service, next_review=timezone.localdate() + timedelta(days=30), user=SYSTEM)
    assert not service.is_review_overdue


def test_review_overdue_selector(municipality):
    service = make_service(municipality, slug="a")
    make_service(municipality, slug="b")
    service.review_due = timezone.localdate() - timedelta(days=1)
    service.save()
    assert list(selectors.review_overdue(municipality.services.all())) == [service]


def test_changes_are_audited_with_user(municipality, administration):
    service = make_service(municipality, slug="a", user=administration)
    assert service.history.filter(history_user=administration).exists()
    assert service.published_version.history.filter(history_user=administration).exists()


@pytest.mark.parametrize("query", ["barnehage", "Barnehage", "barnehageplass", "plass barnehage"])
def test_search_finds_compound_words(municipality, query):
    make_service(
        municipality, slug="barnehageplass", name="Søke barnehageplass", summary="Plass i barnehage."
    )
    make_service(municipality, slug="renovasjon", name="Renovasjon", summary="Tømming av avfall.")
    hits = [s.slug for s in selectors.search_published(municipality, query)]
    assert hits == ["barnehageplass"]


def test_search_uses_stemming_on_postgresql(municipality):
    make_service(municipality, slug="bygg", name="Byggesøknader", summary="Søknader om å bygge.")
    hits = [s.slug for s in selectors.search_published(municipality, "byggesøknad")]
    assert hits == ["bygg"]
    if connection.vendor == "postgresql":
        # Norwegian stemming: the plural in the text is found from the singular, and vice versa.
        assert [s.slug for s in selectors.search_published(municipality, "søknadene")] == ["bygg"]


def test_search_ignores_drafts_and_other_municipalities(municipality, other_municipality):
    make_service(municipality, slug="sfo", name="SFO", publish=False)
    make_service(other_municipality, slug="sfo2", name="SFO")
    assert list(selectors.search_published(municipality, "sfo")) == []


def test_search_survives_odd_input(municipality):
    """Operators and odd characters are not syntax: no error; a query of no words lists everything."""
    sfo = make_service(municipality, slug="sfo", name="SFO")
    for no_words in ["", "   ", "&|!:*()'\"", "\x00"]:
        assert list(selectors.search_published(municipality, no_words)) == [sfo], repr(no_words)
    assert list(selectors.search_published(municipality, "sfo & | !")) == [sfo]
    assert list(selectors.search_published(municipality, "a" * 500)) == []


def test_new_municipality_gets_the_ten_default_areas(municipality):
    from servicetorg.catalogue.selectors import areas_of

    names = [a.name for a in areas_of(municipality)]
    assert names[:3] == ["Skole", "Barnehage", "Pleie og omsorg"]
    assert len(names) == 10
