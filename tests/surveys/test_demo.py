import pytest
from django.urls import reverse

from servicetorg.catalogue import demo as catalogue_demo
from servicetorg.core import demo as core_demo
from servicetorg.core.choices import Role
from servicetorg.surveys import demo, selectors
from servicetorg.surveys.models import Answer, Response, Survey

pytestmark = pytest.mark.slow  # loads the demo


def test_demo_is_idempotent_and_analysable(client, make_staff):
    municipality = core_demo.load_municipality()
    catalogue_demo.load(municipality, seed=1)
    demo.load(municipality, seed=1)
    counts = (Survey.objects.count(), Response.objects.count(), Answer.objects.count())
    demo.load(municipality, seed=1)
    assert (Survey.objects.count(), Response.objects.count(), Answer.objects.count()) == counts
    citizen = Survey.objects.get(title__startswith="Innbyggerundersøkelse", previous_round__isnull=False)
    assert citizen.kind == "citizen_survey"
    rounds = selectors.compare_rounds(citizen)
    assert rounds and all(r.difference is not None for r in rounds if r.current and r.previous)
    user_surveys = Survey.objects.filter(kind="user_survey", state="closed")
    assert user_surveys.count() >= 10
    # Open: the service-desk survey and the satisfaction question after closed cases.
    assert Survey.objects.filter(state="published").count() == 2
    assert Survey.objects.filter(state="published", template_key="satisfaction-after-case").count() == 1
    staff = make_staff(Role.ADMINISTRATION, municipality)
    client.force_login(staff)
    for name in ["surveys:results", "surveys:compare", "surveys:correlations", "surveys:report"]:
        assert client.get(reverse(name, args=[citizen.pk])).status_code == 200
