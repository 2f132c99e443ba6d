"""The scheme's brochure: a tagged PDF with seed 004's points and the approved providers."""

import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from .people import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(settings, municipality):
    settings.PORTAL_MUNICIPALITY = municipality.number
    return municipality


def test_the_brochure_is_a_tagged_pdf_with_the_providers(client, portal, tmp_path):
    from django.template.loader import render_to_string
    from django.utils import translation

    from servicetorg.choice.brochure import brochure_context

    scheme, municipal, a, b = world(portal)
    with translation.override("en"):
        html = render_to_string("choice/public/brochure.html", brochure_context(scheme))
    for heading in (  # seed 004's list of what users must be told
        "What user choice is",
        "What user choice is not",
        "What the municipality answers for",
        "Whom to ask",
        "How to choose",
        "The providers",
        "How to switch",
        "How to complain",
    ):
        assert f"<h2>{heading}</h2>" in html
    assert "Aktiv Omsorg AS" in html and "Bedre Hjelp AS" in html and "1 March" in html
    response = client.get(reverse("choice_public:brochure", args=[scheme.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdfinfo"):
        pdf = tmp_path / "brosjyre.pdf"
        pdf.write_bytes(response.content)
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True).stdout
        assert re.search(r"^Tagged:\s+yes", info, re.M), info  # PDF/UA: tagged for screen readers
    page = client.get(reverse("choice_public:detail", args=[scheme.pk])).content.decode()
    assert reverse("choice_public:brochure", args=[scheme.pk]) in page


def test_a_draft_or_another_municipalitys_scheme_has_no_brochure(client, portal, other_municipality):
    from .conftest import build_scheme

    draft = build_scheme(portal)
    elsewhere = build_scheme(other_municipality, adopt=True)
    for scheme in (draft, elsewhere):
        assert client.get(reverse("choice_public:brochure", args=[scheme.pk])).status_code == 404
