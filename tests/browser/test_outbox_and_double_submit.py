"""Administration sees the outbox and sends a failed message again; a double click registers once."""

import pytest
from django.utils import timezone

from servicetorg.core.choices import Role
from servicetorg.core.models import OutboxMessage, OutboxState
from servicetorg.inquiries.models import Inquiry
from tests.browser.conftest import assert_accessible, login
from tests.factories import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_outbox_page_shows_failure_and_sends_again(page, municipality):
    make_staff(Role.ADMINISTRATION, municipality, username="admin-fjordvik")
    OutboxMessage.objects.create(
        municipality=municipality,
        channel="email",
        key="test.failed:1",
        recipients=["kari@example.no"],
        subject="Svar på henvendelsen din",
        body="Hei",
        state=OutboxState.FAILED,
        attempts=8,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
        next_attempt_at=timezone.now(),
    )
    login(page, "admin-fjordvik")
    page.get_by_role("link", name="Utboks: e-post og SMS").click()
    # Waits for the page (content() read right after the click can see the page still loading).
    page.get_by_text("SMTPServerDisconnected").first.wait_for()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.get_by_role("button", name="Send på nytt").click()
    page.wait_for_selector("text=Meldingen er lagt i kø for å sendes på nytt.")
    assert OutboxMessage.objects.get().state == OutboxState.SENT
    page.get_by_role("link", name="Sendt (1)").click()
    page.get_by_text("kari@example.no").first.wait_for()


def test_contact_form_sent_twice_registers_one_inquiry(page, municipality):
    """The first submit's answer is lost (the citizen sees nothing happen), so she clicks again."""
    page.goto("/kontakt/")
    page.get_by_label("Emne").fill("Dobbeltklikk")
    page.get_by_label("Din melding").fill("Sendt to ganger")
    page.get_by_label("Ditt navn").fill("Kari Nordmann")
    status = page.evaluate(
        """async () => {
            const form = document.querySelector("main form[method=post]");
            const body = new FormData(form);
            const answer = await fetch(form.action || location.href, {method: "POST", body});
            return answer.status;
        }"""
    )
    assert status == 200 and Inquiry.objects.count() == 1
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector("#receipt-reference")
    reference = page.locator("#receipt-reference").inner_text()
    assert list(Inquiry.objects.values_list("reference", flat=True)) == [reference]
