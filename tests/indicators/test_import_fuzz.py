"""Imports never crash on arbitrary input: either a result or ImportFailed, and nothing half-written."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators import services
from servicetorg.indicators.models import Indicator, IndicatorValue

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@pytest.fixture
def indicator(municipality):
    return Indicator.objects.create(municipality=municipality, code="svar", name="Svar", unit_of_measure="%")


@SETTINGS
@given(text=st.text(max_size=300))
def test_csv_import_never_crashes(indicator, municipality, text):
    before = IndicatorValue.objects.count()
    try:
        services.import_csv(text, municipality=municipality, user=SYSTEM)
    except services.ImportFailed as failure:
        assert failure.errors
        assert IndicatorValue.objects.count() == before


@SETTINGS
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["svar", "ukjent", ""]), st.text(max_size=6), st.text(max_size=6)),
        max_size=6,
    )
)
def test_csv_rows_all_or_nothing(indicator, municipality, rows):
    text = "indicator;year;value\n" + "\n".join(";".join(r).replace("\n", " ") for r in rows)
    before = IndicatorValue.objects.count()
    try:
        services.import_csv(text, municipality=municipality, user=SYSTEM)
    except services.ImportFailed:
        assert IndicatorValue.objects.count() == before


@SETTINGS
@given(
    document=st.dictionaries(
        st.sampled_from(["class", "version", "id", "size", "dimension", "value"]), json_values
    )
)
def test_jsonstat_import_never_crashes(indicator, municipality, document):
    with pytest.raises(services.ImportFailed):
        services.import_jsonstat(json.dumps(document), municipalities=[municipality], user=SYSTEM)
    assert not IndicatorValue.objects.exists()
