"""Answering a survey on the portal (phone and PC sizes) and reading its results, axe-core clean."""

import re

import pytest
from playwright.sync_api import expect

from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from servicetorg.surveys import services
from servicetorg.surveys.models import Response, SurveyAccess
from tests.surveys.conftest import answer, make_survey

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_answer_on_a_phone_with_an_error_then_submit(page, municipality):
    survey = make_survey(municipality)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/undersokelser/")
    assert_accessible(page)
    page.click(f"text={survey.title}")
    assert_accessible(page)
    page.click("button[value=start]")
    assert_accessible(page)
    page.check("#id_q_q2_4")
    page.fill("#id_q_kontakter", "1000")
    page.click("button[name=submit]")
    # Errors are listed and linked; what was answered is kept.
    expect(page.locator("#error-summary")).to_be_visible()
    assert page.is_checked("#id_q_q2_4")
    assert_accessible(page)
    page.check("#id_q_q1_6")
    page.fill("#id_q_kontakter", "3")
    page.click("button[name=submit]")
    page.wait_for_url("**/takk/")
    assert_accessible(page)
    assert Response.objects.filter(survey=survey).count() == 1


def test_invitation_code_and_resume(page, municipality):
    survey = make_survey(municipality, access=SurveyAccess.INVITATION)
    [code] = services.create_invitations(survey, 1, user=SYSTEM)
    page.goto(f"/undersokelser/{survey.public_id}/")
    page.fill("#id_code", "FEIL-KODE")
    page.click("button[value=code]")
    assert page.get_attribute("#id_code", "aria-invalid") == "true"
    assert_accessible(page)
    page.fill("#id_code", code)
    page.click("button[value=code]")
    page.check("#id_q_q1_3")
    page.click("button[name=save]")
    assert_accessible(page)
    page.context.clear_cookies()
    page.goto(f"/undersokelser/{survey.public_id}/")
    page.fill("#id_code", code)
    page.click("button[value=code]")
    assert page.is_checked("#id_q_q1_3")  # resumed with the same code
    page.click("button[name=submit]")
    page.wait_for_url("**/takk/")


def test_staff_results_pages_accessible(page, municipality, make_staff):
    survey = make_survey(municipality)
    for i in range(8):
        answer(
            survey,
            {"q1": str(1 + i % 6), "q2": str(1 + (i + 1) % 6), "kjonn": str(1 + i % 2), "bedre": "Bra"},
        )
    user = make_staff(Role.ADMINISTRATION, municipality)
    login(page, user.username)
    q1, kjonn = survey.questions.get(code="q1"), survey.questions.get(code="kjonn")
    paths = [
        "",
        "resultater/",
        f"krysstabell/?question={q1.pk}&by={kjonn.pk}",
        "sammenligning/",
        "korrelasjoner/",
        "rapport/",
        "innstillinger/",
        "sporsmal/ny/",
        "import/",
        "indikator/",
    ]
    for path in paths:
        page.goto(f"/staff/undersokelser/{survey.pk}/{path}")
        assert_accessible(page)
    page.goto("/staff/undersokelser/")
    assert_accessible(page)
    page.goto("/staff/undersokelser/ny/fra-mal/")
    assert_accessible(page)


def test_service_desk_template_page_by_page(page, municipality):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    survey = services.create_from_template(
        "servicetorg_brukerundersokelse",
        municipality=municipality,
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=1),
        user=SYSTEM,
    )
    services.publish(survey, user=SYSTEM)
    page.goto(f"/undersokelser/{survey.public_id}/")
    page.click("button[value=start]")
    page.check("#id_q_tilg_apningstid_5")
    while page.locator("button[name=next]").count():
        assert_accessible(page)
        page.click("button[name=next]")
    page.click("button[name=submit]")  # "helhet" is required and unanswered
    expect(page.locator("#error-summary")).to_be_visible()
    page.click("#error-summary a")
    page.check("#id_q_helhet_6")
    while page.locator("button[name=next]").count():
        page.click("button[name=next]")
    page.click("button[name=submit]")
    page.wait_for_url(re.compile(r"/takk/"))  # a redirect keeps the #fragment of the error link
    answers = {
        a.question.code: a.value
        for a in Response.objects.get(survey=survey).answers.select_related("question")
    }
    assert answers == {"tilg_apningstid": 5.0, "helhet": 6.0}
