"""A child's application in an intake round (choice/schools/applications.py): every channel through
one service — validation at the edge in plain words, one application per child (a second submit
changes the first), an import found again by its row id, withdrawal, and who may act."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from servicetorg.choice.schools import applications
from servicetorg.choice.schools.models import (
    ApplicationSource,
    RoundState,
    SchoolApplication,
    SchoolApplicationState,
    Wish,
)
from servicetorg.citizens import assurance
from servicetorg.citizens.models import RelationKind
from servicetorg.core.choices import Role
from servicetorg.core.crypto import national_id_digest
from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.core.workflow import TransitionRefused

from .school_factories import address, child_number, school, school_round
from .school_families import EMMA, INGRID, JONAS, KARI, OLA, guardian, town, viewer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _synthetic(settings):
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True


@pytest.fixture
def t(municipality):
    return town(municipality)


@pytest.fixture
def office(municipality, make_staff):
    return make_staff(Role.SCHOOL_OFFICE, municipality, username="skolekontor")


def staff_submit(t, office, number=None, **fields):
    values = {
        "user": office,
        "child_national_id": number or child_number(),
        "name": "Nora Berg",
        "address": t.near_a,
        "wishes": [t.b, t.a],
        "siblings": [],
        "contact_email": "",
        "contact_phone": "",
        "source": ApplicationSource.STAFF,
    }
    values.update(fields)
    return applications.submit_application(t.round, **values)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def wishes(app):
    return list(Wish.objects.filter(application=app).order_by("rank").values_list("school__name", "sibling"))


def test_a_guardian_applies_on_min_side_and_the_catchment_follows_the_address(municipality, t):
    guardian(municipality)
    kari = viewer(municipality)
    app = applications.submit_application(
        t.round,
        user=CITIZEN,
        viewer=kari,
        child_national_id=EMMA,
        name="Emma Nordmann",
        address=t.near_b.pk,
        wishes=[t.a.pk, str(t.c.pk)],
        siblings=[t.c.pk],
        contact_email="kari@example.no",
        contact_phone="912 34 567",
        source=ApplicationSource.PORTAL,
        guardian_digest="ignored: hers is taken from the viewer",
    )
    assert app.catchment_school == t.b and app.source == ApplicationSource.PORTAL
    assert app.guardian_digest == national_id_digest(KARI)
    assert app.contact_phone == "+4791234567" and app.national_id_digest == national_id_digest(EMMA)
    assert wishes(app) == [("Alfa skole", False), ("Gamma skole", True)]
    assert list(applications.citizen_applications(kari)) == [app]


def test_a_second_submit_changes_the_first(municipality, t):
    guardian(municipality)
    kari = viewer(municipality)
    common = {
        "user": CITIZEN,
        "viewer": kari,
        "child_national_id": EMMA,
        "name": "Emma Nordmann",
        "contact_email": "kari@example.no",
        "source": ApplicationSource.PORTAL,
    }
    first = applications.submit_application(t.round, address=t.near_a, wishes=[t.a], **common)
    second = applications.submit_application(t.round, address=t.near_c, wishes=[t.c, t.b, t.a], **common)
    assert first.pk == second.pk and SchoolApplication.objects.count() == 1
    second.refresh_from_db()
    assert second.catchment_school == t.c
    assert [name for name, _ in wishes(second)] == ["Gamma skole", "Beta skole", "Alfa skole"]


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"child_national_id": "12345678901"}, "child_national_id"),
        ({"child_national_id": ""}, "child_national_id"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Nora\x00"}, "name"),
        ({"wishes": []}, "wishes"),
        ({"wishes": ["abc"]}, "wishes"),
        ({"wishes": [-1]}, "wishes"),
        ({"address": None}, "address"),
        ({"address": 999_999_999}, "address"),
        ({"contact_email": "not an address"}, "contact_email"),
        ({"contact_phone": "12"}, "contact_phone"),
        ({"external_id": "x" * 65}, "external_id"),
        ({"siblings": ["Gamma"]}, "siblings"),
    ],
)
def test_each_bad_field_is_named_in_plain_words(t, office, fields, field):
    with pytest.raises(ValidationError) as excinfo:
        staff_submit(t, office, **fields)
    assert field in errors_of(excinfo) and all(errors_of(excinfo)[field])
    assert not SchoolApplication.objects.exists()


def test_the_wishes_are_distinct_schools_of_the_round_and_no_more_than_allowed(municipality, t, office):
    outside = school(municipality, "Delta skole")
    for bad, words in (
        ([t.a, t.a], "only once"),
        ([t.a, outside], "schools of this round"),
        ([t.a, t.b, t.c, outside], "at most 3"),
    ):
        with translation.override("en"), pytest.raises(ValidationError) as excinfo:
            staff_submit(t, office, wishes=bad)
        assert words in " ".join(errors_of(excinfo)["wishes"])
    with pytest.raises(ValidationError) as excinfo:
        staff_submit(t, office, wishes=[t.a], siblings=[t.b])
    assert "siblings" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        staff_submit(t, office, special_needs_school=outside)
    assert "special_needs_school" in errors_of(excinfo)


def test_the_address_must_be_in_the_municipality(t, office, other_municipality):
    elsewhere = address(other_municipality, "Nabovegen 2", school(other_municipality, "Nabo skole"))
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        staff_submit(t, office, address=elsewhere)
    assert "not in this municipality" in errors_of(excinfo)["address"][0]
    with pytest.raises(ValidationError):
        staff_submit(t, office, address=elsewhere.pk)


def test_min_side_asks_for_a_way_to_reach_her(municipality, t):
    guardian(municipality)
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        applications.submit_application(
            t.round,
            user=CITIZEN,
            viewer=viewer(municipality),
            child_national_id=EMMA,
            name="Emma",
            address=t.near_a,
            wishes=[t.a],
            source=ApplicationSource.PORTAL,
        )
    assert "e-mail address or a mobile number" in errors_of(excinfo)["contact_email"][0]


def test_the_round_must_be_open_except_for_the_school_office_while_closed(municipality, t, office):
    t.round.state = RoundState.CLOSED
    t.round.save()
    app = staff_submit(t, office)  # the school office registers a late application
    assert app.source == ApplicationSource.STAFF
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        staff_submit(t, office, source=ApplicationSource.IMPORT, external_id="r1")
    assert "not open" in errors_of(excinfo)["round"][0]
    guardian(municipality)
    with pytest.raises(ValidationError):
        applications.submit_application(
            t.round,
            user=CITIZEN,
            viewer=viewer(municipality),
            child_national_id=EMMA,
            name="Emma",
            address=t.near_a,
            wishes=[t.a],
            contact_email="kari@example.no",
            source=ApplicationSource.PORTAL,
        )
    for state in (RoundState.ALLOCATED, RoundState.PUBLISHED, RoundState.DRAFT):
        t.round.state = state
        t.round.save()
        with pytest.raises(ValidationError) as excinfo:
            staff_submit(t, office)
        assert "round" in errors_of(excinfo)


def test_an_import_is_idempotent_by_its_row_id(t, office):
    number = child_number()
    first = staff_submit(t, office, number, source=ApplicationSource.IMPORT, external_id="row-7")
    stamp = first.updated_at
    again = staff_submit(t, office, number, source=ApplicationSource.IMPORT, external_id="row-7")
    assert again.pk == first.pk and SchoolApplication.objects.count() == 1
    again.refresh_from_db()
    assert again.updated_at == stamp and again.history.count() == 1  # nothing written the second time
    corrected = staff_submit(
        t, office, number, source=ApplicationSource.IMPORT, external_id="row-7", wishes=[t.c]
    )
    assert corrected.pk == first.pk and [n for n, _ in wishes(corrected)] == ["Gamma skole"]
    # The row id of another child, and another row for the same child: each refused, nothing changed.
    with pytest.raises(ValidationError) as excinfo:
        staff_submit(t, office, source=ApplicationSource.IMPORT, external_id="row-7")
    assert "external_id" in errors_of(excinfo)
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        staff_submit(t, office, number, source=ApplicationSource.IMPORT, external_id="row-8")
    assert "already has an application" in errors_of(excinfo)["child_national_id"][0]
    assert SchoolApplication.objects.count() == 1


def test_the_school_office_sets_a_special_needs_school_that_min_side_keeps(municipality, t, office):
    app = staff_submit(t, office, EMMA, special_needs_school=t.c, wishes=[t.c])
    assert app.special_needs_school == t.c
    guardian(municipality)
    kari = viewer(municipality)
    changed = applications.submit_application(
        t.round,
        user=CITIZEN,
        viewer=kari,
        child_national_id=EMMA,
        name="Emma Nordmann",
        address=t.near_a,
        wishes=[t.a, t.c],
        contact_email="kari@example.no",
        source=ApplicationSource.PORTAL,
    )
    changed.refresh_from_db()
    assert changed.pk == app.pk and changed.special_needs_school == t.c
    with pytest.raises(PermissionDenied):  # never set on Min side
        applications.submit_application(
            t.round,
            user=CITIZEN,
            viewer=kari,
            child_national_id=EMMA,
            name="Emma Nordmann",
            address=t.near_a,
            wishes=[t.a],
            contact_email="kari@example.no",
            source=ApplicationSource.PORTAL,
            special_needs_school=t.a,
        )


def test_only_a_guardian_through_a_valid_relation_applies(municipality, other_municipality, t):
    from datetime import date

    guardian(municipality)  # Kari → Emma
    guardian(municipality, KARI, JONAS, "Jonas", valid_until=date(2024, 12, 31))  # ended
    guardian(municipality, OLA, INGRID, "Ingrid", kind=RelationKind.RELATIVE)  # not a guardian

    def submit(who, child, **extra):
        return applications.submit_application(
            t.round,
            user=CITIZEN,
            viewer=who,
            child_national_id=child,
            name="Barn",
            address=t.near_a,
            wishes=[t.a],
            contact_email="x@example.no",
            source=extra.pop("source", ApplicationSource.PORTAL),
            **extra,
        )

    kari = viewer(municipality)
    for who, child in ((kari, JONAS), (kari, INGRID), (viewer(municipality, OLA), INGRID), (kari, KARI)):
        with pytest.raises(PermissionDenied):
            submit(who, child)
    with pytest.raises(PermissionDenied):  # Min side of another municipality
        submit(viewer(other_municipality), EMMA)
    with pytest.raises(PermissionDenied):  # a citizen cannot pose as an import
        submit(kari, EMMA, source=ApplicationSource.IMPORT)
    with pytest.raises(PermissionDenied):  # no viewer
        submit(None, EMMA)
    assert not SchoolApplication.objects.exists()
    assert submit(kari, EMMA).national_id_digest == national_id_digest(EMMA)


def test_acting_for_one_child_is_acting_for_that_child_only(municipality, t):
    emma = guardian(municipality)
    guardian(municipality, KARI, JONAS, "Jonas Nordmann")
    acting = viewer(municipality, relation=emma)
    assert applications.children_digests(acting) == [national_id_digest(EMMA)]
    assert len(applications.children_digests(viewer(municipality))) == 2


def test_staff_need_the_school_office_role_in_the_municipality(
    t, make_staff, other_municipality, municipality
):
    council = make_staff(Role.COUNCIL, municipality, username="politiker")
    stranger = make_staff(Role.SCHOOL_OFFICE, other_municipality, username="nabo")
    for user in (council, stranger):
        with pytest.raises(PermissionDenied):
            staff_submit(t, user)
    with pytest.raises(PermissionDenied):  # Min side's channel is the citizens'
        staff_submit(t, make_staff(Role.SCHOOL_OFFICE, municipality, username="s2"), source="portal")
    with pytest.raises(TypeError):
        staff_submit(t, None)
    assert staff_submit(t, SYSTEM, source=ApplicationSource.PORTAL, contact_email="a@example.no").pk


def test_withdraw_while_open_on_min_side_and_later_by_the_school_office(municipality, t, office):
    guardian(municipality)
    kari = viewer(municipality)
    app = staff_submit(t, office, EMMA)
    with pytest.raises(PermissionDenied):
        applications.withdraw_application(app, user=CITIZEN, viewer=viewer(municipality, OLA))
    t.round.state = RoundState.CLOSED
    t.round.save()
    with pytest.raises(ValidationError):
        applications.withdraw_application(app, user=CITIZEN, viewer=kari)
    t.round.state = RoundState.OPEN
    t.round.save()
    done = applications.withdraw_application(app, user=CITIZEN, viewer=kari)
    assert done.state == SchoolApplicationState.WITHDRAWN
    with pytest.raises(TransitionRefused):
        applications.withdraw_application(app, user=office)
    # withdrawn: not submitted again behind her back
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        applications.submit_application(
            t.round,
            user=CITIZEN,
            viewer=kari,
            child_national_id=EMMA,
            name="Emma",
            address=t.near_a,
            wishes=[t.a],
            contact_email="kari@example.no",
            source=ApplicationSource.PORTAL,
        )
    assert "withdrawn" in errors_of(excinfo)["child_national_id"][0]
    other = staff_submit(t, office)
    t.round.state = RoundState.PUBLISHED
    t.round.save()
    assert applications.withdraw_application(other, user=office).state == SchoolApplicationState.WITHDRAWN
    last = school_round(municipality, {t.a: 1}, name="Ferdig", state=RoundState.FINISHED)
    finished = SchoolApplication.objects.create(
        round=last, national_id=child_number(), name="X", address=t.near_a
    )
    with pytest.raises(ValidationError):
        applications.withdraw_application(finished, user=office)


def test_a_low_level_sign_in_cannot_apply(municipality, t):
    guardian(municipality)
    low = viewer(municipality, level="")
    with pytest.raises(PermissionDenied):
        applications.submit_application(
            t.round,
            user=CITIZEN,
            viewer=low,
            child_national_id=EMMA,
            name="Emma",
            address=t.near_a,
            wishes=[t.a],
            contact_email="kari@example.no",
            source=ApplicationSource.PORTAL,
        )
    assert applications.LEVEL == assurance.SUBSTANTIAL
