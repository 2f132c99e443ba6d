"""Citizen pages of the strategy in Chromium: axe-core (WCAG 2.1 AA) and the comment form."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.strategy import services, workflow
from servicetorg.strategy.models import ConsultationComment

from ..strategy.conftest import build_strategy, soon
from .conftest import assert_accessible, check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(municipality):
    strategy = build_strategy(municipality, publish=True)
    report = services.create_report(strategy, as_of_year=2025, user=SYSTEM)
    goal = strategy.focus_areas.get().goals.last()
    services.update_report(
        report, summary="Det går stort sett bra.", goal_notes={goal.pk: "Forsinket tiltak."}, user=SYSTEM
    )
    services.report_transition(
        report, workflow.ADOPT, adopted_on=date(2026, 4, 1), case_reference="PS 9/26", user=SYSTEM
    )
    report = services.report_transition(report, workflow.PUBLISH, user=SYSTEM)
    return strategy, report


@pytest.fixture
def in_consultation(other_municipality):
    strategy = build_strategy(other_municipality, start_year=2028)
    return services.transition(
        strategy, workflow.START_CONSULTATION, consultation_deadline=soon(), user=SYSTEM
    )


def test_strategy_pages_are_accessible(page, published):
    strategy, report = published
    for path in ("/strategi/", f"/strategi/versjon/{strategy.pk}/", f"/strategi/oppfolging/{report.pk}/"):
        page.goto(path)
        expect(page.locator("h1")).to_have_count(1)
        assert_accessible(page)
    expect(page.locator("img.chart")).to_have_count(2)
    expect(page.locator("text=Forsinket tiltak.")).to_have_count(1)


def test_comment_form_is_accessible_and_works(page, in_consultation):
    page.goto("/strategi/")
    page.click(f"a[href='/strategi/horing/{in_consultation.pk}/']")
    expect(page.locator("h1")).to_have_text(re.compile("^Høring"))
    assert_accessible(page)
    page.click("button[type=submit]:near(#id_text)")
    expect(page.locator(".ds-error-summary")).to_have_count(1)
    assert_accessible(page)
    page.fill("#id_name", "Kari Nordmann")
    page.fill("#id_text", "Fint at svarfristene blir kortere.")
    page.click("button[type=submit]:near(#id_text)")
    page.wait_for_load_state()
    assert ConsultationComment.objects.filter(name="Kari Nordmann", moderation="pending").count() == 1
    assert_accessible(page)


def test_consultation_comment_then_read_after_the_deadline(sized_page, municipality):
    """At 390 and 1280 px: comment on an open consultation (an error first), a late post keeps the
    text, and the ended consultation stays readable with the published comments and answers."""
    from django.utils import timezone

    from servicetorg.strategy.models import Strategy

    from .conftest import check_page

    page = sized_page
    strategy = services.transition(
        build_strategy(municipality, start_year=2028),
        workflow.START_CONSULTATION,
        consultation_deadline=soon(),
        user=SYSTEM,
    )
    earlier = services.submit_comment(
        strategy, name="Ola", text="Mer åpningstid, takk.", role="citizen", user=CITIZEN
    )
    services.moderate_comment(earlier, decision="approved", answer="Vi ser på det.", user=SYSTEM)
    page.goto(f"/strategi/horing/{strategy.pk}/")
    expect(page.locator("text=Høringsfrist:")).to_have_count(1)
    check_page(page)
    page.click("button[type=submit]:near(#id_text)")  # empty: field errors
    expect(page.locator(".ds-error-summary")).to_have_count(1)
    check_page(page)
    page.fill("#id_name", "Kari Nordmann")
    page.fill("#id_text", "Fint at svarfristene blir kortere.")
    page.click("button[type=submit]:near(#id_text)")
    page.wait_for_load_state()
    assert ConsultationComment.objects.filter(name="Kari Nordmann", moderation="pending").count() == 1
    check_page(page)
    # The form is open in the browser when the deadline passes: the post is refused, the text kept.
    page.fill("#id_name", "Per Sen")
    page.fill("#id_text", "Jeg rakk det nesten.")
    Strategy.objects.filter(pk=strategy.pk).update(consultation_deadline=timezone.now())
    page.click("button[type=submit]:near(#id_text)")
    page.wait_for_load_state()
    assert page.locator("#id_text").input_value() == "Jeg rakk det nesten."
    expect(page.locator("text=Merknaden din ble ikke sendt").first).to_be_attached()
    assert not ConsultationComment.objects.filter(name="Per Sen").exists()
    check_page(page)
    # Read-only afterwards: the published comment and the answer, no form.
    page.goto("/strategi/")
    page.click(f"a[href='/strategi/horing/{strategy.pk}/']")
    # The click returns once the new page is committed, not parsed: wait for its text.
    expect(page.locator("text=Vi ser på det.")).to_have_count(1)
    expect(page.locator("text=Høringen ble avsluttet")).to_have_count(1)
    expect(page.locator("#id_text")).to_have_count(0)
    check_page(page)


def test_the_comment_form_is_reached_from_the_top_on_a_phone(browser, live_server, municipality):
    """At 390 px the consultation page is long (the whole draft comes first); a link in the first
    screen leads to the comment form, and a contents list links every part of the page."""
    draft = build_strategy(municipality, start_year=2028, goals=4)
    for n in range(6):  # a draft as long as a real one
        services.add_focus_area(
            draft, title=f"Innsatsområde {n}", description="Beskrivelse. " * 40, user=SYSTEM
        )
    strategy = services.transition(
        draft, workflow.START_CONSULTATION, consultation_deadline=soon(), user=SYSTEM
    )
    context = browser.new_context(
        base_url=live_server.url, locale="nb-NO", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    try:
        page.goto(f"/strategi/horing/{strategy.pk}/")
        form_top = page.locator("#id_name").bounding_box()["y"]
        assert form_top > 3 * 844, f"the form is only {form_top} px down: the test proves nothing"
        link = page.get_by_role("link", name="Gå til skjemaet for merknader")
        box = link.bounding_box()
        assert box["y"] + box["height"] <= 844, "the link to the form is not in the first screen"
        contents = page.get_by_role("navigation", name="På denne siden")
        expect(contents.get_by_role("link", name="Gi din merknad")).to_have_count(1)
        expect(contents.get_by_role("link", name="1. Tilgjengelighet")).to_have_count(1)
        check_page(page)
        link.click()
        page.wait_for_function("location.hash === '#h-comment'")
        in_view = page.evaluate(
            "() => { const r = document.querySelector('#id_name').getBoundingClientRect();"
            " return r.top >= 0 && r.bottom <= window.innerHeight; }"
        )
        assert in_view, "after the link the form's first field is not on the screen"
        # A focus-area link in the contents lands on its heading too.
        page.goto(f"/strategi/horing/{strategy.pk}/")
        contents.get_by_role("link", name="3. Innsatsområde 1").click()
        page.wait_for_function("location.hash.startsWith('#fa-')")
        assert page.evaluate("() => document.querySelector(location.hash).getBoundingClientRect().top") < 100
    finally:
        context.close()
