# ruff: noqa: E501
"""Norwegian number and date formats everywhere (issue 10), and machine-readable output untouched.

Bokmål and nynorsk show "12 345,6" (a non-breaking space between thousands, a decimal comma),
"45,2 %", "3. desember 2026" / "03.12.2026" and "14:05" in Europe/Oslo; English shows "12,345.6",
"45.2%", "3 December 2026". Ids, years and page numbers that go into URLs, HTML ids, form values,
data attributes, CSV, JSON and RDF are never localized.
"""

import csv
import io
import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from servicetorg.core import formatting
from servicetorg.core.models import Municipality

pytestmark = [pytest.mark.slow, pytest.mark.django_db]  # slow: each test loads the whole demo

NBSP = "\xa0"
BIG = 123456  # every id of the demo starts here: localized it would be "123 456"
#: A number written with a thousands separator (any space, or the English comma).
GROUPED = re.compile(r"\d[\xa0\u202f ,]\d{3}(?!\d)")
ENGLISH_MONTHS = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
#: Attributes that hold text for people (localized numbers are right there).
HUMAN_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "data-template", "content", "label"}


def start_ids_at(value: int) -> None:
    """Make every table's next id ``value`` or more (PostgreSQL sequences; SQLite's sqlite_sequence)."""
    with connection.cursor() as cursor:
        for model in apps.get_models():
            pk = model._meta.pk
            if model._meta.proxy or not model._meta.managed or pk is None:
                continue
            if pk.get_internal_type() not in {"AutoField", "BigAutoField", "SmallAutoField"}:
                continue
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s)", [table, pk.column, value])
            else:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, value])


class Attributes(HTMLParser):
    """Every (tag, attribute, value) of a page, and its script and style text."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.found += [(tag, name, value or "") for name, value in attrs]
        self._in_script = tag in {"script", "style"}

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def machine_values(html: str) -> list[tuple[str, str, str]]:
    """Attributes whose values machines read (URLs, ids, form values, data-*, numbers), with any
    localized number in them."""
    parser = Attributes()
    parser.feed(html)
    bad = [(t, n, v) for t, n, v in parser.found if n not in HUMAN_ATTRIBUTES and GROUPED.search(v)]
    bad += [("script", "", s[:200]) for s in parser.scripts if GROUPED.search(s)]
    return bad


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nb", ["12\xa0345,6", "45,2\xa0%", "3. desember 2026", "03.12.2026", "torsdag 3. desember 2026"]),
        ("nn", ["12\xa0345,6", "45,2\xa0%", "3. desember 2026", "03.12.2026", "torsdag 3. desember 2026"]),
        ("en", ["12,345.6", "45.2%", "3 December 2026", "03/12/2026", "Thursday 3 December 2026"]),
    ],
)
def test_helpers_write_numbers_and_dates_as_the_language_does(language, expected):
    day = date(2026, 12, 3)
    with translation.override(language):
        got = [
            formatting.number(Decimal("12345.6")),
            formatting.percent(Decimal("45.2")),
            formatting.date(day),
            formatting.short_date(day),
            formatting.weekday_date(day),
        ]
        assert got == expected
        # 13:05 UTC is 14:05 in Oslo in winter.
        assert formatting.short_datetime(datetime(2026, 12, 3, 13, 5, tzinfo=UTC)).endswith("14:05")
        assert formatting.number(0.1 + 0.2) in {"0,3", "0.3"}
        assert formatting.number(2.0) == "2"


def test_templates_localize_numbers_and_dates_but_not_ids_or_years():
    from django.template import Context, Template

    template = Template(
        '<a href="/x/{{ pk|unlocalize }}/" data-n="{{ n|unlocalize }}">{{ n }}</a> {{ year|unlocalize }} '
        '{{ share|percent }} {{ day|date:"DATE_FORMAT" }} {{ day|date:"SHORT_DATE_FORMAT" }} {{ day|weekday_day }}'
    )
    context = Context(
        {"pk": 123456, "n": 1234, "year": 2026, "share": Decimal("45.2"), "day": date(2026, 12, 3)}
    )
    with translation.override("nb"):
        assert template.render(context) == (
            '<a href="/x/123456/" data-n="1234">1\xa0234</a> 2026 45,2\xa0% 3. desember 2026 03.12.2026 '
            "torsdag 3. desember"
        )
    with translation.override("en"):
        assert template.render(context) == (
            '<a href="/x/123456/" data-n="1234">1,234</a> 2026 45.2% 3 December 2026 03/12/2026 Thursday 3 December'
        )


# --- the main pages, with big ids and counts -------------------------------------------------------


@pytest.fixture
def demo(monkeypatch):
    """The demo municipality (every module's demo data: a year of inquiries, a survey, a strategy,
    indicators), with every id above 123456 and about 1 300 inquiries rather than the demo's usual number."""
    from functools import partial

    from servicetorg.inquiries import demo as inquiries_demo

    monkeypatch.setattr(inquiries_demo, "load", partial(inquiries_demo.load, target=1600))
    start_ids_at(BIG)
    call_command("load_demo", verbosity=0)
    return Municipality.objects.get(number="3999")


def main_pages(municipality) -> tuple[list[str], list[str]]:
    """(citizen pages, staff pages) of the demo: lists, details, dashboards, results and reports."""
    from servicetorg.catalogue.models import Service
    from servicetorg.indicators.models import Indicator
    from servicetorg.inquiries.models import Inquiry
    from servicetorg.strategy.models import FollowUpReport, Strategy
    from servicetorg.surveys.models import Survey

    service = Service.objects.filter(municipality=municipality, state="published").order_by("pk").first()
    inquiry = Inquiry.objects.filter(municipality=municipality).order_by("-pk").first()
    survey = Survey.objects.filter(municipality=municipality).order_by("pk").last()
    strategy = Strategy.objects.filter(municipality=municipality).order_by("pk").last()
    report = FollowUpReport.objects.filter(strategy__municipality=municipality).order_by("pk").last()
    indicator = Indicator.objects.order_by("pk").last()
    citizen = [
        reverse("portal:home"),
        reverse("portal:service-list"),
        reverse("portal:service-detail", args=[service.slug]),
        reverse("inquiries_public:contact"),
        reverse("inquiries_public:contact-service", args=[service.slug]),
        reverse("surveys_public:list"),
        reverse("strategy_public:home"),
        reverse("portal:open-data", args=[municipality.number]),
    ]
    staff = [
        reverse("core:staff-home"),
        reverse("core:outbox"),
        reverse("catalogue:service-list"),
        reverse("catalogue:service-detail", args=[service.pk]),
        reverse("inquiries:queue"),
        reverse("inquiries:queue") + "?frist=alle&hvem=alle",
        reverse("inquiries:detail", args=[inquiry.pk]),
        reverse("inquiries:dashboard"),
        reverse("inquiries:rules"),
        reverse("inquiries:compensations"),
        reverse("surveys:survey-list"),
        reverse("surveys:survey-detail", args=[survey.pk]),
        reverse("surveys:results", args=[survey.pk]),
        reverse("surveys:report", args=[survey.pk]),
        reverse("strategy:strategy-list"),
        reverse("strategy:strategy-detail", args=[strategy.pk]),
        reverse("indicators:indicator-list"),
        reverse("indicators:indicator-detail", args=[indicator.pk]),
    ]
    if report is not None:
        staff.append(reverse("strategy:report-detail", args=[report.pk]))
        citizen.append(reverse("strategy_public:report", args=[report.pk]))
    return citizen, staff


def get_pages(language: str, municipality) -> dict[str, str]:
    from django.contrib.auth import get_user_model

    citizen, staff = main_pages(municipality)
    pages = {}
    anonymous = Client()
    anonymous.post(reverse("set_language"), {"language": language})
    admin = Client()
    admin.force_login(get_user_model().objects.get(username="admin"))
    admin.post(reverse("set_language"), {"language": language})
    for client, urls in ((anonymous, citizen), (admin, staff)):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            pages[url] = response.content.decode()
    return pages


def test_main_pages_in_norwegian_localize_counts_but_never_ids_years_or_values(demo):
    from servicetorg.inquiries.models import Inquiry

    total = Inquiry.objects.filter(municipality=demo).count()
    assert total > 1000 and Inquiry.objects.order_by("pk").first().pk > BIG
    for language in ("nb", "nn"):
        pages = get_pages(language, demo)
        for url, html in pages.items():
            # No "123 456" (or "2 026") in a URL, an id, a form value, a data attribute or a script.
            assert machine_values(html) == [], (language, url, machine_values(html)[:5])
            text = visible_text(html)
            # Years are never grouped, and no English month or weekday names.
            year = re.search("2\xa00(1|2|3)\\d", html)
            assert year is None, (language, url, html[year.start() - 300 : year.end() + 100])
            assert not ENGLISH_MONTHS.search(text), (language, url, ENGLISH_MONTHS.search(text))
        # The big ids are in the links as plain digits.
        queue = pages[reverse("inquiries:queue") + "?frist=alle&hvem=alle"]
        assert re.search(r'href="/staff/henvendelser/1\d{5}/"', queue)
        # Counts over a thousand are shown grouped: the dashboard's total.
        dashboard = pages[reverse("inquiries:dashboard")]
        assert re.search(r'id="kpi-total">\d\xa0\d{3}<', dashboard), "the dashboard's total is grouped"
        # Percentages in Norwegian style: a decimal comma (if any) and a non-breaking space before %.
        results = next(html for url, html in pages.items() if url.endswith("/resultater/"))
        assert re.search(r"\d(,\d)?\xa0%", results)
        assert not re.search(r"\d\.\d\s?%", visible_text(results))
        # Norwegian month names where dates are written out.
        all_text = visible_text("".join(pages.values()))
        assert re.search(
            r"\d{1,2}\. (januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember) 20\d\d",
            all_text,
        )
        assert re.search(r"\b\d{2}\.\d{2}\.20\d\d\b", all_text)  # 03.12.2026
    # English keeps English formats (and the same machine-readable attributes).
    pages = get_pages("en", demo)
    dashboard = pages[reverse("inquiries:dashboard")]
    assert re.search(r'id="kpi-total">\d,\d{3}<', dashboard)
    for url, html in pages.items():
        assert machine_values(html) == [], (url, machine_values(html)[:5])
        assert "\xa0%" not in visible_text(html), url


# --- charts, PDFs, e-mails and SMS ---------------------------------------------------------------


def svg_texts(svg: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)]


def test_indicator_chart_ticks_are_norwegian():
    from servicetorg.strategy.charts import indicator_chart

    years = [2024, 2025, 2026, 2027]
    with translation.override("nb"):
        svg = indicator_chart(
            years=years,
            actual={2024: Decimal("11800.5"), 2025: Decimal("12250"), 2026: None, 2027: None},
            target={2024: None, 2025: Decimal("12000"), 2026: Decimal("12500"), 2027: Decimal("13000")},
            unit_of_measure="kroner",
            actual_label="Faktisk",
            target_label="Mål",
        )
    texts = svg_texts(svg)
    assert {"2024", "2025", "2026", "2027"} <= set(texts)  # years as years, never "2 026"
    ticks = [
        t for t in texts if re.fullmatch(r"[\d\xa0,.\s−-]+", t) and t not in {"2024", "2025", "2026", "2027"}
    ]
    assert ticks and all(re.fullmatch(r"1[123]\xa0\d{3}(,\d+)?", t) for t in ticks), ticks
    with translation.override("en"):
        svg = indicator_chart(
            years=years,
            actual={2024: Decimal("11800.5"), 2025: None, 2026: None, 2027: None},
            target={2024: None, 2025: Decimal("12000"), 2026: None, 2027: Decimal("13000")},
            unit_of_measure="NOK",
            actual_label="Actual",
            target_label="Target",
        )
    assert any(re.fullmatch(r"1[123],\d{3}", t) for t in svg_texts(svg))


def test_survey_chart_labels_are_norwegian():
    from types import SimpleNamespace

    from servicetorg.surveys.charts import frequency_svg

    rows = [
        SimpleNamespace(
            label="Svært fornøyd", percent=Decimal("45.2"), count=1234, excluded=False, suppressed=False
        ),
        SimpleNamespace(
            label="Fornøyd", percent=Decimal("54.8"), count=1496, excluded=False, suppressed=False
        ),
    ]
    with translation.override("nb"):
        svg = frequency_svg(
            SimpleNamespace(
                question=SimpleNamespace(text="Hvor fornøyd er du?"), table=SimpleNamespace(rows=rows)
            )
        )
    texts = svg_texts(svg)
    assert "45,2\xa0% (1\xa0234)" in texts and "54,8\xa0% (1\xa0496)" in texts, texts
    assert not [t for t in texts if re.search(r"\d\.\d", t)]


def check_survey_report_pdf(demo, tmp_path):
    """The survey report as PDF (WeasyPrint): its text (pdftotext) in Norwegian formats."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from servicetorg.surveys.models import Survey

    survey = (
        Survey.objects.filter(municipality=demo)
        .annotate(n=Count("responses"))
        .filter(n__gt=0)
        .order_by("-n")
        .first()
    )
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get(reverse("surveys:report", args=[survey.pk]) + "?format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert re.search(r"\d[\xa0 ]%", text), text[:2000]  # 45 %
    assert re.search(r"\d,\d\d", text), text[:2000]  # a mean: 4,03
    assert not re.search(r"\d\.\d ?%", text)
    assert re.search(r"\b\d{2}\.\d{2}\.20\d\d\b", text)  # the period, 03.12.2026
    assert not ENGLISH_MONTHS.search(text)


def test_receipt_email_and_sms_write_dates_in_norwegian(municipality, unit):
    from servicetorg.core.choices import Channel
    from servicetorg.core.models import OutboxMessage
    from servicetorg.core.permissions import CITIZEN
    from servicetorg.inquiries import services
    from tests.factories import make_service

    service = make_service(municipality, unit=unit, slug="byggesak", name="Byggesak")
    with translation.override("nb"):
        for receipt, extra in (
            ("email", {"contact_email": "kari@example.org"}),
            ("sms", {"contact_phone": "91234567"}),
        ):
            registered = services.register(
                municipality=municipality, channel=Channel.WEB_FORM, service=service, subject="Garasje",
                body="Må jeg søke?", contact_name="Kari", user=CITIZEN, receipt=receipt, **extra,
            )  # fmt: skip
            deadline = registered.inquiry.reply_deadline
            message = OutboxMessage.objects.get(
                key__endswith=f":{registered.inquiry.pk}", key__contains="receipt"
            )
            if receipt == "email":
                with translation.override("nb"):
                    assert formatting.weekday_date(deadline) in message.body  # "torsdag 3. desember 2026"
                assert re.search(r"\d{1,2}\. [a-zæøå]+ 20\d\d", message.body)
            else:
                assert f"{deadline:%d.%m.%Y}" in message.body  # 03.12.2026
            assert not ENGLISH_MONTHS.search(message.body)


# --- machine-readable output stays machine-readable ----------------------------------------------

PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|\d{4}-\d{2}-\d{2}(T[\d:.+Z-]+)?")
NUMERIC = re.compile(r"[\d\xa0\u202f .,:+-]*\d[\d\xa0\u202f .,:+-]*")


def machine_numbers(url: str, text: str) -> list[str]:
    """The values of a file that are numbers (or dates): CSV cells made of digits and separators,
    JSON numbers and numeric strings, and Turtle's typed literals."""
    if url.endswith(".csv"):
        rows = csv.reader(
            io.StringIO(text.lstrip("\ufeff")), delimiter=";" if text.count(";") > text.count(",") else ","
        )
        return [cell for row in rows for cell in row if NUMERIC.fullmatch(cell.strip())]
    if url.endswith(".json"):
        found: list[str] = []

        def walk(node):
            if isinstance(node, dict):
                for item in node.values():
                    walk(item)
            elif isinstance(node, list):
                for item in node:
                    walk(item)
            elif isinstance(node, bool) or node is None:
                return
            elif isinstance(node, int | float):
                found.append(json.dumps(node))
            elif isinstance(node, str) and NUMERIC.fullmatch(node.strip()):
                found.append(node.strip())

        walk(json.loads(text))
        return found
    return re.findall(
        r'"([^"]*)"\^\^xsd:(?:decimal|integer|double|gYear|date|dateTime|nonNegativeInteger)', text
    )


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed (make browsers)")
def test_pdf_in_norwegian_and_exports_open_data_and_api_with_plain_numbers(demo, tmp_path):
    check_survey_report_pdf(demo, tmp_path)  # in this test to load the demo once
    from django.contrib.auth import get_user_model

    from servicetorg.indicators.models import Indicator, IndicatorValue, Source

    indicator = (
        Indicator.objects.filter(municipality=demo).order_by("pk").first() or Indicator.objects.first()
    )
    IndicatorValue.objects.update_or_create(
        indicator=indicator, municipality=demo, unit=None, year=2026,
        defaults={"value": Decimal("12345.6"), "source": Source.OWN},
    )  # fmt: skip
    admin = Client()
    admin.force_login(get_user_model().objects.get(username="admin"))
    anonymous = Client()
    for client in (admin, anonymous):
        client.post(reverse("set_language"), {"language": "nb"})
    # The dashboard's CSV: counts as plain integers.
    response = admin.get(reverse("inquiries:dashboard-export", args=["csv"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    total = next(row for row in rows if row[0] == "Henvendelser")
    assert re.fullmatch(r"\d{4,}", total[2]), total
    assert not any(GROUPED.search(cell) for row in rows for cell in row)
    # Open data: the indicator figures as CSV and JSON-stat, and the catalogue in Turtle.
    index = anonymous.get(reverse("portal:open-data", args=[demo.number])).content.decode()
    files = sorted(set(re.findall(rf'href="(/apne-data/{demo.number}/[^"/]+\.(?:csv|json|ttl))"', index)))
    assert files, "the open data page links its files"
    seen_value = False
    for url in files:
        body = anonymous.get(url)
        assert body.status_code == 200, url
        text = b"".join(body.streaming_content).decode() if body.streaming else body.content.decode()
        for value in machine_numbers(url, text):
            assert PLAIN_NUMBER.fullmatch(value), (url, value)
        assert "12345,6" not in text and "12\xa0345" not in text, url
        seen_value |= "12345.6" in text
    assert seen_value, files
    # The API: numbers as JSON numbers or plain strings, whatever the language.
    api = admin.get("/api/indicators/values/", HTTP_ACCEPT="application/json")
    assert api.status_code == 200
    values = machine_numbers("values.json", api.content.decode())
    assert values and all(PLAIN_NUMBER.fullmatch(v) for v in values), values[:20]
