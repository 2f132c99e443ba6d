import pytest
from rest_framework.test import APIClient


@pytest.mark.parametrize("params", [{"offset": "99999999999999999999"}, {"limit": "99999999999999999999"}])
def test_huge_paging_numbers_are_not_a_server_error(administration, params):
    api = APIClient()
    api.force_authenticate(administration)
    response = api.get("/api/catalogue/areas/", params)
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 500
