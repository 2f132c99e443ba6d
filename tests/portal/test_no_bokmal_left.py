"""Her language, all the way (issue 24 §8): every citizen page rendered in nynorsk and in English has
no interface text left in bokmål. Text that stays Norwegian (what the municipality wrote) is marked
with ``lang="nb"`` and is not counted; everything else is checked against the bokmål translations
whose nynorsk (or English) differs, read from the project's own catalogues."""

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.urls import reverse

from servicetorg.core.permissions import SYSTEM
from servicetorg.strategy import services as strategy_services
from servicetorg.strategy import workflow
from tests.choice.conftest import build_scheme
from tests.factories import make_service
from tests.strategy.conftest import build_strategy, soon
from tests.surveys.conftest import make_survey

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src/servicetorg"
PLACEHOLDER = re.compile(r"%\([^)]*\)[sd]|%[sd]|\{[^}]*\}|\n")
ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")


def _catalogue(language):
    entries = {}
    for path in sorted(SRC.glob(f"**/locale/{language}/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(path)):
            if entry.obsolete or "fuzzy" in entry.flags:
                continue
            text = entry.msgstr or (entry.msgstr_plural or {}).get(0, "")
            entries[(entry.msgctxt, entry.msgid)] = text
            if entry.msgid_plural:
                entries[(entry.msgctxt, entry.msgid_plural)] = (entry.msgstr_plural or {}).get(1, "")
    return entries


def _fragments(text):
    """The literal pieces of a translation: placeholders and line breaks cut it."""
    return {p.strip(" .,:;()«»“”–-") for p in PLACEHOLDER.split(text)} - {""}


def bokmal_only(language):
    """Bokmål strings that must not appear on a page in ``language``: each bokmål translation whose
    translation in ``language`` is another text, less any piece that is also a text of ``language``."""
    nb, other = _catalogue("nb"), _catalogue(language)
    theirs = set()
    for key, text in other.items():
        theirs |= _fragments(text or key[1])  # English: an empty msgstr means the msgid itself
    found = set()
    for key, text in nb.items():
        if not text or key not in other:
            continue
        if text == (other[key] or key[1]):
            continue
        found |= {f for f in _fragments(text) if len(f) >= 3 and f not in theirs}
    return found


class _Text(HTMLParser):
    """The text of a page (and its alt, title, aria-label and placeholder texts) that is in the page's
    language: outside elements whose ``lang`` says otherwise. The document's <title> is left out: it
    repeats the heading (checked) and cannot mark a Norwegian title inside it with ``lang``."""

    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self, language):
        super().__init__()
        self.stack = [language]
        self.language = language
        self.texts = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = (attrs.get("lang") or self.stack[-1]).split("-")[0]
        if tag == "html":
            self.stack[0] = lang
        if lang == self.language:
            self.texts += [attrs[a] for a in ATTRIBUTES if attrs.get(a)]
        if tag not in self.VOID:
            self.stack.append(lang)
            if tag in ("script", "style", "title"):
                self.skip += 1

    def handle_endtag(self, tag):
        if tag not in self.VOID and len(self.stack) > 1:
            self.stack.pop()
            if tag in ("script", "style", "title"):
                self.skip = max(0, self.skip - 1)

    def handle_data(self, data):
        if not self.skip and self.stack[-1] == self.language and data.strip():
            self.texts.append(data)


def leftovers(html, language, strings):
    parser = _Text(language)
    parser.feed(html)
    text = " ¶ ".join(" ".join(t.split()) for t in parser.texts)
    nodes = {t.strip(" .,:;()«»“”–-") for t in (" ".join(t.split()) for t in parser.texts)}
    found = set()
    for s in strings:
        if " " in s:  # a phrase: anywhere in the text, as whole words
            if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", text):
                found.add(s)
        elif s in nodes:  # a single word: only as a whole text (a label, a heading, a tag)
            found.add(s)
    return found


@pytest.fixture
def citizen_pages(client, municipality):
    """Every kind of citizen page, with something on it: the portal, a service, the contact form and
    its receipt, the case, the strategy (published, in consultation, a revision), an adopted follow-up
    report, the surveys, and a user-choice scheme in force."""
    service = make_service(municipality, slug="barnehageplass", name="Barnehageplass")
    strategy = build_strategy(municipality, publish=True)
    report = strategy_services.create_report(strategy, as_of_year=2025, user=SYSTEM)
    goal = strategy.focus_areas.get().goals.last()
    strategy_services.update_report(
        report, summary="Det går stort sett bra.", goal_notes={goal.pk: "Forsinket tiltak."}, user=SYSTEM
    )
    strategy_services.report_transition(
        report, workflow.ADOPT, adopted_on=date(2026, 4, 1), case_reference="PS 9/26", user=SYSTEM
    )
    strategy_services.report_transition(report, workflow.PUBLISH, user=SYSTEM)
    draft = strategy_services.transition(
        build_strategy(municipality, start_year=2028),
        workflow.START_CONSULTATION,
        consultation_deadline=soon(),
        user=SYSTEM,
    )
    survey = make_survey(municipality)
    scheme = build_scheme(municipality, adopt=True, valid_from=date(2026, 1, 1))
    return {
        "choice": [
            reverse("choice_public:list"),
            reverse("choice_public:detail", args=[scheme.pk]),
        ],
        "strategy": [
            reverse("strategy_public:report", args=[report.pk]),
            reverse("strategy_public:home"),
            reverse("strategy_public:revision", args=[strategy.pk]),
            reverse("strategy_public:consultation", args=[draft.pk]),
        ],
        "portal": [
            reverse("portal:home"),
            reverse("portal:service-list"),
            reverse("portal:service-detail", args=[service.slug]),
            reverse("inquiries_public:contact"),
            reverse("inquiries_public:contact-service", args=[service.slug]),
        ],
        "surveys": [
            reverse("surveys_public:list"),
            reverse("surveys_public:start", args=[survey.public_id]),
        ],
        "survey": survey,
        "more": [
            reverse("inquiries_public:lookup"),
            reverse("portal:privacy"),
            reverse("portal:accessibility"),
        ],
        "service": service,
    }


def _choose(client, language):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})


def _check(client, language, urls):
    strings = bokmal_only(language)
    assert len(strings) > 100, "the catalogues gave too few bokmål strings: the test would prove nothing"
    problems = {}
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}"' in html
        found = leftovers(html, language, strings)
        if found:
            problems[url] = sorted(found)
    assert not problems, f"bokmål left on {language} pages (not marked lang=nb): {problems}"


@pytest.mark.parametrize("language", ["nn", "en"])
def test_strategy_and_follow_up_report_have_no_bokmal_left(client, citizen_pages, language):
    _choose(client, language)
    _check(client, language, citizen_pages["strategy"])


@pytest.mark.parametrize("language", ["nn", "en"])
def test_user_choice_pages_have_no_bokmal_left(client, citizen_pages, language):
    _choose(client, language)
    _check(client, language, citizen_pages["choice"])


@pytest.mark.parametrize("language", ["nn", "en"])
def test_portal_contact_receipt_case_and_surveys_have_no_bokmal_left(client, citizen_pages, language):
    from servicetorg.inquiries.models import Inquiry

    _choose(client, language)
    service = citizen_pages["service"]
    response = client.post(
        reverse("inquiries_public:contact-service", args=[service.slug]),
        {
            "subject": "Plass",
            "body": "Når får jeg svar?",
            "contact_name": "Kari",
            "contact_email": "k@example.no",
        },
    )
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    case = reverse(
        "inquiries_public:case", kwargs={"reference": inquiry.reference, "token": inquiry.link_token()}
    )
    survey = citizen_pages["survey"]
    started = client.post(reverse("surveys_public:start", args=[survey.public_id]), {"action": "start"})
    assert started.status_code == 302  # the answer page of an open survey
    _check(
        client,
        language,
        citizen_pages["portal"]
        + citizen_pages["surveys"]
        + citizen_pages["more"]
        + [
            reverse("inquiries_public:receipt"),
            case,
            reverse("surveys_public:answer", args=[survey.public_id]),
        ],
    )


def test_the_check_finds_bokmal_that_is_not_marked():
    """The checker itself: an unmarked bokmål label is found; the same label under lang="nb" is not."""
    strings = bokmal_only("nn")
    assert "Ikke nådd" in strings and "I rute" not in strings  # nynorsk: "Ikkje nådd", "I rute"
    page = (
        '<html lang="nn"><body><span class="ds-tag">Ikke nådd</span><p lang="nb">Ikke nådd</p></body></html>'
    )
    assert leftovers(page, "nn", strings) == {"Ikke nådd"}
    assert leftovers(page.replace('<span class="ds-tag">', '<span lang="nb">'), "nn", strings) == set()
    assert "Ikke nådd" in bokmal_only("en")
