"""Staff pages of the compare part: KOSTRA groups from a Klass 112 file, saved peer groups (tenant
isolation), and their services."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from servicetorg.benchmarking.compare import services
from servicetorg.benchmarking.compare.models import (
    KostraGroup,
    KostraGrouping,
    KostraGroupMember,
    SavedPeerGroup,
)
from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from tests.factories import MunicipalityFactory, make_staff

from . import compare_world as w

pytestmark = pytest.mark.django_db

GOOD = (
    "sourceCode;sourceName;targetCode;targetName\n"
    "3909;Larvik;EKG13;Store kommuner utenom de fire største byene\n"
    "3905;Tønsberg;EKG13;Store kommuner utenom de fire største byene\n"
    "0301;Oslo;EKG16;Oslo kommune\n"
)
BAD = GOOD + (
    "39X9;Feil;EKG13;Store\n"  # line 5: no municipality number
    "3911;Færder;Gruppe;Store\n"  # line 6: not a group code
    "9999;Ukjent;EKG13;Store\n"  # line 7: not in the register
    "3909;Larvik;EKG12;Andre\n"  # line 8: twice
)


@pytest.fixture
def world(settings):
    settings.NATIONAL_DATA_STEWARDS = ["3909"]  # Larvik's administration keeps the national data
    w.register()
    municipality = MunicipalityFactory(name="Larvik", number="3909")
    other = MunicipalityFactory(name="Sandefjord", number="3907")
    return {
        "municipality": municipality,
        "other": other,
        "admin": make_staff(Role.ADMINISTRATION, municipality),
        "other_admin": make_staff(Role.ADMINISTRATION, other),
        "officer": make_staff(Role.CASE_OFFICER, municipality),
    }


def test_parse_klass_reports_every_bad_line(world):
    lines, errors = services.parse_klass(BAD.encode())
    assert [n for n, *_rest in lines] == [2, 3, 4]
    assert [n for n, _reason in errors] == [5, 6, 7, 8]
    assert services.parse_klass(b"")[1]
    assert services.parse_klass(b"kode;navn\n3909;x\n")[1][0][0] == 1


def test_parse_klass_either_direction_and_short_codes_cp1252(world):
    text = "sourceCode,sourceName,targetCode,targetName\n13,Store,3909,Larvik\n13,Store,3911,Færder\n"
    lines, errors = services.parse_klass(text.encode("cp1252"))
    assert not errors
    assert [(m, g) for _n, m, g, _name in lines] == [("3909", "EKG13"), ("3911", "EKG13")]


def test_upload_saves_nothing_of_a_bad_file_unless_asked(world):
    result = services.upload_kostra_groups(BAD.encode(), year=2024, user=world["admin"])
    assert not result.ok and result.grouping is None
    assert not KostraGrouping.objects.exists()
    result = services.upload_kostra_groups(BAD.encode(), year=2024, skip_bad_lines=True, user=world["admin"])
    assert result.grouping is not None and result.groups == 2 and result.members == 3
    assert set(KostraGroupMember.objects.values_list("region_code", flat=True)) == {"3909", "3905", "0301"}
    with pytest.raises(PermissionDenied):
        services.upload_kostra_groups(GOOD.encode(), year=2024, user=world["officer"])


def test_upload_page_shows_the_bad_lines(client, world):
    client.force_login(world["admin"])
    url = reverse("benchmarking:kostra-groups")
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": SimpleUploadedFile("k.csv", BAD.encode()), "year": 2024})
    assert response.status_code == 200
    assert b'id="klass-errors"' in response.content
    assert not KostraGroup.objects.exists()
    response = client.post(
        url, {"file": SimpleUploadedFile("k.csv", GOOD.encode()), "year": 2024, "version": "2024"}
    )
    assert response.status_code == 302
    assert KostraGroup.objects.get(code="EKG13").members.count() == 2
    client.force_login(world["officer"])
    assert client.get(url).status_code == 403


def test_only_the_stewards_and_operators_change_the_national_groups(client, world, settings):
    """Every municipality reads the KOSTRA groups: Sandefjord's administration (benchmarking.edit, not
    a steward) reads the page and is told who keeps them, and cannot upload."""
    url = reverse("benchmarking:kostra-groups")
    with pytest.raises(PermissionDenied):
        services.upload_kostra_groups(GOOD.encode(), year=2024, user=world["other_admin"])
    client.force_login(world["other_admin"])
    page = client.get(url)
    assert page.status_code == 200
    assert b'id="national-data-keepers"' in page.content and b"Larvik" in page.content
    assert b'enctype="multipart/form-data"' not in page.content
    response = client.post(url, {"file": SimpleUploadedFile("k.csv", GOOD.encode()), "year": 2024})
    assert response.status_code == 403 and not KostraGrouping.objects.exists()
    settings.NATIONAL_DATA_STEWARDS = []  # no steward named: the operators only
    with pytest.raises(PermissionDenied):
        services.upload_kostra_groups(GOOD.encode(), year=2024, user=world["admin"])
    assert services.upload_kostra_groups(GOOD.encode(), year=2024, user=SYSTEM).ok


def test_saved_groups_are_the_municipality_s_own(client, world):
    mine = services.save_peer_group(
        world["municipality"], name="Våre", codes=["3905", "0301"], user=world["admin"]
    )
    theirs = services.save_peer_group(world["other"], name="Deres", codes=["3909"], user=world["other_admin"])
    client.force_login(world["admin"])
    listing = client.get(reverse("benchmarking:peer-group-list"))
    assert listing.status_code == 200
    assert list(listing.context["groups"]) == [mine]
    assert client.get(reverse("benchmarking:peer-group-edit", args=[mine.pk])).status_code == 200
    assert client.get(reverse("benchmarking:peer-group-edit", args=[theirs.pk])).status_code == 404
    assert (
        client.post(reverse("benchmarking:peer-group-edit", args=[theirs.pk]), {"name": "x"}).status_code
        == 404
    )
    assert client.post(reverse("benchmarking:peer-group-delete", args=[theirs.pk])).status_code == 404
    assert SavedPeerGroup.objects.filter(pk=theirs.pk).exists()
    with pytest.raises(PermissionDenied):
        services.save_peer_group(world["other"], name="x", codes=["3909"], user=world["admin"])
    with pytest.raises(PermissionDenied):
        services.delete_peer_group(theirs, user=world["admin"])


def test_create_edit_and_delete_a_group(client, world):
    client.force_login(world["admin"])
    response = client.post(
        reverse("benchmarking:peer-group-create"),
        {"municipality": world["municipality"].pk, "name": "Byer", "codes": "3905, 0301\n3901"},
    )
    group = SavedPeerGroup.objects.get(name="Byer")
    assert response.status_code == 302 and group.codes == ["0301", "3901", "3905"]
    bad = client.post(
        reverse("benchmarking:peer-group-edit", args=[group.pk]), {"name": "Byer", "codes": "3905 3805 abcd"}
    )
    assert bad.status_code == 200 and "3805" in bad.content.decode()
    group.refresh_from_db()
    assert group.codes == ["0301", "3901", "3905"]
    assert client.post(reverse("benchmarking:peer-group-delete", args=[group.pk])).status_code == 302
    assert not SavedPeerGroup.objects.exists()
    client.force_login(world["officer"])
    assert client.get(reverse("benchmarking:peer-group-list")).status_code == 403
    assert client.get(reverse("benchmarking:peer-group-create")).status_code == 403


def test_clean_codes(world):
    assert services.clean_codes(["3909", "0301", "3909"]) == ["0301", "3909"]
    with pytest.raises(ValidationError):
        services.clean_codes(["3805"])  # a former number
    with pytest.raises(ValidationError):
        services.clean_codes([])
