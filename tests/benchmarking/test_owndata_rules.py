"""Own figures in the benchmark: shared definitions, publication choices and the rule of three."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from servicetorg.benchmarking.owndata import selectors, services
from servicetorg.benchmarking.owndata.models import Publication
from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators import services as indicator_services
from servicetorg.indicators.models import Indicator, Source
from tests.factories import MunicipalityFactory, _org_number, make_staff

pytestmark = pytest.mark.django_db

#: Values far apart and unmistakable, so a leak would show as the exact number.
SECRET = {"Alfavik": 11.25, "Betavik": 47.75, "Gammavik": 83.5}


def shared(code="henvendelser-svart-i-tide") -> Indicator:
    return Indicator.objects.get_or_create(
        municipality=None,
        code=code,
        defaults={"name": "Svar i tide", "unit_of_measure": "%", "source": Source.INQUIRY_KPI},
    )[0]


def world(names, published=(), indicator=None, year=2025):
    indicator = indicator or shared()
    found = {}
    for name in names:
        # an organisation number of its own: the factory's sequence can give two rows the same one
        m = MunicipalityFactory(
            name=name, organization_number=_org_number(700_000 + 10 * list(SECRET).index(name))
        )
        indicator_services.record_value(
            indicator=indicator,
            municipality=m,
            year=year,
            value=SECRET[name],
            source=Source.INQUIRY_KPI,
            user=SYSTEM,
        )
        if name in published:
            services.set_publication(m, indicator, published=True, user=SYSTEM)
        found[name] = m
    return indicator, found


def content(response) -> str:
    """The page's own content (the portal's header and footer name the site's municipality)."""
    text = response.content.decode()
    return text[text.index("<h1") : text.rindex("</main>")]


def leaks(text: str, names) -> list[str]:
    return [n for n in names if str(SECRET[n]) in text or str(SECRET[n]).replace(".", ",") in text]


def test_statistics_follow_the_inclusive_quartiles():
    stats = selectors.peer_statistics([1.0, 2.0, 3.0, 4.0], [])
    assert (stats.lower_quartile, stats.median, stats.upper_quartile, stats.n) == (1.75, 2.5, 3.25, 4)
    assert selectors.peer_statistics([5.0], []).median == 5.0
    assert not selectors.peer_statistics([], [1.0, 2.0]).has_figures


def test_with_two_municipalities_nothing_unpublished_leaks(client):
    indicator, _m = world(["Alfavik", "Betavik"], published=["Alfavik"])
    figure = selectors.figure_year(indicator)
    assert figure.stats.n == 1 and figure.stats.median == SECRET["Alfavik"]
    assert figure.stats.withheld == 1
    assert [r.municipality.name for r in figure.published] == ["Alfavik"]
    page = content(client.get(reverse("benchmarking_public:owndata-figure", args=[indicator.code])))
    api = client.get(reverse("benchmarking_api:owndata-figure", args=[indicator.code])).content.decode()
    listing = content(client.get(reverse("benchmarking_public:owndata-list")))
    api_list = client.get(reverse("benchmarking_api:owndata-list")).content.decode()
    for text in (page, api, listing, api_list):
        assert leaks(text, ["Betavik"]) == []
        assert "Betavik" not in text
    assert leaks(page, ["Alfavik"]) == ["Alfavik"]


def test_two_unpublished_are_not_counted_even_with_a_third_published(client):
    """Three municipalities, but only two unpublished: the median of three would give one of them."""
    indicator, _m = world(["Alfavik", "Betavik", "Gammavik"], published=["Gammavik"])
    stats = selectors.figure_year(indicator).stats
    assert (stats.n, stats.median, stats.withheld) == (1, SECRET["Gammavik"], 2)
    api = client.get(reverse("benchmarking_api:owndata-figure", args=[indicator.code])).json()
    assert api["statistics"]["n"] == 1 and api["statistics"]["withheld"] == 2
    assert leaks(str(api), ["Alfavik", "Betavik"]) == []


def test_with_three_unpublished_they_count_but_are_never_listed(client):
    indicator, _m = world(["Alfavik", "Betavik", "Gammavik"])
    figure = selectors.figure_year(indicator)
    assert (figure.stats.n, figure.stats.median, figure.stats.withheld) == (3, SECRET["Betavik"], 0)
    assert figure.published == []
    page = content(client.get(reverse("benchmarking_public:owndata-figure", args=[indicator.code])))
    api = client.get(reverse("benchmarking_api:owndata-figure", args=[indicator.code])).json()
    assert api["statistics"]["n"] == 3 and api["published"] == []
    for name in SECRET:
        assert name not in page and name not in str(api)
    summary = {s.indicator.code: s for s in selectors.overview()}[indicator.code]
    assert (summary.stats.n, summary.published) == (3, 0)
    # The median and two quartiles of three values would be the three values (x1 = 2·q1 − q2):
    # with unpublished values counted, the quartiles need ten values.
    assert figure.stats.lower_quartile is None and figure.stats.upper_quartile is None
    assert api["statistics"]["quartiles_hidden"] is True
    assert 'id="owndata-quartiles-hidden"' in page
    for secret in (SECRET["Alfavik"], SECRET["Gammavik"]):
        assert str(secret) not in str(api) and str(secret).replace(".", ",") not in page


def test_quartiles_with_unpublished_values_only_from_ten_values():
    few = selectors.peer_statistics([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [7.0, 8.0, 9.0])
    assert few.n == 9 and few.quartiles_hidden and few.lower_quartile is None and few.median == 5.0
    enough = selectors.peer_statistics([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0])
    assert enough.n == 10 and not enough.quartiles_hidden and enough.lower_quartile == 3.25
    published_only = selectors.peer_statistics([1.0, 2.0, 3.0], [4.0])
    assert not published_only.quartiles_hidden and published_only.lower_quartile == 1.5


def test_published_values_are_shown_by_name(client):
    indicator, _m = world(["Alfavik", "Betavik", "Gammavik"], published=["Alfavik", "Gammavik"])
    api = client.get(reverse("benchmarking_api:owndata-figure", args=[indicator.code])).json()
    assert [r["municipality"] for r in api["published"]] == ["Alfavik", "Gammavik"]
    assert api["statistics"]["n"] == 2  # Betavik alone is not counted
    assert "Betavik" not in str(api)


def test_publication_records_who_and_when_and_needs_the_permission(municipality, administration, desk_worker):
    indicator = shared()
    first = services.set_publication(municipality, indicator, published=True, user=administration)
    assert first.published and first.chosen_by == administration and first.chosen_at
    again = services.set_publication(municipality, indicator, published=True, user=SYSTEM)
    assert again.chosen_by == administration  # the same choice again changes nothing
    assert services.set_publication(municipality, indicator, published=False, user=SYSTEM).chosen_by is None
    assert first.history.count() == 2
    with pytest.raises(PermissionDenied):
        services.set_publication(municipality, indicator, published=True, user=desk_worker)
    own = Indicator.objects.create(municipality=municipality, code="eget", name="Eget", unit_of_measure="%")
    with pytest.raises(ValidationError):
        services.set_publication(municipality, own, published=True, user=administration)


def test_staff_page_saves_choices_for_the_users_municipality_only(client, municipality, other_municipality):
    indicator = shared()
    other_indicator = shared("henvendelser-antall")
    admin = make_staff(Role.ADMINISTRATION, municipality)
    client.force_login(admin)
    assert client.get(reverse("benchmarking:owndata-choice-list")).status_code == 302
    url = reverse("benchmarking:owndata-choices", args=[municipality.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"published": [str(indicator.pk)]})
    assert response.status_code == 302
    assert Publication.objects.get(municipality=municipality, indicator=indicator).published
    assert not Publication.objects.filter(indicator=other_indicator).exists()
    client.post(url, {})
    assert not Publication.objects.get(municipality=municipality, indicator=indicator).published
    # another municipality's choices do not exist for her
    other_url = reverse("benchmarking:owndata-choices", args=[other_municipality.pk])
    assert client.get(other_url).status_code == 404
    assert client.post(other_url, {"published": [str(indicator.pk)]}).status_code == 404
    assert not Publication.objects.filter(municipality=other_municipality).exists()


def test_staff_page_is_refused_to_the_desk(client, municipality, desk_worker):
    client.force_login(desk_worker)
    assert client.get(reverse("benchmarking:owndata-choice-list")).status_code == 403
    assert client.get(reverse("benchmarking:owndata-choices", args=[municipality.pk])).status_code == 404


def test_list_pages_read_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    indicator, _m = world(["Alfavik", "Betavik", "Gammavik"], published=["Alfavik"])
    for code in ("henvendelser-antall", "tilfredshet-servicetorget"):
        world([], indicator=shared(code))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("benchmarking_public:owndata-list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("benchmarking_api:owndata-list")).status_code == 200


def test_unknown_figure_is_404(client, municipality):
    Indicator.objects.create(municipality=municipality, code="eget", name="Eget", unit_of_measure="%")
    assert client.get(reverse("benchmarking_public:owndata-figure", args=["eget"])).status_code == 404
    assert client.get(reverse("benchmarking_api:owndata-figure", args=["eget"])).status_code == 404
    assert client.get(reverse("benchmarking_api:owndata-figure", args=["x"]) + "?year=abc").status_code == 404


def test_open_data_publishes_a_shared_figure_only_while_it_is_chosen(client):
    """The municipality's own open data follows the same choice: an unpublished value would otherwise
    be public there, and the rule of three would protect nothing."""
    indicator, found = world(["Alfavik"])
    alfavik = found["Alfavik"]
    own = Indicator.objects.create(
        municipality=alfavik, code="egen-tilfredshet", name="Egen", unit_of_measure="%", source=Source.SURVEY
    )
    indicator_services.record_value(
        indicator=own, municipality=alfavik, year=2025, value=66.5, source=Source.SURVEY, user=SYSTEM
    )
    files = [f"/apne-data/{alfavik.number}/{name}" for name in ("servicetorget.csv", "servicetorget.json")]

    def published() -> list[bool]:
        return [str(SECRET["Alfavik"]) in client.get(url).content.decode() for url in files]

    assert published() == [False, False]
    catalogue = client.get(f"/apne-data/{alfavik.number}/").content.decode()
    assert str(SECRET["Alfavik"]) not in catalogue
    # The municipality's own survey figure is not a shared one: published as before.
    assert "66.5" in client.get(f"/apne-data/{alfavik.number}/brukerundersokelser.csv").content.decode()
    services.set_publication(alfavik, indicator, published=True, user=SYSTEM)
    assert published() == [True, True]
    services.set_publication(alfavik, indicator, published=False, user=SYSTEM)
    assert published() == [False, False]


def test_upgrade_keeps_what_was_open_data_published(municipality, other_municipality):
    """Before the choice governed open data every value was published there: the migration records
    those as published (by the system) and leaves a choice already made alone."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("servicetorg.benchmarking.migrations.0005_publish_what_was_open")
    indicator, kept = shared(), shared("henvendelser-ferdig-i-skranken")
    for m, i in ((municipality, indicator), (other_municipality, indicator), (other_municipality, kept)):
        indicator_services.record_value(
            indicator=i, municipality=m, year=2025, value=50, source=Source.INQUIRY_KPI, user=SYSTEM
        )
    services.set_publication(other_municipality, kept, published=False, user=SYSTEM)
    migration.publish_what_was_open(apps, None)
    migration.publish_what_was_open(apps, None)  # twice: nothing more
    rows = {
        (p.municipality_id, p.indicator_id): (p.published, p.chosen_by_id) for p in Publication.objects.all()
    }
    assert rows == {
        (municipality.pk, indicator.pk): (True, None),
        (other_municipality.pk, indicator.pk): (True, None),
        (other_municipality.pk, kept.pk): (False, None),
    }
