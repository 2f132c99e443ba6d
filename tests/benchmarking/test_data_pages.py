"""The public register page (/statistikk/kommuner/) and the staff import page."""

import csv
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from servicetorg.benchmarking import catalogue
from servicetorg.benchmarking.models import OfficialValue, Region
from servicetorg.benchmarking.registry import load_registry
from servicetorg.indicators.models import ImportRun

from .test_data_imports import dataset

pytestmark = pytest.mark.django_db


def test_register_page_lists_357_municipalities_in_15_counties(client, django_assert_max_num_queries):
    load_registry()
    with django_assert_max_num_queries(8):
        response = client.get(reverse("benchmarking_public:municipality-list"))
    assert response.status_code == 200
    page = response.content.decode()
    rows = re.findall(r'<tr data-code="(\w+)"', page)
    assert len(rows) == 357
    counties = re.findall(r'<option value="(\d\d)"', page)
    assert len(counties) == 15
    larvik = page[page.index('data-code="3909"') :]
    larvik = larvik[: larvik.index("</tr>")]
    assert "3805" in larvik and "0712" in larvik and "0709" in larvik
    assert "Kilde: Statistisk sentralbyrå (CC BY 4.0)" in page


def test_register_page_filters_and_marks_the_fictional(client):
    load_registry()
    Region.objects.create(code="3999", name="Fjordvik", kind="municipality", county_code="39", fictional=True)
    page = client.get(reverse("benchmarking_public:municipality-list"), {"county": "39"}).content.decode()
    codes = re.findall(r'<tr data-code="(\w+)"', page)
    assert "3909" in codes and "3999" in codes and all(c.startswith("39") for c in codes)
    fjordvik = page[page.index('data-code="3999"') :]
    assert "ds-tag" in fjordvik[: fjordvik.index("</tr>")]
    page = client.get(reverse("benchmarking_public:municipality-list"), {"q": "Larv"}).content.decode()
    assert re.findall(r'<tr data-code="(\w+)"', page) == ["3909"]
    page = client.get(reverse("benchmarking_public:municipality-list"), {"q": "0301"}).content.decode()
    assert re.findall(r'<tr data-code="(\w+)"', page) == ["0301"]


def test_import_page(client, administration, other_staff, municipality, other_municipality, settings):
    settings.NATIONAL_DATA_STEWARDS = [municipality.number, other_municipality.number]
    catalogue.load_catalogue()
    url = reverse("benchmarking:official-import")
    client.force_login(administration)
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("12362.json", json.dumps(dataset()).encode())
    response = client.post(url, {"file": upload, "municipality": municipality.pk})
    assert response.status_code == 302
    assert OfficialValue.objects.count() == 12
    run = ImportRun.objects.get()
    assert run.municipality == municipality and run.created_by == administration
    page = client.get(url).content.decode()
    assert f'data-run="{run.pk}"' in page and "12362" in page
    bad = json.dumps(dataset(values=["x"] * 12)).encode()
    response = client.post(
        url, {"file": SimpleUploadedFile("bad.json", bad), "municipality": municipality.pk}
    )
    assert response.status_code == 400
    assert response.content.decode().count("<li>") >= 12  # every bad cell reported
    # a file over the upload limit is refused as too large (not read as "no values")
    big = SimpleUploadedFile("stor.json", b" " * 2048 + json.dumps(dataset()).encode())
    with override_settings(FILE_UPLOAD_MAX_SIZE=1024):
        response = client.post(url, {"file": big, "municipality": municipality.pk})
    assert response.status_code == 400 and "for stor" in response.content.decode()
    assert ImportRun.objects.count() == 1
    # another municipality's administration cannot import in this municipality's name
    client.force_login(other_staff)
    upload = SimpleUploadedFile("12362.json", json.dumps(dataset()).encode())
    response = client.post(url, {"file": upload, "municipality": municipality.pk})
    assert response.status_code == 400 and ImportRun.objects.count() == 1
    # not a steward: reads the imports and who keeps them, imports nothing
    settings.NATIONAL_DATA_STEWARDS = [municipality.number]
    page = client.get(url)
    assert page.status_code == 200 and 'id="national-data-keepers"' in page.content.decode()
    assert f'data-run="{run.pk}"' in page.content.decode() and 'name="file"' not in page.content.decode()
    upload = SimpleUploadedFile("12362.json", json.dumps(dataset()).encode())
    response = client.post(url, {"file": upload, "municipality": other_municipality.pk})
    assert response.status_code == 403 and ImportRun.objects.count() == 1


def test_old_import_page_links_to_the_new_one(client, administration):
    client.force_login(administration)
    page = client.get(reverse("indicators:import-jsonstat")).content.decode()
    assert reverse("benchmarking:official-import") in page


def test_open_data_files_of_a_municipality(client, municipality):
    from servicetorg.benchmarking import imports, open_data
    from servicetorg.core.permissions import SYSTEM

    load_registry()
    catalogue.load_catalogue()
    imports.import_jsonstat(
        dataset(regions=("EAK", "EKA39", "3999", "3909"), values=[1.0, None, 3, 4] * 4, status={"1": ":"}),
        user=SYSTEM,
    )
    lines = list(csv.reader(io.StringIO(open_data.csv_text(municipality))))
    assert lines[0] == open_data.CSV_COLUMNS
    rows = lines[1:]
    assert {r[3] for r in rows} == {"EAK", "EKA39", "3999"}  # not Larvik's
    assert all(r[-1] == "Statistisk sentralbyrå (CC BY 4.0)" for r in rows)
    confidential = next(r for r in rows if r[3] == "EAK" and r[4] == "2024" and r[0] == "barnehagedekning")
    assert confidential[5] == "" and confidential[6] == ":"
    document = json.loads(open_data.jsonstat_text(municipality))
    assert document["source"] == "Statistisk sentralbyrå (CC BY 4.0)" and document["size"] == [3, 2, 2]
    response = client.get(f"/apne-data/{municipality.number}/kostra.csv")
    assert response.status_code == 200 and "barnehagedekning" in response.content.decode()


def test_an_operator_imports_in_the_platforms_name(client, municipality, settings):
    """The platform's operators may import in no municipality's name; the "imported by" list holds
    only the steward municipalities."""
    from tests.factories import UserFactory

    settings.NATIONAL_DATA_STEWARDS = []
    catalogue.load_catalogue()
    operator = UserFactory(is_superuser=True)
    client.force_login(operator)
    url = reverse("benchmarking:official-import")
    page = client.get(url).content.decode()
    assert f'value="{municipality.pk}"' not in page.split('name="municipality"')[1].split("</select>")[0]
    upload = SimpleUploadedFile("12362.json", json.dumps(dataset()).encode())
    assert client.post(url, {"file": upload, "municipality": ""}).status_code == 302
    assert ImportRun.objects.get().municipality is None
    upload = SimpleUploadedFile("12362.json", json.dumps(dataset()).encode())
    response = client.post(url, {"file": upload, "municipality": municipality.pk})  # not a steward
    assert response.status_code == 400 and ImportRun.objects.count() == 1
