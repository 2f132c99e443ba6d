"""Min side: her cases and no one else's, reading them without the link at the right level, acting
for a person a valid relation names, and her own data export."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from servicetorg.catalogue.models import Service
from servicetorg.citizens import assurance, demo, sessions
from servicetorg.citizens.models import Relation
from servicetorg.core.choices import Channel
from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.inquiries import services as inquiry_services
from servicetorg.inquiries.models import CitizenCase, CitizenCaseHow
from servicetorg.privacy.models import PrivacyAction, PrivacyLog
from tests.factories import make_service

pytestmark = pytest.mark.django_db

HOME = "/min-side/"


@pytest.fixture
def service(portal, unit):
    service = make_service(portal, unit=unit, slug="skoleskyss", name="Skoleskyss")
    Service.objects.filter(pk=service.pk).update(requires_national_id=True)
    return Service.objects.get(pk=service.pk)


@pytest.fixture
def sensitive(portal, unit):
    service = make_service(portal, unit=unit, slug="helse", name="Helsehjelp")
    Service.objects.filter(pk=service.pk).update(sensitive=True, requires_national_id=True)
    return Service.objects.get(pk=service.pk)


def register(service, subject, national_id="", **fields):
    return inquiry_services.register(
        municipality=service.municipality,
        channel=Channel.WEB_FORM,
        service=service,
        subject=subject,
        body="Tekst.",
        contact_name="Navn",
        contact_phone="912 34 567",
        national_id=national_id,
        user=CITIZEN,
        to_responsible_unit=True,
        **fields,
    ).inquiry


@pytest.fixture
def relations(portal):
    demo.load(portal, seed=1)  # Kari → Emma (valid), Kari → Jonas (ended), Ola → Ingrid (valid)
    return {r.subject_name.split()[0]: r for r in Relation.objects.all()}


def case_url(inquiry):
    return reverse("inquiries_public:case-query", args=[inquiry.reference])


def min_side(client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


# --- Her cases --------------------------------------------------------------------------------------


def test_her_cases_and_not_anothers(client, idp, service):
    hers = register(service, "Karis spørsmål om skyss", national_id=demo.KARI)
    his = register(service, "Olas spørsmål om skyss", national_id=demo.OLA)
    idp.sign_in(client, pid=demo.KARI)
    page = min_side(client)
    assert hers.reference in page and "Karis spørsmål" in page
    assert his.reference not in page and "Olas spørsmål" not in page
    assert client.get(case_url(hers)).status_code == 200  # without the link
    assert client.get(case_url(his)).status_code == 404


def test_a_case_she_opened_with_its_link_is_on_her_min_side(client, idp, portal, unit):
    service = make_service(portal, unit=unit, slug="vei", name="Vei")
    registered = inquiry_services.register(
        municipality=portal,
        channel=Channel.WEB_FORM,
        service=service,
        subject="Hull i veien",
        body="Stort hull.",
        contact_name="Kari",
        user=CITIZEN,
        to_responsible_unit=True,
    )
    inquiry = registered.inquiry
    idp.sign_in(client, pid=demo.KARI)
    assert client.get(case_url(inquiry)).status_code == 404
    assert inquiry.reference not in min_side(client)
    assert client.get(f"/sak/{inquiry.reference}/{registered.token}/").status_code == 302
    assert CitizenCase.objects.filter(inquiry=inquiry, how=CitizenCaseHow.OPENED).exists()
    # In another browser, signed in again, without the link.
    other = client.__class__()
    idp.sign_in(other, pid=demo.KARI)
    assert inquiry.reference in min_side(other)
    assert other.get(case_url(inquiry)).status_code == 200
    # Ola signed in is not helped by Kari's link.
    ola = client.__class__()
    idp.sign_in(ola, pid=demo.OLA)
    assert ola.get(case_url(inquiry)).status_code == 404


def test_a_sensitive_case_opens_without_the_code_only_at_high(client, idp, sensitive):
    hers = register(sensitive, "Om helsa mi", national_id=demo.KARI)
    idp.sign_in(client, pid=demo.KARI, level=assurance.SUBSTANTIAL)
    response = client.get(case_url(hers))
    assert response.status_code == 302
    assert response["Location"] == reverse("inquiries_public:case-code", args=[hers.reference])
    page = min_side(client)
    assert hers.reference in page and "Om helsa mi" not in page  # the subject only at the case's level
    idp.sign_in(client, pid=demo.KARI, level=assurance.HIGH)
    assert client.get(case_url(hers)).status_code == 200
    assert "Om helsa mi" in min_side(client)


def test_a_sensitive_service_with_its_own_level(client, idp, sensitive):
    Service.objects.filter(pk=sensitive.pk).update(assurance_level=assurance.SUBSTANTIAL)
    hers = register(Service.objects.get(pk=sensitive.pk), "Om helsa mi", national_id=demo.KARI)
    idp.sign_in(client, pid=demo.KARI, level=assurance.SUBSTANTIAL)
    assert client.get(case_url(hers)).status_code == 200


def test_her_case_in_another_municipality_is_not_on_this_portals_min_side(
    client, idp, service, other_municipality
):
    elsewhere = make_service(other_municipality, slug="skyss-nabovik", name="Skyss i Nabovik")
    Service.objects.filter(pk=elsewhere.pk).update(requires_national_id=True)
    there = register(Service.objects.get(pk=elsewhere.pk), "Spørsmål i Nabovik", national_id=demo.KARI)
    idp.sign_in(client, pid=demo.KARI)
    assert there.reference not in min_side(client)


# --- Acting for someone -----------------------------------------------------------------------------


def _act_for(client, value):
    return client.post(reverse("citizens:act-for"), {"relation": value})


def test_acting_for_her_child(client, idp, service, relations):
    mine = register(service, "Karis egen sak", national_id=demo.KARI)
    emmas = register(service, "Emmas sak", national_id=demo.EMMA)
    idp.sign_in(client, pid=demo.KARI)
    page = min_side(client)
    assert 'id="acting-for"' not in page and "Emma Nordmann" in page  # offered
    assert "Ingrid Hansen" not in page and "Jonas Nordmann" not in page  # not hers / ended
    assert _act_for(client, relations["Emma"].pk).status_code == 302
    assert client.session[sessions.KEY]["acting_for"] == relations["Emma"].pk
    page = min_side(client)
    assert 'id="acting-for"' in page and "Emma Nordmann" in page
    assert emmas.reference in page and mine.reference not in page
    assert 'id="acting-for"' in client.get("/").content.decode()  # the banner on every page
    # Back to herself.
    _act_for(client, "self")
    page = min_side(client)
    assert 'id="acting-for"' not in page and mine.reference in page and emmas.reference not in page


def test_acting_for_someone_else_s_relation_is_refused(client, idp, relations):
    idp.sign_in(client, pid=demo.KARI)
    for value in (relations["Ingrid"].pk, relations["Jonas"].pk, 999999, "not-a-number"):
        response = _act_for(client, value)
        assert response.status_code == 302 and response["Location"] == reverse("citizens:home")
        assert client.session[sessions.KEY]["acting_for"] is None, value
        page = min_side(client)
        assert 'id="acting-for"' not in page
    assert "Ingrid Hansen" not in page


def test_a_relation_ended_after_she_chose_it_is_dropped(client, idp, service, relations):
    emmas = register(service, "Emmas sak", national_id=demo.EMMA)
    idp.sign_in(client, pid=demo.KARI)
    _act_for(client, relations["Emma"].pk)
    assert client.get(case_url(emmas)).status_code == 200
    yesterday = timezone.localdate() - timedelta(days=1)
    Relation.objects.filter(pk=relations["Emma"].pk).update(valid_until=yesterday)
    page = min_side(client)
    assert 'id="acting-for"' not in page and emmas.reference not in page
    assert client.get(case_url(emmas)).status_code == 404
    assert client.post(reverse("citizens:export"), {"format": "json"}).status_code == 200  # herself again


def test_a_relation_not_yet_begun_cannot_be_chosen(client, idp, relations):
    Relation.objects.filter(pk=relations["Emma"].pk).update(
        valid_from=timezone.localdate() + timedelta(days=1)
    )
    idp.sign_in(client, pid=demo.KARI)
    _act_for(client, relations["Emma"].pk)
    assert client.session[sessions.KEY]["acting_for"] is None


def test_a_relation_of_another_municipality_is_not_hers_here(client, idp, relations, other_municipality):
    Relation.objects.filter(pk=relations["Emma"].pk).update(municipality=other_municipality)
    idp.sign_in(client, pid=demo.KARI)
    _act_for(client, relations["Emma"].pk)
    assert client.session[sessions.KEY]["acting_for"] is None


def test_acting_for_needs_a_post(client, idp, relations):
    idp.sign_in(client, pid=demo.KARI)
    assert client.get(reverse("citizens:act-for"), {"relation": relations["Emma"].pk}).status_code == 405


# --- Her own data -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "json", "zip"])
def test_export_her_own_data(client, idp, service, fmt):
    register(service, "Karis spørsmål om skyss", national_id=demo.KARI)
    register(service, "Olas spørsmål om skyss", national_id=demo.OLA)
    idp.sign_in(client, pid=demo.KARI)
    response = client.post(reverse("citizens:export"), {"format": fmt})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    if fmt == "zip":
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            text = "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    else:
        text = response.content.decode()
    if fmt == "json":
        json.loads(text)
    assert "Karis spørsmål om skyss" in text
    assert "Olas spørsmål om skyss" not in text
    assert demo.OLA not in text
    log = PrivacyLog.objects.get()
    assert log.action == PrivacyAction.EXPORT and log.detail["self_service"] is True
    assert log.detail["format"] == fmt and log.detail["records"]


def test_her_export_holds_what_her_case_page_shows_not_internal_notes(client, idp, service):
    from servicetorg.inquiries.models import InquiryMessage, MessageKind

    inquiry = register(service, "Karis spørsmål om skyss", national_id=demo.KARI)
    InquiryMessage.objects.create(inquiry=inquiry, kind=MessageKind.REPLY, text="Svar: dere får skyss.")
    InquiryMessage.objects.create(inquiry=inquiry, kind=MessageKind.NOTE, text="Intern: sjekk adressen.")
    idp.sign_in(client, pid=demo.KARI)
    text = client.post(reverse("citizens:export"), {"format": "json"}).content.decode()
    assert "Svar: dere får skyss." in text
    assert "Intern: sjekk adressen." not in text
    # The staff's export (which they review before handing over) still holds everything.
    from servicetorg.core.permissions import SYSTEM
    from servicetorg.privacy import access

    found = access.export(service.municipality, access.person(national_id=demo.KARI), user=SYSTEM, fmt="json")
    parts = [text for f in found for r in f.records for _t, _w, text in r.parts]
    assert "Intern: sjekk adressen." in parts


def test_export_not_when_acting_for_someone(client, idp, service, relations):
    register(service, "Emmas sak", national_id=demo.EMMA)
    idp.sign_in(client, pid=demo.KARI)
    _act_for(client, relations["Emma"].pk)
    assert client.post(reverse("citizens:export"), {"format": "html"}).status_code == 403
    assert not PrivacyLog.objects.exists()


def test_export_is_a_post_for_a_signed_in_citizen(client, idp):
    assert client.post(reverse("citizens:export"), {"format": "html"}).status_code == 302  # log in first
    idp.sign_in(client, pid=demo.KARI)
    assert client.get(reverse("citizens:export")).status_code == 405
    assert client.post(reverse("citizens:export"), {"format": "pdf"}).status_code == 403
    assert not PrivacyLog.objects.exists()


@pytest.mark.parametrize("page", ["citizens:callback", "citizens:login", "citizens:logout"])
def test_log_in_from_a_refused_sign_in_goes_on_to_min_side_not_the_used_callback(client, idp, page):
    """The header's «Logg inn» on the refused page names that page (the used callback) as next."""
    used = idp.start(client)
    started = idp.start(client, next=f"{reverse(page)}?code=x&state={used.state}")
    assert client.session["citizen_sign_ins"][started.state]["next"] == HOME
    assert idp.start(client, next="/tjenester/?q=1").state  # an ordinary page is kept
    assert list(client.session["citizen_sign_ins"].values())[-1]["next"] == "/tjenester/?q=1"


def test_the_code_page_offers_her_a_step_up_instead_of_the_code(client, idp, sensitive, relations):
    """A relative acting for the person gets no code (it goes to the case's contact details): the
    page offers ID-porten at high instead; to someone who does not own the case it offers nothing."""
    ingrids = register(sensitive, "Om helsa til Ingrid", national_id=demo.INGRID)
    idp.sign_in(client, pid=demo.OLA, level=assurance.SUBSTANTIAL)
    client.post(reverse("citizens:act-for"), {"relation": relations["Ingrid"].pk})
    code_page = reverse("inquiries_public:case-code", args=[ingrids.reference])
    assert client.get(case_url(ingrids))["Location"] == code_page
    page = client.get(code_page).content.decode()
    assert 'id="case-step-up"' in page and "level=idporten-loa-high" in page
    idp.sign_in(client, pid=demo.OLA, level=assurance.HIGH)
    assert client.get(case_url(ingrids)).status_code == 200
    assert "Ingrid Hansen" in client.get("/").content.decode()  # stepping up: still acting for her


def test_acting_for_someone_the_cases_heading_names_her(client, idp, service, relations):
    register(service, "Emmas sak", national_id=demo.EMMA)
    idp.sign_in(client, pid=demo.KARI)
    assert "Henvendelsene dine" in min_side(client)
    client.post(reverse("citizens:act-for"), {"relation": relations["Emma"].pk})
    page = min_side(client)
    assert "Henvendelsene til Emma Nordmann" in page and "Henvendelsene dine" not in page


def test_her_export_asks_the_level_each_case_page_asks(client, idp, service, sensitive):
    """A service that asks for high holds its case back from an export at substantial (to ID-porten
    at high first); a sensitive service with its own substantial level lets it go at substantial."""
    Service.objects.filter(pk=service.pk).update(assurance_level=assurance.HIGH)
    Service.objects.filter(pk=sensitive.pk).update(assurance_level=assurance.SUBSTANTIAL)
    register(Service.objects.get(pk=service.pk), "Skyss på høyt nivå", national_id=demo.KARI)
    idp.sign_in(client, pid=demo.KARI, level=assurance.SUBSTANTIAL)
    response = client.post(reverse("citizens:export"), {"format": "json"})
    assert response.status_code == 302 and "level=idporten-loa-high" in response["Location"]
    assert not PrivacyLog.objects.exists()
    Service.objects.filter(pk=service.pk).update(assurance_level="")
    register(Service.objects.get(pk=sensitive.pk), "Helse på betydelig nivå", national_id=demo.KARI)
    response = client.post(reverse("citizens:export"), {"format": "json"})
    assert response.status_code == 200 and "Helse på betydelig nivå" in response.content.decode()


def test_questions_waiting_on_her_closed_cases_in_queries_that_do_not_grow(client, idp, service):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from servicetorg.inquiries.models import Inquiry, State
    from servicetorg.surveys.services import satisfaction

    satisfaction.setup_satisfaction_survey(service.municipality, user=SYSTEM)
    cases = [register(service, f"Sak {n}", national_id=demo.KARI) for n in range(12)]
    Inquiry.objects.filter(pk__in=[c.pk for c in cases]).update(state=State.CLOSED)
    answered = Inquiry.objects.get(pk=cases[0].pk)
    satisfaction.answer(answered, rating=4, user=CITIZEN)
    closed = list(Inquiry.objects.filter(pk__in=[c.pk for c in cases]))
    one_by_one = [i for i in closed if (q := satisfaction.for_case(i)) is not None and not q.answered]
    assert {i.pk for i in satisfaction.waiting(closed)} == {i.pk for i in one_by_one}
    assert answered.pk not in {i.pk for i in one_by_one} and len(one_by_one) == 11
    idp.sign_in(client, pid=demo.KARI)
    with CaptureQueriesContext(connection) as many:
        page = min_side(client)
    assert 'id="my-satisfaction-questions"' in page
    Inquiry.objects.filter(pk__in=[c.pk for c in cases[2:]]).delete()
    with CaptureQueriesContext(connection) as few:
        min_side(client)
    assert len(many) == len(few)
