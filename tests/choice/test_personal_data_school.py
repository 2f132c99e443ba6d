"""School choice's personal data (choice/personal_data.py): applications with their wishes and
placements, and appeals — retention periods, the access export (found by the child's number or the
guardian's; restricted to the school office; the special-needs decision needs the high level on Min
side) and erasure (the child's deleted, a guardian's contact details removed)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from servicetorg.choice.schools import allocate
from servicetorg.choice.schools.models import Appeal, Placement, SchoolApplication, Wish
from servicetorg.citizens.assurance import HIGH, SUBSTANTIAL
from servicetorg.core.choices import Role
from servicetorg.core.crypto import national_id_digest
from servicetorg.core.permissions import SYSTEM
from servicetorg.privacy import access, retention
from tests.factories import make_staff

from .people import KARI
from .school_factories import address, application, child_number, school, school_round

pytestmark = pytest.mark.django_db
KINDS = ("choice.school_applications", "choice.school_appeals")


@pytest.fixture
def world(municipality):
    a = school(municipality, "Alfa skole")
    b = school(municipality, "Beta skole", lat="59.0600")
    near = address(municipality, "Alfaveien 1", a)
    round_ = school_round(municipality, {a: 1, b: 5})
    lea_number, ola_number = child_number(), child_number()
    lea = application(round_, near, [a, b], siblings=[b], name="Lea Fjeld", number=lea_number, special=a)
    lea.guardian_digest = national_id_digest(KARI)
    lea.contact_email = "kari@example.org"
    lea.contact_phone = "91234567"
    lea.save()
    ola = application(round_, near, [a], name="Ola Nabo", number=ola_number)
    allocate.run_main(round_, user=SYSTEM)
    appeal = Appeal.objects.create(application=lea, text="Hun har astma og trenger kort skolevei.")
    return round_, lea, ola, appeal, lea_number, ola_number


def _found(municipality, user, **who):
    return {f.holding.key: f.records for f in access.search(municipality, access.Person(**who), user=user)}


def test_registered_for_retention_and_access(db):
    assert set(KINDS) <= {k.key for k in retention.kinds()}
    assert set(KINDS) <= {h.key for h in access.holdings()}
    applications = retention.kind("choice.school_applications")
    assert applications.default_days == 900
    with translation.override("en"):
        assert retention.describe_days(900) == "30 months"
    assert retention.kind("choice.school_appeals").default_days == 5 * 365
    # erasure takes the appeals before the applications they protect
    order = [h.key for h in access.holdings()]
    assert order.index("choice.school_appeals") < order.index("choice.school_applications")


def test_found_by_the_childs_number_restricted_and_masked(world, municipality):
    round_, lea, ola, appeal, lea_number, ola_number = world
    admin = make_staff(Role.ADMIN, municipality)
    found = _found(municipality, admin, national_id=lea_number)
    [record] = found["choice.school_applications"]
    assert record.pk == lea.pk and record.restricted and record.level == HIGH  # a special-needs decision
    with translation.override("en"):
        values = {str(k): v for k, v in record.fields}
    assert values["child's name"] == "Lea Fjeld" and values["guardian's e-mail"] == "kari@example.org"
    assert values["school named by a special-needs decision"] == "Alfa skole"
    assert lea_number not in str(record.fields) and values["national identity number"].endswith("*****")
    texts = [title for title, _when, _text in record.parts]
    assert texts[:2] == ["1. Alfa skole", "2. Beta skole"] and len(record.parts) == 3  # + the main run
    [appeal_record] = found["choice.school_appeals"]
    assert appeal_record.pk == appeal.pk and "astma" in str(appeal_record.fields)
    assert appeal_record.level == HIGH
    # the school office reads them in full; a desk worker would get them withheld
    assert record.readable_by(make_staff(Role.SCHOOL_OFFICE, municipality))
    assert not record.readable_by(make_staff(Role.DESK_WORKER, municipality))
    # Ola's is his own: a plain one, at the substantial level
    [ola_record] = _found(municipality, admin, national_id=ola_number)["choice.school_applications"]
    assert ola_record.pk == ola.pk and ola_record.level == SUBSTANTIAL


def test_found_by_the_guardians_number(world, municipality):
    round_, lea, ola, appeal, *_ = world
    found = _found(municipality, make_staff(Role.ADMIN, municipality), national_id=KARI)
    assert [r.pk for r in found["choice.school_applications"]] == [lea.pk]
    assert [r.pk for r in found["choice.school_appeals"]] == [appeal.pk]


def test_nothing_in_another_municipality(world, other_municipality):
    *_, lea_number, _ola = world
    found = _found(other_municipality, make_staff(Role.ADMIN, other_municipality), national_id=lea_number)
    assert not any(found.values())


def test_one_record_for_the_school_office_only(world, municipality, other_municipality):
    round_, lea, *_ = world
    office = make_staff(Role.SCHOOL_OFFICE, municipality)
    _m, [found] = access.record_for("choice.school_applications", lea.pk, user=office)
    assert found.records[0].pk == lea.pk
    with pytest.raises(PermissionDenied):
        access.record_for(
            "choice.school_applications", lea.pk, user=make_staff(Role.SCHOOL_OFFICE, other_municipality)
        )


def test_erasing_the_child_deletes_hers_only(world, municipality):
    round_, lea, ola, appeal, lea_number, _ = world
    admin = make_staff(Role.ADMIN, municipality)
    counts = access.erase(municipality, access.Person(national_id=lea_number), user=admin)
    assert counts["choice.school_applications"] == 1 and counts["choice.school_appeals"] == 1
    assert not SchoolApplication.objects.filter(pk=lea.pk).exists()
    assert not SchoolApplication.history.filter(id=lea.pk).exists()
    assert not Wish.objects.filter(application_id=lea.pk).exists()
    assert not Placement.objects.filter(application_id=lea.pk).exists()
    assert not Appeal.objects.exists() and not Appeal.history.exists()
    assert SchoolApplication.objects.filter(pk=ola.pk).exists()
    assert Placement.objects.filter(application=ola).exists()


def test_erasing_the_guardian_keeps_the_childs_application(world, municipality):
    round_, lea, ola, appeal, *_ = world
    admin = make_staff(Role.ADMIN, municipality)
    access.erase(municipality, access.Person(national_id=KARI), user=admin)
    lea.refresh_from_db()
    assert (lea.contact_email, lea.contact_phone, lea.guardian_digest) == ("", "", "")
    assert Appeal.objects.filter(pk=appeal.pk).exists()  # the child's case
    assert not any(_found(municipality, admin, national_id=KARI).values())


def test_retention_purges_what_is_due(world, municipality):
    round_, lea, ola, appeal, *_ = world
    admin = make_staff(Role.ADMIN, municipality)
    # the round closed 1 Feb 2027: 30 months later (1 Aug 2029) its applications are due, but Lea's
    # is kept while her appeal is
    just_before = timezone.make_aware(timezone.datetime(2027, 2, 1)) + timedelta(days=900)
    lines = retention.purge(user=admin, municipality=municipality, now=just_before, kind_keys=list(KINDS))
    assert all(line.purged == 0 for line in lines)
    after = just_before + timedelta(days=2)
    retention.purge(
        user=admin, municipality=municipality, now=after, kind_keys=["choice.school_applications"]
    )
    assert not SchoolApplication.objects.filter(pk=ola.pk).exists()
    assert SchoolApplication.objects.filter(pk=lea.pk).exists()
    # five years after the appeal came in, it goes, and with it (the next night) her application
    later = appeal.received_at + timedelta(days=5 * 365 + 1)
    retention.purge(user=admin, municipality=municipality, now=later, kind_keys=["choice.school_appeals"])
    assert not Appeal.objects.exists()
    retention.purge(
        user=admin, municipality=municipality, now=later, kind_keys=["choice.school_applications"]
    )
    assert not SchoolApplication.objects.exists() and not Wish.objects.exists()
    assert round_.closes_on == date(2027, 2, 1)
