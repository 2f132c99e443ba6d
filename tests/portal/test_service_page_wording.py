"""Issue 24 §9: deadlines are phrased with the right number ("innen 1 virkedag", not "innen 1
virkedager") wherever a promise's limit is written, in bokmål, nynorsk and English; and the footer
and the service page give one phone number, the municipality's (one door in), from one source."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from servicetorg.catalogue.demo_data import _reply
from servicetorg.catalogue.models import LimitUnit, limit_text
from tests.factories import UnitFactory, make_service

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nb", ["innen 1 virkedag", "innen 2 virkedager", "innen 1 uke", "innen 3 uker"]),
        ("nn", ["innan 1 verkedag", "innan 2 verkedagar", "innan 1 veke", "innan 3 veker"]),
        ("en", ["within 1 working day", "within 2 working days", "within 1 week", "within 3 weeks"]),
    ],
)
def test_a_limit_is_singular_or_plural_by_its_number(language, expected):
    with translation.override(language):
        assert [
            limit_text(1, LimitUnit.WORKING_DAYS),
            limit_text(2, LimitUnit.WORKING_DAYS),
            limit_text(1, LimitUnit.WEEKS),
            limit_text(3, LimitUnit.WEEKS),
        ] == expected


def test_the_service_page_says_one_working_day_and_one_week(client, municipality, unit):
    service = make_service(
        municipality,
        unit=unit,
        slug="en-dag",
        promises=[
            {"kind": "reply", "limit_value": 1, "limit_unit": "working_days"},
            {"kind": "decision", "limit_value": 1, "limit_unit": "weeks"},
        ],
    )
    page = client.get(reverse("portal:service-detail", args=[service.slug])).content.decode()
    assert "innen 1 virkedag<" in page and "innen 1 uke<" in page
    assert not re.search(r"\b1 (virkedager|uker)\b", page)


def test_the_demo_promise_text_has_the_right_number():
    assert _reply(1)["text"].endswith("innen 1 virkedag.")
    assert _reply(2)["text"].endswith("innen 2 virkedager.")


def test_footer_and_service_page_give_the_same_number(client, municipality):
    municipality.phone = "55 55 55 55"
    municipality.save()
    unit = UnitFactory(municipality=municipality, name="Oppvekst", slug="oppvekst", phone="22 22 22 22")
    service = make_service(municipality, unit=unit, slug="barnehage")
    page = client.get(reverse("portal:service-detail", args=[service.slug])).content.decode()
    numbers = set(re.findall(r"\b\d\d \d\d \d\d \d\d\b", page))
    assert numbers == {"55 55 55 55"}, numbers
    footer = page[page.index('id="footer-phone"') :]
    service_part = page[page.index('id="service-phone"') :]
    assert 'href="tel:55555555"' in footer and 'href="tel:55555555"' in service_part
