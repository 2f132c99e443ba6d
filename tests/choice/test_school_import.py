"""Applications imported from CSV (choice/schools/application_imports.py): a good file, bad rows by
their line with the reason, nothing written unless asked to skip bad rows, idempotent re-import by
the row id, and the file's limits."""

import pytest
from django.core.exceptions import PermissionDenied

from servicetorg.choice.schools import application_imports as imports
from servicetorg.choice.schools.models import ApplicationSource, RoundState, SchoolApplication
from servicetorg.core.choices import Role
from tests.factories import make_staff

from .school_factories import address, child_number, school, school_round

HEADER = "external_id;national_id;name;address;postcode;wish_1;wish_2;sibling_1;sibling_2;email;mobile"


@pytest.fixture(autouse=True)
def _synthetic(settings):
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True


@pytest.fixture(autouse=True)
def _english():
    """The messages are asserted in English (the source language), whatever is translated."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def office(municipality):
    return make_staff(Role.SCHOOL_OFFICE, municipality, username="skolekontor")


@pytest.fixture
def town(municipality):
    a = school(municipality, "Alfa skole")
    b = school(municipality, "Bøhagen skole")
    c = school(municipality, "Gamma skole")
    address(municipality, "Alfaveien 1", a)
    address(municipality, "Bøveien 2", b)
    round_ = school_round(municipality, {a: 25, b: 25, c: 25}, state=RoundState.OPEN, wishes=2)
    return a, b, c, round_


def csv(*rows, header=HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def good_rows():
    kids = [child_number() for _ in range(3)]
    return [
        f"r1;{kids[0]};Kari Nordmann;Alfaveien 1;3999;Alfa skole;Bøhagen skole;;ja;kari@example.no;",
        f"r2;{kids[1]};Ola Nordmann;ALFAVEIEN  1;3999;bøhagen skole;;x;;;91234567",
        f"r3;{kids[2]};Per Hansen;Bøveien 2;3999;Gamma skole;Alfa skole;nei;;;",
    ]


def test_a_good_file(town, office):
    a, b, c, round_ = town
    result = imports.import_applications(csv(*good_rows()), round_=round_, user=office)
    assert (result.created, result.updated, result.unchanged, result.errors) == (3, 0, 0, [])
    apps = {x.external_id: x for x in SchoolApplication.objects.filter(round=round_)}
    kari, ola, per = apps["r1"], apps["r2"], apps["r3"]
    assert [(w.school, w.sibling) for w in kari.wishes.order_by("rank")] == [(a, False), (b, True)]
    assert [(w.school, w.sibling) for w in ola.wishes.order_by("rank")] == [(b, True)]
    assert kari.catchment_school == a and per.catchment_school == b
    assert kari.source == ApplicationSource.IMPORT and kari.contact_email == "kari@example.no"
    assert ola.contact_phone == "+4791234567" and ola.name == "Ola Nordmann"


def test_bad_rows_are_reported_by_line_and_nothing_is_written(town, office):
    a, b, c, round_ = town
    rows = good_rows()
    bad = [
        rows[0],
        "r2;12345678901;Ola;Alfaveien 1;3999;Alfa skole;;;;;",  # line 3: national id
        f"r3;{child_number()};Per;Månegata 9;3999;Delta skole;Alfa skole;kanskje;;;",  # line 4
        "",  # an empty line is skipped
        f"r1;{child_number()};Kari igjen;Alfaveien 1;3999;Alfa skole;;;;ikke-epost;",  # line 6
        f"r5;{child_number()};Lise;Alfaveien 1;3999;Alfa skole;Alfa skole;;;;",  # line 7
        f"r6;{child_number()};Siri;Alfaveien 1;3999;Alfa skole;;;;ikke-epost;",  # line 8
    ]
    with pytest.raises(imports.ImportFailed) as caught:
        imports.import_applications(csv(*bad), round_=round_, user=office)
    errors = dict(caught.value.errors)
    assert sorted(errors) == [3, 4, 6, 7, 8]
    assert "national_id" in errors[3] and "fødselsnummer" in errors[3]
    assert "address list" in errors[4] and "«Delta skole» is not a school in this round" in errors[4]
    assert "sibling_1" in errors[4]
    assert errors[6] == "external_id r1 is also on line 2"
    assert errors[8].startswith("email: This is not an e-mail address")
    assert "wish" in errors[7] and "only once" in errors[7]
    assert not SchoolApplication.objects.exists()


def test_skip_bad_rows_writes_the_good_ones(town, office):
    a, b, c, round_ = town
    rows = [*good_rows(), "r9;123;X;Alfaveien 1;3999;Alfa skole;;;;;"]
    result = imports.import_applications(csv(*rows), round_=round_, user=office, skip_bad_rows=True)
    assert result.created == 3 and [line for line, _reason in result.errors] == [5]
    assert SchoolApplication.objects.count() == 3


def test_importing_again_changes_nothing_and_a_changed_row_updates(town, office):
    a, b, c, round_ = town
    rows = good_rows()
    imports.import_applications(csv(*rows), round_=round_, user=office)
    again = imports.import_applications(csv(*rows), round_=round_, user=office)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    rows[2] = rows[2].replace("Gamma skole;Alfa skole", "Alfa skole;Gamma skole")
    changed = imports.import_applications(csv(*rows), round_=round_, user=office)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    per = SchoolApplication.objects.get(external_id="r3")
    assert [w.school for w in per.wishes.order_by("rank")] == [a, c]
    assert SchoolApplication.objects.count() == 3


def test_a_row_id_cannot_move_to_another_child(town, office):
    a, b, c, round_ = town
    rows = good_rows()
    imports.import_applications(csv(*rows), round_=round_, user=office)
    other = f"r1;{child_number()};Noen andre;Alfaveien 1;3999;Alfa skole;;;;;"
    with pytest.raises(imports.ImportFailed) as caught:
        imports.import_applications(csv(other), round_=round_, user=office)
    assert caught.value.errors[0][0] == 2 and "external_id" in caught.value.errors[0][1]


def test_the_files_limits(town, office, monkeypatch):
    a, b, c, round_ = town

    def fails(data, **kwargs):
        with pytest.raises(imports.ImportFailed) as caught:
            imports.import_applications(data, round_=round_, user=office, **kwargs)
        return caught.value.errors

    assert fails(b"x" * (imports.MAX_BYTES + 1))[0] == (0, "The file is too large (at most 2 MB).")
    assert "UTF-8" in fails("external_id;navn\nø".encode("latin-1"))[0][1]
    assert fails(b"")[0][1] == "The file is empty."
    assert fails(b"a\x00b")[0][1] == "The file is not a text file."
    missing = fails(b"external_id;name\nr1;Kari\n")
    assert missing[0][0] == 1 and "national_id, address, postcode, wish_1" in missing[0][1]
    monkeypatch.setattr(imports, "MAX_ROWS", 5)
    many = fails(csv(*[f"r{i};1;X;Alfaveien 1;3999;Alfa skole;;;;;" for i in range(6)]))
    assert many == [(0, "The file has too many rows (at most 5).")]
    extra = csv(
        f"r1;{child_number()};Kari;Alfaveien 1;3999;Alfa skole;;;;;;Gamma skole", header=HEADER + ";wish_3"
    )
    assert "wish_3: this round allows 2 wishes" in fails(extra)[0][1]
    assert not SchoolApplication.objects.exists()


def test_the_row_limit_is_5_000_and_2_mb():
    assert imports.MAX_ROWS == 5_000 and imports.MAX_BYTES == 2 * 1024 * 1024


def test_a_closed_round_takes_no_import(municipality, town, office):
    a, b, c, round_ = town
    round_.state = RoundState.CLOSED
    round_.save()
    with pytest.raises(imports.ImportFailed) as caught:
        imports.import_applications(csv(*good_rows()), round_=round_, user=office)
    assert caught.value.errors[0][0] == 0 and "not open" in caught.value.errors[0][1]


def test_only_the_school_office_imports(municipality, town, other_staff):
    a, b, c, round_ = town
    council = make_staff(Role.COUNCIL, municipality, username="politiker")
    for user in (council, other_staff):
        with pytest.raises(PermissionDenied):
            imports.import_applications(csv(*good_rows()), round_=round_, user=user)


def test_the_sample_file_imports(town, office):
    a, b, c, round_ = town
    text = imports.sample(round_)
    assert text.startswith("\ufeff") and text.splitlines()[0].lstrip("\ufeff").split(";") == imports.columns(
        round_
    )
    result = imports.import_applications(text.encode(), round_=round_, user=office)
    assert result.created == 2 and not result.errors
