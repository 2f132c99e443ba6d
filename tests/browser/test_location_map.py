"""A place on a map, on a phone (390 px) and a desktop (1280 px): she marks where the street light is
dark by clicking the map (or with the keyboard: the map's centre), sends, gets her receipt, and the
case officer sees the place; without JavaScript she types the address instead. Every page fits its
width with no axe violations; the map's tiles come from a local PNG (no test reaches the internet)."""

import os
import re
import struct
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from servicetorg.core.choices import Role
from servicetorg.inquiries.models import Inquiry
from tests.browser.conftest import check_page, login
from tests.factories import UnitFactory, make_service, make_staff
from tests.geonorge import address

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", "")


def shoot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _png(size: int = 256) -> bytes:
    """A grey tile, made here (no image library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xd8" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


TILE = _png()


def offline(page, live_server_url: str) -> list[str]:
    """Serve the map's tiles from TILE and refuse every other request off this test server; the
    tile URLs asked for are returned (a list that fills as the page loads)."""
    tiles: list[str] = []

    def handle(route):
        url = route.request.url
        if url.startswith(live_server_url):
            route.continue_()
        elif url.startswith("https://cache.kartverket.no/"):
            tiles.append(url)
            route.fulfill(status=200, body=TILE, content_type="image/png")
        else:
            route.abort()

    page.route("**/*", handle)
    return tiles


def watch_csp(page) -> list[str]:
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return refused


@pytest.fixture
def road_service(municipality):
    unit = UnitFactory(municipality=municipality, name="Teknisk drift", slug="teknisk-drift")
    service = make_service(
        municipality, unit=unit, slug="feil-pa-vei-og-gatelys", name="Meld fra om feil på vei og gatelys"
    )
    service.asks_location = True
    service.save()
    municipality.center_latitude, municipality.center_longitude = Decimal("59.0533"), Decimal("10.0352")
    municipality.save()
    make_staff(Role.CASE_OFFICER, municipality, unit, username="driftsleder")
    return service


def test_mark_the_place_on_the_map_send_and_the_officer_sees_it(sized_page, live_server, road_service):
    page = sized_page
    tiles = offline(page, live_server.url)
    refused = watch_csp(page)
    page.goto(f"/kontakt/{road_service.slug}/")
    page.wait_for_selector(".location-map:not([hidden]) .leaflet-tile-loaded")
    assert tiles and all(re.search(r"/webmercator/\d+/\d+/\d+\.png$", url) for url in tiles)
    check_page(page)

    page.get_by_label("Emne").fill("Gatelyset er mørkt")
    page.get_by_label("Din melding").fill("Lyset ved bussholdeplassen har vært mørkt i en uke.")
    page.get_by_label("Adresse eller sted").fill("Bussholdeplassen ved skolen")
    canvas = page.locator(".location-map__canvas")
    box = canvas.bounding_box()
    assert box["width"] <= page.viewport_size["width"]
    # A click on the map marks the place and fills in the coordinates; she hears where.
    canvas.click(position={"x": box["width"] * 0.7, "y": box["height"] * 0.3})
    page.wait_for_selector(".location-map .leaflet-marker-icon")
    clicked = (page.locator("#id_latitude").input_value(), page.locator("#id_longitude").input_value())
    assert all(re.fullmatch(r"\d+\.\d{6}", value) for value in clicked)
    # She hears that it is marked, not a string of digits.
    expect(page.locator("[data-map-status]")).to_have_text("Stedet er markert på kartet.")
    # With the keyboard: the arrow keys move the map, a button marks its centre.
    canvas.focus()
    page.keyboard.press("ArrowLeft")
    page.get_by_role("button", name="Marker midten av kartet").click()
    centred = (page.locator("#id_latitude").input_value(), page.locator("#id_longitude").input_value())
    assert centred != clicked
    expect(page.locator("[data-map-status]")).to_have_text("Midten av kartet er markert som stedet.")
    check_page(page)
    page.get_by_label("Ditt navn").fill("Ola Nordmann")
    page.get_by_role("button", name="Send").click()

    reference = page.locator("#receipt-reference").inner_text()
    check_page(page)
    inquiry = Inquiry.objects.get(reference=reference)
    assert (str(inquiry.latitude), str(inquiry.longitude)) == centred
    assert Decimal("58.95") < inquiry.latitude < Decimal("59.15")  # near the municipality's centre
    assert inquiry.address == "Bussholdeplassen ved skolen"

    # The case officer sees the place: the address, the coordinates, a link and a small map.
    login(page, "driftsleder")
    page.goto(f"/staff/henvendelser/{inquiry.pk}/")
    page.wait_for_selector('[data-location-map="show"]:not([hidden]) .leaflet-marker-icon')
    place = page.locator("#place-heading").locator("..")
    assert "Bussholdeplassen ved skolen" in place.inner_text()
    assert f"{inquiry.latitude}, {inquiry.longitude}" in place.inner_text()
    assert (
        place.get_by_role("link", name="Se stedet på norgeskart.no")
        .get_attribute("href")
        .startswith("https://norgeskart.no/#!?project=norgeskart")
    )
    check_page(page)
    assert not refused, refused


@pytest.fixture(params=[390, 1280], ids=["phone", "desktop"])
def page_without_js(request, browser, live_server):
    """A page without JavaScript, and beside it a checker: the same width, its page's scripts refused,
    where axe (which needs JavaScript of its own) checks what the page without JavaScript shows."""
    width = request.param
    viewport = {"width": width, "height": 844 if width < 600 else 900}
    context = browser.new_context(
        base_url=live_server.url, locale="nb-NO", java_script_enabled=False, viewport=viewport
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    checking = browser.new_context(base_url=live_server.url, locale="nb-NO", viewport=viewport)
    checking.set_default_timeout(20_000)
    page.checker = checking.new_page()
    yield page
    checking.close()
    context.close()


def check_as_shown(page) -> None:
    """check_page on what the page without JavaScript shows (its HTML, at its address, in the
    checker, whose page scripts are refused)."""
    html, url, checker = page.content(), page.url, page.checker

    def handle(route):
        if route.request.url == url:
            route.fulfill(status=200, body=html, content_type="text/html; charset=utf-8")
        elif route.request.resource_type == "script" or not route.request.url.startswith(
            url.split("/", 3)[0]
        ):
            route.abort()
        else:
            route.continue_()

    checker.route("**/*", handle)
    checker.goto(url)
    expect(checker.locator("[data-location-map]:not([hidden])")).to_have_count(0)
    check_page(checker)
    checker.unroute("**/*")


def test_without_javascript_she_types_the_address(page_without_js, live_server, road_service):
    page = page_without_js
    offline(page, live_server.url)
    page.goto(f"/kontakt/{road_service.slug}/")
    assert page.locator("[data-location-map]").is_hidden()  # no map without JavaScript
    check_as_shown(page)
    page.get_by_label("Emne").fill("Veien er ikke brøytet")
    page.get_by_label("Din melding").fill("Fjellveien er ikke brøytet i dag.")
    page.get_by_label("Adresse eller sted").fill("Fjellveien 12")
    page.get_by_label("Ditt navn").fill("Kari Nordmann")
    # Coordinates typed wrong: a message on the field, nothing typed is lost.
    page.locator(".location-coordinates > summary").click()
    page.get_by_label("Breddegrad").fill("12")
    page.get_by_label("Lengdegrad").fill("10,75")
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector("#error-summary")
    assert "Stedet må være i Norge" in page.locator("#id_latitude_error").inner_text()
    assert page.get_by_label("Adresse eller sted").input_value() == "Fjellveien 12"
    assert page.get_by_label("Din melding").input_value() == "Fjellveien er ikke brøytet i dag."
    check_as_shown(page)
    page.get_by_label("Breddegrad").fill("")
    page.get_by_label("Lengdegrad").fill("")
    page.get_by_role("button", name="Send").click()
    reference = page.locator("#receipt-reference").inner_text()
    check_as_shown(page)
    inquiry = Inquiry.objects.get(reference=reference)
    assert inquiry.address == "Fjellveien 12" and inquiry.latitude is None

    login(page, "driftsleder")
    page.goto(f"/staff/henvendelser/{inquiry.pk}/")
    assert "Fjellveien 12" in page.locator("#place-heading").locator("..").inner_text()
    check_as_shown(page)


# --- the address search (issue 24 §7) --------------------------------------------------------------


def test_she_finds_the_address_by_keyboard_on_a_phone(browser, live_server, geonorge, road_service):
    """390 px: she types the start of the address, hears how many matched, picks the second with
    the arrow keys and Enter (which does not send the form), hears the address she chose, and the
    map moves there; the receipt and the case page show it. The browser asks only this site; the
    server asks the register (a local stand-in)."""
    municipality = road_service.municipality
    geonorge.addresses += [
        address("Fjellveien 12", "3999", "FJORDVIK", municipality.number, 59.061204, 10.021377),
        address("Fjellveien 14", "3999", "FJORDVIK", municipality.number, 59.062051, 10.022490),
    ]
    context = browser.new_context(
        base_url=live_server.url, locale="nb-NO", viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        offline(page, live_server.url)
        refused = watch_csp(page)
        page.goto(f"/kontakt/{road_service.slug}/")
        page.wait_for_selector(".location-map:not([hidden]) .leaflet-tile-loaded")
        # The map opens on the municipality, not on Oslo.
        assert page.locator("[data-location-map]").get_attribute("data-lat") == "59.0533"

        field = page.get_by_role("combobox", name="Adresse eller sted")
        assert field.get_attribute("aria-expanded") == "false"
        status = page.locator("#address-search-status")
        # The register is down at first: she is told what she can do instead.
        geonorge.mode = "error"
        field.press_sequentially("fjellv", delay=40)
        expect(status).to_have_text(
            "Adressesøket svarer ikke akkurat nå. "
            "Marker stedet på kartet, eller beskriv det med ord i feltet."
        )
        assert page.locator("#address-suggestions").is_hidden()
        shoot(page, "address-search-390-down")
        # It is back (and the pause after the failure is over).
        from django.core.cache import cache

        geonorge.mode = "ok"
        cache.clear()
        field.fill("")
        field.press_sequentially("fjellv", delay=40)
        options = page.get_by_role("option")
        expect(options).to_have_count(2)
        assert options.all_inner_texts() == ["Fjellveien 12, 3999 Fjordvik", "Fjellveien 14, 3999 Fjordvik"]
        expect(status).to_have_text("2 treff. Bruk pil ned for å velge.")
        assert field.get_attribute("aria-expanded") == "true"
        check_page(page)
        shoot(page, "address-search-390-open")

        field.press("ArrowDown")
        field.press("ArrowDown")
        second = options.nth(1)
        assert second.get_attribute("aria-selected") == "true"
        assert field.get_attribute("aria-activedescendant") == second.get_attribute("id")
        field.press("Enter")
        assert page.url.endswith(f"/kontakt/{road_service.slug}/")  # Enter chose; it did not send
        assert field.input_value() == "Fjellveien 14, 3999 Fjordvik"
        assert (
            field.get_attribute("aria-expanded") == "false"
            and page.locator("#address-suggestions").is_hidden()
        )
        expect(status).to_have_text("Valgt: Fjellveien 14, 3999 Fjordvik. Stedet er markert på kartet.")
        assert (page.locator("#id_latitude").input_value(), page.locator("#id_longitude").input_value()) == (
            "59.062051",
            "10.022490",
        )
        page.wait_for_selector(".location-map .leaflet-marker-icon")
        # Nothing a screen reader announces is a coordinate.
        announced = page.eval_on_selector_all(
            "[role=status], [aria-live]", "nodes => nodes.map(n => n.textContent).join(' | ')"
        )
        assert not re.search(r"\d+[.,]\d{3,}", announced), announced
        check_page(page)
        shoot(page, "address-search-390-chosen")

        page.get_by_label("Emne").fill("Gatelyset er mørkt")
        page.get_by_label("Din melding").fill("Lyset utenfor har vært mørkt i en uke.")
        page.get_by_label("Ditt navn").fill("Ola Nordmann")
        page.get_by_role("button", name="Send").click()
        reference = page.locator("#receipt-reference").inner_text()
        place = page.locator("#place-heading").locator("..")
        assert "Fjellveien 14, 3999 Fjordvik" in place.inner_text()
        check_page(page)
        shoot(page, "address-search-390-receipt")
        inquiry = Inquiry.objects.get(reference=reference)
        assert inquiry.address == "Fjellveien 14, 3999 Fjordvik"
        assert (inquiry.latitude, inquiry.longitude) == (Decimal("59.062051"), Decimal("10.022490"))

        page.locator("#case-link").click()
        assert "Fjellveien 14, 3999 Fjordvik" in page.locator("#place-heading").locator("..").inner_text()
        check_page(page)
        # The browser talked to this site only (connect-src 'self'); the server asked the register.
        assert geonorge.requests and all(r["params"]["kommunenummer"] == "3999" for r in geonorge.requests)
        assert not refused, refused
    finally:
        context.close()
