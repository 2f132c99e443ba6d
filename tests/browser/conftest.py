"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against live_server.

`make test` installs Chromium with apt when it is missing; no browser is downloaded.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the tests still use the ORM synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_JS = Path(__file__).resolve().parents[2] / "src/servicetorg/static/vendor/axe.min.js"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browsers` (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="nb-NO")
    context.set_default_timeout(10_000)
    page = context.new_page()
    # Whatever the Content-Security-Policy refuses (an inline script, style or handler) fails the test.
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            page.csp_violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not page.csp_violations, "\n".join(page.csp_violations)


def login(page, username: str, password: str = "pass-for-tests-1") -> None:  # noqa: S107
    page.goto("/staff/logg-inn/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def assert_accessible(page, *, tags=("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")) -> None:
    """Run axe-core on the current page; fail with a readable list of violations (WCAG 2.1 AA)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: a <script> element would be an inline script, which
        # the page's Content-Security-Policy refuses.
        page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", list(tags)
    )
    violations = result["violations"]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
    )
    assert not violations, f"axe-core found {len(violations)} violation(s) on {page.url}:\n{report}"


def assert_fits(page) -> None:
    """Nothing is wider than the viewport (WCAG 1.4.10 reflow): no sideways scrolling of the page."""
    widths = page.evaluate(
        "() => ({page: document.documentElement.scrollWidth, viewport: window.innerWidth})"
    )
    assert widths["page"] <= widths["viewport"], (
        f"{page.url} is {widths['page']} px wide in {widths['viewport']} px"
    )


def check_page(page) -> None:
    """The checks every citizen page passes at every width: it fits, and axe finds nothing."""
    assert_fits(page)
    assert_accessible(page)


@pytest.fixture(params=[390, 1280], ids=["phone", "desktop"])
def sized_page(request, browser, live_server):
    """A page at a phone's width (390 px) and at a desktop's (1280 px)."""
    width = request.param
    context = browser.new_context(
        base_url=live_server.url,
        locale="nb-NO",
        viewport={"width": width, "height": 844 if width < 600 else 900},
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()
