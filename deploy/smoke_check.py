"""What deploy/smoke-test checks through nginx (TLS) against the production set-up it started.

Usage: smoke_check.py BASE_URL CA_FILE MAILDIR ADMIN_USERNAME (the password in SMOKE_ADMIN_PASSWORD).
Each check prints one line; the first failure ends the run with exit status 1.
"""

import io
import mailbox
import os
import re
import sys
import time
from html.parser import HTMLParser

import requests
from PIL import Image

BASE, CA, MAILDIR, ADMIN = sys.argv[1:5]
HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js)$")
#: Seconds per request: generous, so that a loaded CI machine (the first request warms a worker; one run
#: on two busy cores took over 30 s) fails only on a real fault. SMOKE_TIMEOUT overrides it.
TIMEOUT = float(os.environ.get("SMOKE_TIMEOUT", "120"))
TYPES = {".css": "text/css", ".js": "javascript", ".png": "image/png", ".svg": "image/svg+xml"}


def ok(what: str) -> None:
    print(f"  ok  {what}", flush=True)


def fail(what: str) -> None:
    print(f"  FAIL {what}", flush=True)
    sys.exit(1)


class Page(HTMLParser):
    """The static files a page links and the fields of its forms."""

    def __init__(self):
        super().__init__()
        self.assets: list[str] = []
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("href", "").startswith("/static/"):
            self.assets.append(a["href"])
        if tag == "script" and a.get("src", "").startswith("/static/"):
            self.assets.append(a["src"])
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}})
        if tag in ("input", "textarea", "select") and self.forms and a.get("name"):
            if a.get("type") in ("checkbox", "radio", "file", "submit"):
                return
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")


def get(session: requests.Session, path: str, **kwargs) -> requests.Response:
    return session.get(BASE + path, verify=CA, timeout=TIMEOUT, **kwargs)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def main() -> None:
    session = requests.Session()
    seen_assets: set[str] = set()
    for path in (
        "/",
        "/tjenester/",
        "/kontakt/",
        "/strategi/",
        "/brukervalg/",
        "/skolevalg/",
        "/statistikk/",
        "/statistikk/kommuner/",
        "/statistikk/kommuner/3805/",  # Larvik's former number: on to today's 3909
        "/statistikk/indikatorer/",
        "/statistikk/rangering/",
        "/statistikk/egne-tall/",
        "/kommunetest/",
        "/api/statistikk/regioner/?current=true",
        "/tilgjengelighet/",
        "/personvern/",
    ):
        response = get(session, path)
        if response.status_code != 200:
            fail(f"GET {path}: {response.status_code}")
        if "Strict-Transport-Security" not in response.headers:
            fail(f"GET {path}: no HSTS header")
        seen_assets.update(parse(response.text).assets)
        ok(f"GET {path} 200 over TLS")
    # No ID-porten client in this set-up: Min side is off (a 404 page), not an error.
    if (status := get(session, "/min-side/").status_code) != 404:
        fail(f"GET /min-side/ without ID-porten: {status}, not 404")
    ok("GET /min-side/ 404 without an ID-porten client")
    if not seen_assets:
        fail("the pages link no static files")
    for asset in sorted(seen_assets):
        response = get(session, asset)
        suffix = os.path.splitext(asset)[1]
        if response.status_code != 200:
            fail(f"GET {asset}: {response.status_code}")
        if suffix in (".css", ".js") and not HASHED.search(asset):
            fail(f"{asset}: not a hashed (cache-busting) name")
        if TYPES.get(suffix, "") not in response.headers.get("Content-Type", ""):
            fail(f"{asset}: Content-Type {response.headers.get('Content-Type')}")
        if suffix in (".css", ".js") and "immutable" not in response.headers.get("Cache-Control", ""):
            fail(f"{asset}: no long-lived Cache-Control")
    ok(f"{len(seen_assets)} static files: 200, hashed names, right content types, cached for a year")
    for path in ("/no-public-url/x.png", "/static/../var/private/attachments/", "/private/attachments/"):
        if get(session, path).status_code not in (400, 404):
            fail(f"GET {path} was served")
    ok("the private attachment folder is not served")

    # A citizen writes through the contact form with a photo; her receipt reaches the SMTP sink
    # through the outbox and the worker.
    form_page = get(session, "/kontakt/")
    form = next(f for f in parse(form_page.text).forms if "subject" in f["fields"])
    fields = {
        **form["fields"],
        "subject": "Røykskade i gymsalen",
        "body": "Det lukter brent i gymsalen.",
        "contact_name": "Kari Nordmann",
        "contact_email": "kari@example.org",
        "service": "",
    }
    image = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(image, "PNG")
    posted = session.post(
        BASE + "/kontakt/",
        data=fields,
        files={"attachments": ("gymsal.png", image.getvalue(), "image/png")},
        headers={"Referer": BASE + "/kontakt/"},
        verify=CA,
        timeout=TIMEOUT,
        allow_redirects=True,
    )
    reference = re.search(r"\b(\d{4}-\d{4,})\b", posted.text)
    if posted.status_code != 200 or "/kontakt/kvittering/" not in posted.url:
        fail(f"contact form: {posted.status_code} at {posted.url}: {posted.text[:300]!r}")
    ok(f"contact form with an attachment registered: {reference.group(1) if reference else 'receipt shown'}")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        box = mailbox.Maildir(MAILDIR, create=False) if os.path.isdir(os.path.join(MAILDIR, "new")) else None
        received = [m for m in box] if box is not None else []
        if any("kari@example.org" in (m.get("To") or "") for m in received):
            break
        time.sleep(1)
    else:
        fail("no receipt e-mail reached the SMTP sink within 90 s (outbox → Celery worker → SMTP)")
    ok("the receipt e-mail reached the SMTP sink through the worker")

    # Staff log-in: the password is only the first step.
    staff = requests.Session()
    login = get(staff, "/staff/logg-inn/")
    login_form = next(f for f in parse(login.text).forms if "username" in f["fields"])
    answer = staff.post(
        BASE + "/staff/logg-inn/",
        data={**login_form["fields"], "username": ADMIN, "password": os.environ["SMOKE_ADMIN_PASSWORD"]},
        headers={"Referer": BASE + "/staff/logg-inn/"},
        verify=CA,
        timeout=TIMEOUT,
    )
    if "/staff/to-trinn/" not in answer.url:
        fail(f"staff log-in did not ask for the second factor: ended at {answer.url}")
    if get(staff, "/api/inquiries/inquiries/").status_code != 403:
        fail("the API answered a session without the second factor")
    ok("staff log-in asks for the second factor; the API refuses the session until then")
    health = get(session, "/helse/")
    if health.status_code != 200 or health.json().get("database") != "ok":
        fail(f"/helse/: {health.status_code} {health.text[:200]}")
    ok(f"/helse/ {health.json()}")


if __name__ == "__main__":
    main()
