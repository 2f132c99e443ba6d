import pytest
from django.core.exceptions import ValidationError

from servicetorg.core.models import Municipality
from servicetorg.core.validators import mask_national_id, validate_national_id


@pytest.mark.django_db
def test_municipality_validates_number_and_organisation_number():
    municipality = Municipality(name="Feil", number="38", organization_number="123456789")
    with pytest.raises(ValidationError) as error:
        municipality.full_clean()
    assert set(error.value.message_dict) == {"number", "organization_number"}


@pytest.mark.django_db
def test_municipality_number_clash_is_a_clear_error(municipality):
    clash = Municipality(name="Kopi", number=municipality.number, organization_number="964965226")
    with pytest.raises(ValidationError) as error:
        clash.full_clean()
    assert "number" in error.value.message_dict


@pytest.mark.django_db
def test_municipality_changes_are_audited(municipality):
    municipality.phone = "33 11 22 33"
    municipality.save()
    assert municipality.history.count() == 2
    assert municipality.history.first().phone == "33 11 22 33"


def test_national_id_is_validated_and_masked():
    validate_national_id("15076500565")
    with pytest.raises(ValidationError):
        validate_national_id("15076500566")
    assert mask_national_id("15076500565") == "150765*****"
