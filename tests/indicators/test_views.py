"""Staff pages and API of the indicator store: tenant isolation, query counts, imports, bad input."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators import services
from servicetorg.indicators.models import Indicator, IndicatorValue, Source

DATA = Path(services.__file__).resolve().parent / "data" / "ssb_12362_kostra_example.json"


@pytest.fixture
def own(municipality):
    return Indicator.objects.create(
        municipality=municipality, code="svar", name="Svar på e-post", unit_of_measure="%"
    )


@pytest.fixture
def foreign(other_municipality):
    return Indicator.objects.create(
        municipality=other_municipality, code="hemmelig", name="Naboens indikator", unit_of_measure="%"
    )


@pytest.fixture
def national(db):
    return Indicator.objects.create(
        code="barnehagedekning",
        name="Barnehagedekning",
        unit_of_measure="%",
        source=Source.KOSTRA,
        kostra_table="12362",
        kostra_code="KOSandel120000",
    )


def test_list_shows_own_and_national_only(
    client, administration, own, foreign, national, django_assert_max_num_queries
):
    for n in range(15):
        Indicator.objects.create(
            municipality=own.municipality, code=f"i{n}", name=f"Indikator {n}", unit_of_measure="%"
        )
    client.force_login(administration)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("indicators:indicator-list")).content.decode()
    assert "Svar på e-post" in page and "Barnehagedekning" in page and "Naboens" not in page


def test_detail_of_other_municipality_is_404(client, administration, foreign, other_staff, own):
    client.force_login(administration)
    assert client.get(reverse("indicators:indicator-detail", args=[foreign.pk])).status_code == 404
    client.force_login(other_staff)
    assert client.get(reverse("indicators:indicator-detail", args=[own.pk])).status_code == 404
    assert (
        client.post(reverse("indicators:indicator-detail", args=[own.pk]), {"year": 2025}).status_code == 404
    )


def test_national_values_only_of_own_municipality(
    client, administration, other_staff, national, municipality
):
    services.record_value(
        indicator=national, municipality=municipality, year=2024, value="91,3", source="kostra", user=SYSTEM
    )
    client.force_login(other_staff)
    page = client.get(reverse("indicators:indicator-detail", args=[national.pk])).content.decode()
    assert "91,3" not in page and "91.3" not in page
    client.force_login(administration)
    page = client.get(reverse("indicators:indicator-detail", args=[national.pk])).content.decode()
    assert "91,3" in page


def test_register_value_through_the_page(client, administration, own, municipality):
    client.force_login(administration)
    url = reverse("indicators:indicator-detail", args=[own.pk])
    response = client.post(
        url, {"municipality": municipality.pk, "year": 2025, "value": "77,5", "source": "own"}
    )
    assert response.status_code == 302
    assert str(IndicatorValue.objects.get().value) == "77.5000"
    response = client.post(
        url, {"municipality": municipality.pk, "year": 1700, "value": "x", "source": "own"}
    )
    assert response.status_code == 400
    assert IndicatorValue.objects.count() == 1


def test_desk_worker_cannot_register(client, desk_worker, own, municipality):
    client.force_login(desk_worker)
    url = reverse("indicators:indicator-detail", args=[own.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"municipality": municipality.pk, "year": 2025, "value": "1", "source": "own"}
    )
    assert response.status_code == 403
    assert client.get(reverse("indicators:import-csv")).status_code == 403


def test_csv_import_page_lists_every_bad_row(client, administration, own, municipality):
    client.force_login(administration)
    upload = SimpleUploadedFile("v.csv", b"indicator;year;value\nsvar;2024;1\nukjent;2024;2\nsvar;x;3\n")
    response = client.post(
        reverse("indicators:import-csv"), {"municipality": municipality.pk, "file": upload, "source": "own"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "ukjent" in page and "3" in page
    assert not IndicatorValue.objects.exists()


def test_jsonstat_import_page(client, administration, national, municipality):
    client.force_login(administration)
    upload = SimpleUploadedFile("12362.json", DATA.read_bytes())
    response = client.post(reverse("indicators:import-jsonstat"), {"file": upload, "skip_bad_rows": "on"})
    assert response.status_code == 200
    assert IndicatorValue.objects.filter(municipality=municipality).count() == 4
    bad = SimpleUploadedFile("feil.json", b'{"class": "dataset"}')
    response = client.post(reverse("indicators:import-jsonstat"), {"file": bad})
    assert response.status_code == 400


def test_jsonstat_import_only_writes_own_municipalities(client, other_staff, national, municipality):
    client.force_login(other_staff)
    upload = SimpleUploadedFile("12362.json", DATA.read_bytes())
    client.post(reverse("indicators:import-jsonstat"), {"file": upload, "skip_bad_rows": "on"})
    assert not IndicatorValue.objects.filter(municipality=municipality).exists()


# --- API ---


def test_api_lists_only_visible(client, administration, own, foreign, national):
    client.force_login(administration)
    data = client.get("/api/indicators/indicators/").json()
    codes = {row["code"] for row in data["results"]}
    assert codes == {"svar", "barnehagedekning"}
    assert client.get(f"/api/indicators/indicators/{foreign.pk}/").status_code == 404


def test_api_record_value(client, administration, own, municipality, other_staff, other_municipality):
    client.force_login(administration)
    url = f"/api/indicators/indicators/{own.pk}/values/"
    response = client.post(
        url,
        {"municipality": municipality.number, "year": 2025, "value": "80.5"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    again = client.post(
        url,
        {"municipality": municipality.number, "year": 2025, "value": "81"},
        content_type="application/json",
    )
    assert again.status_code == 201 and IndicatorValue.objects.count() == 1
    bad = client.post(
        url,
        {"municipality": municipality.number, "year": 3000, "value": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and {"year", "value"} <= set(bad.json())
    foreign_municipality = client.post(
        url,
        {"municipality": other_municipality.number, "year": 2025, "value": 1},
        content_type="application/json",
    )
    assert foreign_municipality.status_code == 403
    assert client.get(url).json()["count"] == 1
    client.force_login(other_staff)
    assert (
        client.post(url, {"municipality": other_municipality.number, "year": 2025, "value": 1}).status_code
        == 404
    )
    assert client.get("/api/indicators/values/").json()["count"] == 0


def test_api_values_of_national_indicator_scoped(client, administration, other_staff, national, municipality):
    services.record_value(
        indicator=national, municipality=municipality, year=2024, value=90, source="kostra", user=SYSTEM
    )
    client.force_login(other_staff)
    assert client.get(f"/api/indicators/indicators/{national.pk}/values/").json()["count"] == 0
    client.force_login(administration)
    assert client.get(f"/api/indicators/indicators/{national.pk}/values/").json()["count"] == 1


def test_api_requires_role(client, db):
    from ..factories import UserFactory

    assert client.get("/api/indicators/indicators/").status_code in (401, 403)
    client.force_login(UserFactory())
    assert client.get("/api/indicators/indicators/").status_code == 403


def test_unit_leader_may_record(client, make_staff, municipality, own):
    leader = make_staff(Role.UNIT_LEADER, municipality)
    client.force_login(leader)
    url = f"/api/indicators/indicators/{own.pk}/values/"
    assert (
        client.post(url, {"municipality": municipality.number, "year": 2025, "value": 1}).status_code == 201
    )


def test_csv_import_into_other_municipality_is_refused(client, other_staff, own, municipality):
    client.force_login(other_staff)
    upload = SimpleUploadedFile("v.csv", b"indicator;year;value\nsvar;2024;1\n")
    response = client.post(
        reverse("indicators:import-csv"), {"municipality": municipality.pk, "file": upload, "source": "own"}
    )
    assert response.status_code == 400  # not a choice for this user
    assert not IndicatorValue.objects.exists()


def test_api_value_detail_scoped(client, administration, other_staff, own, municipality):
    value = services.record_value(
        indicator=own, municipality=municipality, year=2024, value=1, source="own", user=SYSTEM
    )
    client.force_login(other_staff)
    assert client.get(f"/api/indicators/values/{value.pk}/").status_code == 404
    client.force_login(administration)
    assert client.get(f"/api/indicators/values/{value.pk}/").json()["indicator"] == "svar"


def test_value_history_shown_and_scoped(
    client, administration, other_staff, national, municipality, other_municipality
):
    services.record_value(
        indicator=national, municipality=municipality, year=2024, value="90,5", source="kostra", user=SYSTEM
    )
    services.record_value(
        indicator=national, municipality=municipality, year=2024, value="91,5", source="kostra", user=SYSTEM
    )
    services.record_value(
        indicator=national,
        municipality=other_municipality,
        year=2024,
        value="42",
        source="kostra",
        user=SYSTEM,
    )
    client.force_login(administration)
    page = client.get(reverse("indicators:indicator-detail", args=[national.pk])).content.decode()
    assert (
        "90,5" in page and "91,5" in page and "<td>Nabovik</td>" not in page and "<td>Fjordvik</td>" in page
    )
