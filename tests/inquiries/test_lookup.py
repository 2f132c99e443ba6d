"""The desk's "one door in" (issue 24 §2): a web inquiry routed straight to its unit is found by
reference, e-mail, phone and name; the desk reads status, next step and who has it, never the
content (a sensitive service: not even the service); other municipalities never leak; the search
uses the lookup indexes."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicetorg.core.choices import Channel, Role
from servicetorg.core.permissions import CITIZEN
from servicetorg.inquiries import selectors, services
from tests.factories import UnitFactory, make_service, make_staff


@pytest.fixture
def world(municipality, other_municipality):
    oppvekst = UnitFactory(municipality=municipality, slug="oppvekst", name="Oppvekst")
    helse = UnitFactory(municipality=municipality, slug="helse", name="Helse")
    barnehage = make_service(municipality, unit=oppvekst, slug="barnehage", name="Barnehageplass")
    rus = make_service(municipality, unit=helse, slug="rus", name="Psykisk helse og rus")
    rus.sensitive = True
    rus.save(update_fields=["sensitive"])
    officer = make_staff(Role.CASE_OFFICER, municipality, oppvekst, first_name="Kari", last_name="Nordmann")
    other_service = make_service(other_municipality, slug="barnehage-nabo")

    def web(service, municipality=municipality, **contact):
        return services.register(
            municipality=municipality,
            channel=Channel.WEB_FORM,
            subject="Hemmelig emne",
            body="angst og alkohol",
            service=service,
            user=CITIZEN,
            to_responsible_unit=True,
            **contact,
        ).inquiry

    contact = {
        "contact_name": "Ola Hansen",
        "contact_email": "Ola.Hansen@example.no",
        "contact_phone": "+47 912 34 567",
    }
    plain = web(barnehage, **contact)
    plain.contact_person = officer
    plain.save(update_fields=["contact_person"])
    sensitive = web(rus, **contact)
    foreign = web(other_service, municipality=other_municipality, **contact)
    desk = make_staff(Role.DESK_WORKER, municipality)
    return {"plain": plain, "sensitive": sensitive, "foreign": foreign, "desk": desk, "officer": officer}


@pytest.mark.parametrize(
    "query",
    ["ola.hansen@EXAMPLE.no", "91234567", "912 34 567", "+4791234567", "ola hansen", "  Ola   Hansen "],
)
def test_desk_finds_routed_web_inquiries_by_contact_details(world, query):
    hits = selectors.lookup(world["desk"], query)
    assert {h.reference for h in hits} == {world["plain"].reference, world["sensitive"].reference}


def test_desk_finds_by_reference_in_any_spelling(world):
    ref = world["plain"].reference
    for query in (ref, ref.lower(), ref.replace("-", "")):
        assert [h.reference for h in selectors.lookup(world["desk"], query)] == [ref]


def test_status_next_step_and_who_has_it_but_no_content(world, client):
    hits = {h.reference: h for h in selectors.lookup(world["desk"], "ola.hansen@example.no")}
    plain = hits[world["plain"].reference]
    assert plain.unit == "Oppvekst" and plain.contact_person == "Kari Nordmann"
    assert plain.service == "Barnehageplass" and plain.next_step and not plain.readable
    walled = hits[world["sensitive"].reference]
    assert walled.sensitive and walled.service == "" and walled.unit == "Helse"
    client.force_login(world["desk"])
    page = client.get(reverse("inquiries:lookup"), {"q": "91234567"}).content.decode()
    assert world["plain"].reference in page and world["sensitive"].reference in page
    assert "Oppvekst" in page and "Kari Nordmann" in page
    for secret in ("Hemmelig emne", "angst og alkohol", "Psykisk helse og rus", "Ola.Hansen@example.no"):
        assert secret not in page


def test_other_municipalities_do_not_leak(world):
    refs = {h.reference for h in selectors.lookup(world["desk"], world["foreign"].reference)}
    assert refs == set()
    assert world["foreign"].reference not in {
        h.reference for h in selectors.lookup(world["desk"], "Ola Hansen")
    }


def test_roles_without_lookup_are_refused(world, client):
    with pytest.raises(PermissionDenied):
        selectors.lookup(world["officer"], "Ola Hansen")
    client.force_login(world["officer"])
    assert client.get(reverse("inquiries:lookup"), {"q": "Ola Hansen"}).status_code == 403


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("ola.hansen@example.no", "inq_lookup_email"),
        ("ola hansen", "inq_lookup_name"),
        ("91234567", "inq_lookup_phone"),
    ],
)
def test_lookup_is_one_query_on_its_index(world, query, index):
    """One query, and its plan uses the lookup index (not a scan of every inquiry of the country)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # a tiny test table: make the planner show what it can use
            cursor.execute("SET LOCAL enable_seqscan = off")
    with CaptureQueriesContext(connection) as ctx:
        selectors.lookup(world["desk"], query)
    sqls = [q["sql"] for q in ctx.captured_queries if "inquiries_inquiry" in q["sql"]]
    assert len(sqls) == 1, sqls
    with connection.cursor() as cursor:
        explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(explain + sqls[0].split(" LIMIT ")[0])
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert index in plan, plan
