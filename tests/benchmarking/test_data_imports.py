"""Imports of official statistics for every region: JSON-stat 2 and SSB's CSV; symbols never 0,
provenance and history on re-import, bounds and validation, the mirror into the indicator store."""

import copy
import json
import statistics
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count

from servicetorg.benchmarking import catalogue, imports
from servicetorg.benchmarking.models import OfficialValue, OfficialValueDeletion, OfficialValueHistory
from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators import services as indicator_services
from servicetorg.indicators.models import ImportRun, IndicatorValue

EXAMPLE = Path(indicator_services.__file__).resolve().parent / "data" / "ssb_12362_kostra_example.json"

pytestmark = pytest.mark.django_db


@pytest.fixture
def kostra(db):
    catalogue.load_catalogue()


def dataset(
    regions=("EAK", "3909", "3999"),
    contents=("KOSandel120000", "KOSsaksbehtid0000"),
    years=("2023", "2024"),
    values=None,
    status=None,
):
    cells = len(regions) * len(contents) * len(years)
    document = {
        "version": "2.0",
        "class": "dataset",
        "label": "12362: Utvalgte nøkkeltall for kommuner",
        "source": "Statistisk sentralbyrå",
        "updated": "2025-06-15T06:00:00Z",
        "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"],
        "size": [len(regions), len(contents), len(years)],
        "role": {"geo": ["KOKkommuneregion0000"], "metric": ["ContentsCode"], "time": ["Tid"]},
        "dimension": {
            "KOKkommuneregion0000": {"category": {"index": {r: i for i, r in enumerate(regions)}}},
            "ContentsCode": {"category": {"index": {c: i for i, c in enumerate(contents)}}},
            "Tid": {"category": {"index": {t: i for i, t in enumerate(years)}}},
        },
        "extension": {"px": {"tableid": "12362"}},
        "value": values if values is not None else [float(i + 1) for i in range(cells)],
    }
    if status is not None:
        document["status"] = status
    return document


def test_every_region_is_kept_with_provenance(kostra, municipality):
    result = imports.import_jsonstat(json.dumps(dataset()), user=SYSTEM, file_name="12362.json")
    assert (result.created, result.updated, result.unchanged) == (12, 0, 0)
    assert set(OfficialValue.objects.values_list("region_code", flat=True)) == {"EAK", "3909", "3999"}
    run = result.run
    assert run.kind == ImportRun.Kind.JSONSTAT and run.table_id == "12362" and run.file_name == "12362.json"
    assert run.source_updated.year == 2025 and run.created == 12
    value = OfficialValue.objects.get(region_code="3909", indicator__code="barnehagedekning", year=2024)
    assert value.value == 6.0 and value.run == run and not value.preliminary
    # the installation's own municipality (3999) is mirrored into the indicator store
    assert result.mirrored == 4
    assert IndicatorValue.objects.get(
        municipality=municipality, indicator__code="barnehagedekning", year=2024
    ).value == Decimal(10)


def test_symbols_are_stored_as_status_and_never_counted_as_zero(kostra):
    # 3909's coverage: 2023 ".." (null), 2024 ":" (null); 3999: 2023 "-" (nil = 0), 2024 a number
    values = [80.0, 82.0, 1, 2, None, None, 3, 4, 0, 90.0, 5, 6]
    status = {"4": "..", "5": ":", "8": "-"}
    imports.import_jsonstat(dataset(values=values, status=status), user=SYSTEM)
    coverage = OfficialValue.objects.filter(indicator__code="barnehagedekning")
    symbols = dict(coverage.filter(year=2023).values_list("region_code", "symbol"))
    assert symbols == {"EAK": "", "3909": "..", "3999": "-"}
    missing = coverage.get(region_code="3909", year=2024)
    assert missing.value is None and missing.symbol == ":"
    assert coverage.get(region_code="3999", year=2023).value == 0.0  # nil is a real zero
    # statistics over values with symbols: the symbols are left out, not counted as 0
    y2024 = coverage.filter(year=2024).exclude(region_code="EAK")
    assert y2024.aggregate(n=Count("value"), mean=Avg("value")) == {"n": 1, "mean": 90.0}
    numbers = [v for v in y2024.values_list("value", flat=True) if v is not None]
    assert statistics.mean(numbers) == 90.0


def test_reimport_keeps_history_and_leaves_unchanged_values(kostra):
    first = imports.import_jsonstat(dataset(), user=SYSTEM)
    untouched = OfficialValue.objects.get(region_code="EAK", indicator__code="barnehagedekning", year=2023)
    changed_values = [float(i + 1) for i in range(12)]
    changed_values[5] = 99.5  # 3909 coverage 2024
    document = dataset(values=changed_values, status={"2": ".."})  # EAK byggesak 2023 becomes ".."
    second = imports.import_jsonstat(document, user=SYSTEM)
    assert (second.created, second.updated, second.unchanged) == (0, 2, 10)
    assert second.run.updated == 2
    value = OfficialValue.objects.get(region_code="3909", indicator__code="barnehagedekning", year=2024)
    assert value.value == 99.5 and value.run == second.run
    history = OfficialValueHistory.objects.get(region_code="3909", year=2024)
    assert history.value == 6.0 and history.run == first.run and history.replaced_by == second.run
    assert OfficialValueHistory.objects.count() == 2
    assert OfficialValue.objects.get(pk=untouched.pk).changed_at == untouched.changed_at
    assert OfficialValue.objects.get(pk=untouched.pk).run == first.run
    third = imports.import_jsonstat(document, user=SYSTEM)
    assert (third.created, third.updated, third.unchanged) == (0, 0, 12)
    # marked preliminary: a change of every value (its status), kept in the history too
    fourth = imports.import_jsonstat(document, user=SYSTEM, preliminary=True)
    assert (fourth.updated, OfficialValue.objects.filter(preliminary=True).count()) == (12, 12)


def test_preliminary_status_from_the_source(kostra):
    imports.import_jsonstat(dataset(status={"3": "p"}), user=SYSTEM)
    assert list(OfficialValue.objects.filter(preliminary=True).values_list("region_code", "year")) == [
        ("EAK", 2024)
    ]


@pytest.mark.parametrize(
    "breaks",
    [
        lambda d: d.pop("size"),
        lambda d: d.update({"class": "collection"}),
        lambda d: d.update({"value": d["value"][:-1]}),
        lambda d: d["dimension"].pop("Tid"),
        lambda d: d.update({"size": [3, 2, "to"]}),
        lambda d: d.update({"size": [3, 2, 3]}),  # wrong size: the dimension has 2 years
        lambda d: d["dimension"]["Tid"]["category"]["index"].pop("2024"),
        lambda d: d.update({"status": 5}),
        lambda d: d.update({"status": ["."] * 5}),
        lambda d: d.update({"value": {"99": 1}}),
        lambda d: d.update({"id": ["KOKkommuneregion0000", "ContentsCode", "Annet"]}),
    ],
)
def test_malformed_datasets_are_refused_whole(kostra, breaks):
    document = dataset()
    breaks(document)
    with pytest.raises(indicator_services.ImportFailed) as failure:
        imports.import_jsonstat(json.dumps(document), user=SYSTEM)
    assert failure.value.errors and str(failure.value.errors[0])
    assert not OfficialValue.objects.exists() and not ImportRun.objects.exists()


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"{}", b"\xff\xfe\x00", "[" * 100_000])
def test_garbage_is_refused(kostra, raw):
    with pytest.raises(indicator_services.ImportFailed):
        imports.import_jsonstat(raw, user=SYSTEM)


def test_huge_datasets_are_refused_before_reading(kostra, settings):
    settings.JSONSTAT_MAX_CELLS = 1_000
    document = dataset(regions=[f"{i:04d}" for i in range(300)], values={})
    with pytest.raises(indicator_services.ImportFailed) as failure:
        imports.import_jsonstat(document, user=SYSTEM)
    assert "1" in failure.value.errors[0].reason
    settings.OFFICIAL_IMPORT_MAX_BYTES = 100
    with pytest.raises(indicator_services.ImportFailed):
        imports.import_jsonstat(json.dumps(dataset()), user=SYSTEM)


def test_every_bad_cell_is_reported(kostra):
    values = [float(i) for i in range(12)]
    values[1] = "sju"
    values[7] = True
    document = dataset(
        regions=("EAK", "39/09", "3999"), values=values, contents=("KOSandel120000", "KOSukjent")
    )
    with pytest.raises(indicator_services.ImportFailed) as failure:
        imports.import_jsonstat(document, user=SYSTEM)
    reasons = [str(e) for e in failure.value.errors]
    assert any("39/09" in r for r in reasons)
    assert any("KOSukjent" in r for r in reasons)
    assert any("sju" in r for r in reasons)
    assert not OfficialValue.objects.exists()
    result = imports.import_jsonstat(document, user=SYSTEM, skip_bad_rows=True)
    assert result.created == 3 and result.skipped == len(reasons)  # EAK 2024 and 3999 2023/2024


def test_shipped_example_is_consistent_with_the_code_history(kostra):
    document = json.loads(EXAMPLE.read_text())
    assert "syntetiske" in document["label"]
    result = imports.import_jsonstat(EXAMPLE.read_bytes(), user=SYSTEM)
    assert result.created == 6 * 4 * 4
    numbers = OfficialValue.objects.filter(value__isnull=False)
    assert set(numbers.filter(region_code__in=["3805", "3804"]).values_list("year", flat=True)) == {
        2022,
        2023,
    }
    assert set(numbers.filter(region_code__in=["3909", "3907"]).values_list("year", flat=True)) == {
        2024,
        2025,
    }


def test_only_operators_and_the_stewards_administration_import(
    kostra, municipality, other_municipality, administration, other_staff, settings
):
    """Every municipality reads the official statistics: no steward named, only the operators import;
    a steward's administration imports in its municipality's name, never in another's."""
    with pytest.raises(PermissionDenied):
        imports.import_jsonstat(dataset(), user=administration, municipality=municipality)
    settings.NATIONAL_DATA_STEWARDS = [municipality.number]
    with pytest.raises(PermissionDenied):
        imports.import_jsonstat(dataset(), user=administration)  # no municipality: not an operator
    with pytest.raises(PermissionDenied):
        imports.import_jsonstat(dataset(), user=other_staff, municipality=municipality)
    with pytest.raises(PermissionDenied):
        imports.import_jsonstat(dataset(), user=other_staff, municipality=other_municipality)
    result = imports.import_jsonstat(dataset(), user=administration, municipality=municipality)
    assert result.created == 12 and result.run.municipality == municipality


SSB_CSV_WIDE = """\ufeff"12362: Utvalgte nøkkeltall for kommuner, etter region, statistikkvariabel og år"

"region";"statistikkvariabel";"2023";"2024"
"EAK Landet";"Andel barn 1–5 år med barnehageplass (prosent)";93,1;93,4
"3909 Larvik";"Andel barn 1–5 år med barnehageplass (prosent)";..;92,5
"3999 Fjordvik";"KOSsaksbehtid0000";:;-
"""

SSB_CSV_LONG = """region;statistikkvariabel;år;12362: Utvalgte nøkkeltall for kommuner
3805 Larvik (2020-2023);Andel barn 1–5 år med barnehageplass;2023;91,7
3909 Larvik;Andel barn 1–5 år med barnehageplass;2024;.
"""


def test_ssb_csv_wide_and_long(kostra):
    result = imports.import_ssb_csv(SSB_CSV_WIDE.encode("utf-8"), user=SYSTEM, file_name="12362.csv")
    assert (
        result.created == 6 and result.run.kind == ImportRun.Kind.SSB_CSV and result.run.table_id == "12362"
    )
    rows = {(v.region_code, v.year): (v.value, v.symbol) for v in OfficialValue.objects.all()}
    assert rows[("EAK", 2023)] == (93.1, "")
    assert rows[("3909", 2023)] == (None, "..")
    assert rows[("3999", 2023)] == (None, ":")
    assert rows[("3999", 2024)] == (0.0, "-")
    result = imports.import_ssb_csv(SSB_CSV_LONG, user=SYSTEM, table="12362")
    assert (result.created, result.updated) == (1, 1)  # 3909 2024 was in the first file
    assert OfficialValue.objects.get(region_code="3805").value == 91.7


def test_ssb_csv_reports_every_bad_line(kostra):
    bad = (
        SSB_CSV_WIDE
        + '"Larvik";"Andel barn 1–5 år med barnehageplass";1;2\n'
        + '"3909 Larvik";"Ukjent";1;2\n'
        + '"3909 Larvik";"KOSandel120000";abc;2\n'
    )
    with pytest.raises(indicator_services.ImportFailed) as failure:
        imports.import_ssb_csv(bad, user=SYSTEM)
    lines = [e.line for e in failure.value.errors]
    assert lines == [7, 8, 9, 9]  # no code; unknown; not a number; 3909 2024 twice
    with pytest.raises(indicator_services.ImportFailed):
        imports.import_ssb_csv("region;x\n", user=SYSTEM, table="12362")
    with pytest.raises(indicator_services.ImportFailed):
        imports.import_ssb_csv(SSB_CSV_LONG, user=SYSTEM)  # no title line and no table chosen
    assert not OfficialValue.objects.exists()


def test_import_file_detects_the_format(kostra):
    assert imports.import_file(json.dumps(dataset()).encode(), name="a.json", user=SYSTEM).created == 12
    result = imports.import_file(SSB_CSV_WIDE.encode(), name="a.csv", user=SYSTEM)
    assert (result.created, result.updated, result.run.kind) == (0, 6, ImportRun.Kind.SSB_CSV)


def test_deleting_a_run_leaves_tombstones(kostra):
    result = imports.import_jsonstat(dataset(), user=SYSTEM)
    assert imports.delete_run(result.run, user=SYSTEM) == 12
    assert not OfficialValue.objects.exists()
    assert OfficialValueDeletion.objects.count() == 12


def test_deep_copy_of_dataset_is_not_mutated(kostra):
    document = dataset()
    before = copy.deepcopy(document)
    imports.import_jsonstat(document, user=SYSTEM)
    assert document == before


def test_only_the_runs_own_administration_deletes_it(kostra, municipality, other_municipality, settings):
    from servicetorg.core.choices import Role
    from tests.factories import make_staff

    settings.NATIONAL_DATA_STEWARDS = [municipality.number, other_municipality.number]

    ours = make_staff(Role.ADMINISTRATION, municipality, username="adm-ours")
    theirs = make_staff(Role.ADMINISTRATION, other_municipality, username="adm-theirs")
    result = imports.import_jsonstat(dataset(), user=ours, municipality=municipality)
    with pytest.raises(PermissionDenied):
        imports.delete_run(result.run, user=theirs)
    assert imports.delete_run(result.run, user=ours) == 12
