"""Production refuses the local test provider and synthetic numbers; relations import from CSV with
every bad row reported and nothing of a bad file written (issue 20)."""

import pytest
from django.core.management import CommandError, call_command

from servicetorg.citizens.demo import EMMA, INGRID, KARI, OLA
from servicetorg.citizens.imports import ImportFailed, import_relations
from servicetorg.citizens.models import Relation
from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from tests.core.test_security import PRINT_SETTINGS, PRODUCTION_ENV, _run
from tests.factories import MunicipalityFactory, make_staff


@pytest.mark.parametrize(
    "issuer", ["http://127.0.0.1:9400", "https://localhost:9400", "http://idporten.no"], ids=str
)
def test_production_refuses_the_test_provider(issuer):
    env = {
        **PRODUCTION_ENV,
        "CITIZEN_OIDC_ISSUER": issuer,
        "CITIZEN_OIDC_CLIENT_ID": "x",
        "CITIZEN_OIDC_CLIENT_SECRET": "y",
    }
    result = _run(PRINT_SETTINGS, env)
    assert result.returncode != 0
    assert "production refuses the local test provider" in result.stderr


def test_production_needs_the_client_with_the_issuer_and_takes_id_porten():
    env = {**PRODUCTION_ENV, "CITIZEN_OIDC_ISSUER": "https://idporten.no"}
    assert (
        "CITIZEN_OIDC_CLIENT_ID and CITIZEN_OIDC_CLIENT_SECRET must be set"
        in _run(PRINT_SETTINGS, env).stderr
    )
    env |= {"CITIZEN_OIDC_CLIENT_ID": "fjordvik", "CITIZEN_OIDC_CLIENT_SECRET": "s3cret"}
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='servicetorg.settings'; "
        "from django.conf import settings as s; print(s.CITIZEN_OIDC_ISSUER, s.ACCEPT_SYNTHETIC_NATIONAL_IDS)"
    )
    result = _run(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://idporten.no", "False"]


def test_synthetic_numbers_are_refused_where_not_accepted(settings):
    from servicetorg.core.validators import check_national_id, is_synthetic_national_id

    assert is_synthetic_national_id(KARI) and not is_synthetic_national_id("15099510088")
    assert not is_synthetic_national_id(KARI[:-1] + str((int(KARI[-1]) + 1) % 10))  # a control digit off
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = False
    from stdnum.exceptions import ValidationError as StdnumError

    with pytest.raises(StdnumError):
        check_national_id(KARI)
    assert check_national_id("15099510088") == "15099510088"


CSV = (
    "kind;representative_national_id;subject_national_id;subject_name;valid_from;valid_until;note\n"
    f"guardian;{KARI};{EMMA};Emma Nordmann;2016-05-20;2034-05-19;Folkeregisteret\n"
    f"relative;{OLA};{INGRID};Ingrid Hansen;01.01.2025;;\n"
)


@pytest.mark.django_db
def test_a_clean_file_imports_and_again_changes_nothing():
    municipality = MunicipalityFactory()
    first = import_relations(CSV.encode(), municipality=municipality, user=SYSTEM)
    again = import_relations(CSV.encode(), municipality=municipality, user=SYSTEM)
    assert (first.created, again.created, again.unchanged) == (2, 0, 2)
    emma = Relation.objects.get(subject_name="Emma Nordmann")
    assert emma.source == "imported" and str(emma.valid_until) == "2034-05-19"
    assert emma.subject_national_id == EMMA  # encrypted at rest, read back by a case officer


@pytest.mark.django_db
def test_a_bad_row_is_reported_by_line_and_nothing_is_written_unless_told():
    municipality = MunicipalityFactory()
    bad = CSV + f"parent;{KARI};12345678901;X;2020-13-01;;\n" + f"guardian;{KARI};{KARI};Selv;2020-01-01;;\n"
    with pytest.raises(ImportFailed) as failed:
        import_relations(bad.encode(), municipality=municipality, user=SYSTEM)
    lines = dict(failed.value.errors)
    assert set(lines) == {4, 5}
    assert "parent" in lines[4] and "valid_from" in lines[4]
    assert "subject_national_id" in lines[5]  # a person cannot act for herself
    assert not Relation.objects.exists()
    result = import_relations(bad.encode(), municipality=municipality, user=SYSTEM, skip_bad_rows=True)
    assert result.created == 2 and [line for line, _ in result.errors] == [4, 5]


@pytest.mark.django_db
def test_a_file_without_the_columns_or_not_text_is_refused():
    municipality = MunicipalityFactory()
    with pytest.raises(ImportFailed, match="Mangler kolonne"):
        import_relations(b"kind;name\nguardian;x\n", municipality=municipality, user=SYSTEM)
    with pytest.raises(ImportFailed):
        import_relations(b"\xff\xfe\x00", municipality=municipality, user=SYSTEM)


@pytest.mark.django_db
def test_only_roles_with_the_relations_permission_import():
    from django.core.exceptions import PermissionDenied

    municipality = MunicipalityFactory()
    with pytest.raises(PermissionDenied):
        import_relations(
            CSV.encode(), municipality=municipality, user=make_staff(Role.DESK_WORKER, municipality)
        )
    assert (
        import_relations(
            CSV.encode(), municipality=municipality, user=make_staff(Role.CASE_OFFICER, municipality)
        ).created
        == 2
    )


@pytest.mark.django_db
def test_the_command_reports_and_refuses_a_bad_file(tmp_path, capsys):
    municipality = MunicipalityFactory()
    path = tmp_path / "relasjoner.csv"
    path.write_text(CSV + "guardian;1;2;X;2020-01-01;;\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_relations", str(path), municipality=municipality.number)
    assert "line 4" in capsys.readouterr().err and not Relation.objects.exists()
    call_command("import_relations", str(path), municipality=municipality.number, skip_bad_rows=True)
    assert "2 relations imported" in capsys.readouterr().out
