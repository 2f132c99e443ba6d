"""record_value (the function other modules call), CSV and JSON-stat 2 imports."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators import services
from servicetorg.indicators.models import ImportRun, Indicator, IndicatorValue, Source

from ..factories import UnitFactory

DATA = Path(services.__file__).resolve().parent / "data" / "ssb_12362_kostra_example.json"


@pytest.fixture
def indicator(municipality):
    return Indicator.objects.create(
        municipality=municipality, code="svar-epost", name="Svar på e-post", unit_of_measure="%"
    )


@pytest.fixture
def kostra(db):
    return Indicator.objects.create(
        municipality=None,
        code="barnehagedekning",
        name="Barnehagedekning",
        unit_of_measure="%",
        source=Source.KOSTRA,
        kostra_table="12362",
        kostra_code="KOSandel120000",
    )


def test_record_value_upserts_and_keeps_history(indicator, municipality):
    first = services.record_value(
        indicator=indicator,
        municipality=municipality,
        year=2025,
        value="81,5",
        source=Source.OWN,
        user=SYSTEM,
    )
    second = services.record_value(
        indicator=indicator,
        municipality=municipality,
        year=2025,
        value=83,
        source=Source.SURVEY,
        note="ny",
        user=SYSTEM,
    )
    assert first.pk == second.pk
    assert IndicatorValue.objects.count() == 1
    second.refresh_from_db()
    assert (second.value, second.source, second.note) == (Decimal(83), Source.SURVEY, "ny")
    assert second.history.count() == 2
    assert second.history.earliest().value == Decimal("81.5")


def test_record_value_per_unit_is_separate(indicator, municipality):
    unit = UnitFactory(municipality=municipality)
    services.record_value(
        indicator=indicator, municipality=municipality, year=2025, value=1, source="own", user=SYSTEM
    )
    services.record_value(
        indicator=indicator,
        municipality=municipality,
        unit=unit,
        year=2025,
        value=2,
        source="own",
        user=SYSTEM,
    )
    services.record_value(
        indicator=indicator,
        municipality=municipality,
        unit=unit,
        year=2025,
        value=3,
        source="own",
        user=SYSTEM,
    )
    assert sorted(IndicatorValue.objects.values_list("value", flat=True)) == [1, 3]


def test_national_indicator_takes_values_of_any_municipality(kostra, municipality, other_municipality):
    services.record_value(
        indicator=kostra, municipality=municipality, year=2024, value=90, source="kostra", user=SYSTEM
    )
    services.record_value(
        indicator=kostra, municipality=other_municipality, year=2024, value=95, source="kostra", user=SYSTEM
    )
    assert kostra.values.count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"year": 1800}, "year"),
        ({"year": "tjue"}, "year"),
        ({"value": "mye"}, "value"),
        ({"value": "NaN"}, "value"),
        ({"source": "gjetting"}, "source"),
    ],
)
def test_record_value_rejects_bad_input(indicator, municipality, kwargs, field):
    args = {"indicator": indicator, "municipality": municipality, "year": 2025, "value": 1, "source": "own"}
    args.update(kwargs)
    with pytest.raises(ValidationError) as error:
        services.record_value(**args, user=SYSTEM)
    assert field in error.value.message_dict
    assert not IndicatorValue.objects.exists()


def test_record_value_refuses_other_tenants(indicator, other_municipality, municipality):
    with pytest.raises(ValidationError) as error:
        services.record_value(
            indicator=indicator,
            municipality=other_municipality,
            year=2025,
            value=1,
            source="own",
            user=SYSTEM,
        )
    assert "indicator" in error.value.message_dict
    foreign_unit = UnitFactory(municipality=other_municipality)
    with pytest.raises(ValidationError) as error:
        services.record_value(
            indicator=indicator,
            municipality=municipality,
            unit=foreign_unit,
            year=2025,
            value=1,
            source="own",
            user=SYSTEM,
        )
    assert "unit" in error.value.message_dict


def test_unsaved_indicator_is_unknown(municipality):
    with pytest.raises(ValidationError) as error:
        services.record_value(
            indicator=Indicator(code="x"),
            municipality=municipality,
            year=2025,
            value=1,
            source="own",
            user=SYSTEM,
        )
    assert "indicator" in error.value.message_dict


# --- CSV ---


def test_csv_import(indicator, kostra, municipality):
    unit = UnitFactory(municipality=municipality, slug="servicetorget")
    text = "indicator;year;value;unit;note\nsvar-epost;2024;81,5;;\nsvar-epost;2024;90;servicetorget;enhet\n"
    text += "barnehagedekning;2024;93,1;;\n"
    result = services.import_csv(
        text.encode("utf-8"), municipality=municipality, file_name="verdier.csv", user=SYSTEM
    )
    assert (result.created, result.updated, result.errors) == (3, 0, [])
    assert IndicatorValue.objects.get(unit=unit).value == 90
    again = services.import_csv(text, municipality=municipality, user=SYSTEM)
    assert (again.created, again.updated) == (0, 3)
    assert ImportRun.objects.count() == 2


def test_csv_reports_every_bad_row_and_imports_nothing(indicator, municipality):
    text = (
        "indicator,year,value\n"
        "svar-epost,2024,81\n"
        "ukjent,2024,1\n"
        "svar-epost,aar,1\n"
        "svar-epost,2025,mye\n"
        "svar-epost,2024,82\n"
    )
    with pytest.raises(services.ImportFailed) as failure:
        services.import_csv(text, municipality=municipality, user=SYSTEM)
    lines = [e.line for e in failure.value.errors]
    assert lines == [3, 4, 5, 6]
    assert "ukjent" in failure.value.errors[0].reason
    assert not IndicatorValue.objects.exists()
    assert not ImportRun.objects.exists()


def test_csv_skip_bad_rows(indicator, municipality):
    text = "indicator,year,value\nsvar-epost,2024,81\nukjent,2024,1\n"
    result = services.import_csv(text, municipality=municipality, skip_bad_rows=True, user=SYSTEM)
    assert result.created == 1 and result.skipped == 1 and len(result.errors) == 1


def test_csv_other_municipalitys_indicator_is_unknown(indicator, other_municipality):
    with pytest.raises(services.ImportFailed):
        services.import_csv(
            "indicator,year,value\nsvar-epost,2024,81\n", municipality=other_municipality, user=SYSTEM
        )


def test_csv_missing_columns(municipality):
    with pytest.raises(services.ImportFailed) as failure:
        services.import_csv("kode;verdi\nx;1\n", municipality=municipality, user=SYSTEM)
    assert "year" in failure.value.errors[0].reason


# --- JSON-stat 2 ---


def test_shipped_jsonstat_file_imports(kostra, municipality, other_municipality):
    for code in ("KOSkorrbrutto0000", "KOSsaksbehtid0000", "KOSandelhjemme0000"):
        Indicator.objects.create(
            code=code.lower(), name=code, unit_of_measure="x", kostra_table="12362", kostra_code=code
        )
    result = services.import_jsonstat(
        DATA.read_bytes(), municipalities=[municipality], file_name=DATA.name, user=SYSTEM
    )
    values = dict(IndicatorValue.objects.filter(indicator=kostra).values_list("year", "value"))
    assert values == {
        2022: Decimal("90.8"),
        2023: Decimal("91.7"),
        2024: Decimal("92.6"),
        2025: Decimal("93.5"),
    }
    assert result.created == 16
    assert not IndicatorValue.objects.filter(municipality=other_municipality).exists()
    assert IndicatorValue.objects.filter(indicator=kostra).first().source == Source.KOSTRA


def _doc():
    return json.loads(DATA.read_text())


@pytest.mark.parametrize(
    "breaks",
    [
        lambda d: d.pop("size"),
        lambda d: d.update({"class": "collection"}),
        lambda d: d.update({"value": d["value"][:-1]}),
        lambda d: d["dimension"].pop("Tid"),
        lambda d: d.update({"id": ["KOKkommuneregion0000", "ContentsCode"], "size": [4, 16]}),
        lambda d: d.update({"size": [4, 4, "fire"]}),
        lambda d: d["dimension"]["Tid"]["category"]["index"].pop("2025"),
    ],
)
def test_jsonstat_wrong_shape_is_refused(kostra, municipality, breaks):
    document = _doc()
    breaks(document)
    with pytest.raises(services.ImportFailed) as failure:
        services.import_jsonstat(json.dumps(document), municipalities=[municipality], user=SYSTEM)
    assert failure.value.errors and str(failure.value.errors[0])
    assert not IndicatorValue.objects.exists()
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"{}", b"\xff\xfe\x00"])
def test_jsonstat_garbage_is_refused(kostra, municipality, raw):
    with pytest.raises(services.ImportFailed):
        services.import_jsonstat(raw, municipalities=[municipality], user=SYSTEM)
    assert not IndicatorValue.objects.exists()


def test_jsonstat_unknown_indicator_imports_nothing(kostra, municipality):
    # Only one of the four content codes has an indicator: the file is refused as a whole.
    with pytest.raises(services.ImportFailed) as failure:
        services.import_jsonstat(DATA.read_bytes(), municipalities=[municipality], user=SYSTEM)
    codes = " ".join(e.reason for e in failure.value.errors)
    assert "KOSkorrbrutto0000" in codes and "KOSsaksbehtid0000" in codes
    assert not IndicatorValue.objects.exists()


def test_jsonstat_skip_bad_rows_imports_known(kostra, municipality):
    result = services.import_jsonstat(
        DATA.read_bytes(), municipalities=[municipality], skip_bad_rows=True, user=SYSTEM
    )
    assert result.created == 4 and len(result.errors) == 3


def test_jsonstat_missing_values_are_skipped(municipality, db):
    Indicator.objects.create(
        code="byggesak",
        name="Byggesak",
        unit_of_measure="dager",
        kostra_table="12362",
        kostra_code="KOSsaksbehtid0000",
    )
    sandefjord = type(municipality).objects.create(
        name="Sandefjord", number="3907", organization_number="944117784"
    )
    result = services.import_jsonstat(
        DATA.read_bytes(), municipalities=[sandefjord], skip_bad_rows=True, user=SYSTEM
    )
    # 3907 is Sandefjord's code from 2024 (2022–2023 are "." in the file: the code was 3804 then),
    # and 2025 is "..": one value
    assert result.created == 1
