"""The satisfaction question on a closed case, at 390 and 1280 px: the question on the case page, an
answer without a rating (a field error, the comment kept), then the answer and the thanks; staff see
the results per service with disclosure control."""

import pytest
from playwright.sync_api import expect

from servicetorg.core.choices import Role
from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.inquiries import services
from servicetorg.inquiries.models import Channel
from servicetorg.surveys.models import Answer, Response
from servicetorg.surveys.services import satisfaction
from tests.browser.conftest import check_page, login
from tests.factories import UnitFactory, make_service, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_answer_the_satisfaction_question_on_the_closed_case(sized_page, municipality):
    page = sized_page
    unit = UnitFactory(municipality=municipality, name="Oppvekst", slug="oppvekst")
    service = make_service(municipality, unit=unit, slug="barnehageplass", name="Barnehageplass")
    officer = make_staff(Role.CASE_OFFICER, municipality, unit, username="officer")
    survey = satisfaction.setup_satisfaction_survey(municipality, user=SYSTEM)
    registered = services.register(
        municipality=municipality,
        channel=Channel.WEB_FORM,
        service=service,
        subject="Barnehageplass",
        body="Når får vi svar?",
        user=CITIZEN,
    )
    inquiry = registered.inquiry
    services.take(inquiry, user=officer)
    services.reply(inquiry, text="Dere får plass i august.", user=officer)
    services.close(inquiry, user=officer)

    page.goto(f"/sak/{inquiry.reference}/{registered.token}/")
    expect(page.locator("#tilfredshet h2")).to_have_text("Hvor fornøyd er du?")
    check_page(page)
    # No rating: the question again with the error, the comment kept.
    page.get_by_label("Vil du si noe mer om svaret? (valgfritt)").fill("Greit svar")
    page.click("#tilfredshet button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator(".ds-error-summary")).to_have_count(1)
    assert page.get_by_label("Vil du si noe mer om svaret? (valgfritt)").input_value() == "Greit svar"
    check_page(page)
    page.get_by_label("Fornøyd", exact=True).check()
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/sak/{inquiry.reference}/#tilfredshet")  # the token leaves the address
    expect(page.locator("text=Du har svart på spørsmålet om denne saken")).to_have_count(1)
    check_page(page)
    response = Response.objects.get(survey=survey)
    assert Answer.objects.get(response=response, question__code=satisfaction.RATING).value == 4

    # Staff: the survey's results page (the breakdown is under the threshold: nothing per service).
    make_staff(Role.ADMINISTRATION, municipality, username="radmann")
    login(page, "radmann")
    page.goto(f"/staff/undersokelser/{survey.pk}/resultater/")
    check_page(page)
