"""The school-choice demo (choice/schools/demo.py): Fjordvik's 12 schools, 1 500 addresses with their
nearest school as catchment, a published 1st-grade round of 2 000 applicants whose certificate the
same seed gives again, an open 8th-grade round, the school office's user, and Marte Fjeld, who sees
her daughter's placement through the relation the municipality recorded."""

import re

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from servicetorg.choice.schools import allocate, demo
from servicetorg.choice.schools.min_side import PANEL
from servicetorg.choice.schools.models import (
    AllocationRun,
    Appeal,
    AppealState,
    Cutoff,
    Placement,
    PlacementState,
    Round,
    RoundSchool,
    RoundState,
    RunKind,
    School,
    SchoolAddress,
    SchoolApplication,
    Wish,
)
from servicetorg.citizens import assurance, panels
from servicetorg.citizens.models import Relation, RelationKind
from servicetorg.core.choices import Role
from servicetorg.core.crypto import national_id_digest
from servicetorg.core.demo import DEMO_PASSWORD
from servicetorg.core.models import Membership
from servicetorg.core.synthetic_ids import birth_date, is_synthetic_national_id
from tests.citizens.conftest import idp, portal  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow  # loads 2 000 applications twice


def _counts():
    models = (School, SchoolAddress, Round, RoundSchool, SchoolApplication, Wish, AllocationRun, Placement)
    return [m.objects.count() for m in (*models, Cutoff, Appeal, Relation)]


def _certificates(municipality) -> list[dict]:
    runs = AllocationRun.objects.filter(round__municipality=municipality).order_by("pk")
    return [{k: v for k, v in run.certificate.items() if k != "engine_ms"} for run in runs]


def test_demo(municipality, other_municipality, client, idp, settings):  # noqa: F811
    """One load (seconds), then each part; a second load changes nothing; the same seed in another
    municipality gives the same certificates."""
    demo.load(municipality, seed=2026)
    year = demo.intake_year(timezone.localdate())
    loads_once(municipality)
    schools_and_addresses(municipality)
    the_office_user(municipality)
    first_grade_round(municipality, year)
    eighth_grade_round(municipality, year)
    guardian_sees_her_child(municipality, year)
    guardian_signs_in_and_reads_the_placement(client, idp, settings, year)
    demo.load(other_municipality, seed=2026)
    assert _certificates(other_municipality) == _certificates(municipality)


def loads_once(municipality):
    before = _counts()
    demo.load(municipality, seed=2026)
    assert _counts() == before


def schools_and_addresses(municipality):
    schools = School.objects.filter(municipality=municipality)
    assert schools.count() == 12
    assert schools.filter(first_grade=1, last_grade=7).count() == 9
    assert schools.filter(first_grade=8, last_grade=10).count() == 3
    for school in schools:
        sentences = len(re.findall(r"[.!?](\s|$)", school.profile))
        assert 2 <= sentences <= 4, school.name
        assert 59.0 < float(school.latitude) < 59.11 and 9.98 < float(school.longitude) < 10.08
    addresses = SchoolAddress.objects.filter(municipality=municipality)
    assert addresses.count() == 1500
    assert not addresses.filter(primary_school__isnull=True).exists()
    assert not addresses.filter(secondary_school__isnull=True).exists()
    # each address's catchment school is its nearest school of the stage
    primary = list(schools.filter(last_grade=7).order_by("pk"))
    sample = list(addresses.order_by("pk")[::50])
    points = np.array([[float(a.latitude), float(a.longitude)] for a in sample])
    for address, point in zip(sample, points, strict=True):
        km = allocate.distances_km(
            np.repeat(point[None, :], len(primary), axis=0),
            np.array([[float(s.latitude), float(s.longitude)] for s in primary]),
        )
        assert primary[int(km.argmin())].pk == address.primary_school_id


def the_office_user(municipality):
    user = get_user_model().objects.get(username=demo.OFFICE_USERNAME)
    assert user.check_password(DEMO_PASSWORD)
    assert Membership.objects.filter(user=user, municipality=municipality, role=Role.SCHOOL_OFFICE).exists()


def first_grade_round(municipality, year):
    round_ = Round.objects.get(municipality=municipality, name=demo.first_round_name(year))
    assert round_.state == RoundState.PUBLISHED and round_.grade == 1 and round_.guarantee
    assert round_.seed and round_.seed_hash and round_.published_at
    round_.full_clean()  # its rules pass the model's own checks (the guarantee's priority order)
    applications = SchoolApplication.objects.filter(round=round_)
    assert applications.count() == demo.APPLICANTS
    assert applications.filter(special_needs_school__isnull=False).count() == demo.SPECIAL_NEEDS
    for app in applications.order_by("pk")[:40]:
        assert is_synthetic_national_id(app.national_id)
        assert birth_date(app.national_id).year == year - 6  # school starts the year one turns six
    siblings = Wish.objects.filter(application__round=round_, sibling=True).count()
    assert 0.07 * demo.APPLICANTS <= siblings <= 0.13 * demo.APPLICANTS
    seats = sum(RoundSchool.objects.filter(round=round_).values_list("seats", flat=True))
    assert demo.APPLICANTS < seats <= 1.08 * demo.APPLICANTS

    main = AllocationRun.objects.get(round=round_, kind=RunKind.MAIN)
    cert = main.certificate
    assert cert["stable"] and cert["blocking_pairs"] == 0 and cert["wasted_seats"] == 0
    assert cert["unplaced"] == 0 and cert["guarantee_feasible"] is True
    assert sum(cert["by_wish"]) + cert["guaranteed"] == demo.APPLICANTS
    assert 0.7 <= cert["by_wish"][0] / demo.APPLICANTS <= 0.9
    cutoffs = Cutoff.objects.filter(run=main)
    oversubscribed = [c for c in cutoffs if c.first_wishes > c.seats]
    assert 3 <= len(oversubscribed) <= 4
    assert all(c.full for c in oversubscribed)

    rerun = AllocationRun.objects.get(round=round_, current=True)
    assert rerun.kind == RunKind.WAITING_LIST and rerun.based_on == main and rerun.certificate["stable"]
    states = list(Placement.objects.filter(run=rerun).values_list("state", flat=True))
    accepted = states.count(PlacementState.ACCEPTED) / len(states)
    declined = states.count(PlacementState.DECLINED) / len(states)
    assert 0.55 <= accepted <= 0.67 and 0.03 <= declined <= 0.07
    appeals = Appeal.objects.filter(application__round=round_)
    assert appeals.count() == 3
    answered = appeals.get(state=AppealState.REJECTED)
    assert answered.answer and answered.answered_at and answered.answered_by.username == "skolekontor"
    assert appeals.filter(state=AppealState.RECEIVED).count() == 2


def eighth_grade_round(municipality, year):
    round_ = Round.objects.get(municipality=municipality, name=demo.eighth_round_name(year))
    assert round_.state == RoundState.OPEN and round_.grade == 8
    today = timezone.localdate()
    assert round_.opens_on <= today <= round_.closes_on and not round_.seed
    assert round_.schools.count() == 3
    assert 0 < round_.applications.count() == demo.EIGHTH_GRADE_APPLICANTS
    for app in round_.applications.all():
        assert birth_date(app.national_id).year == year - 13
        assert app.catchment_school.first_grade == 8


def guardian_sees_her_child(municipality, year):
    (lea, _, _, _), (magnus, _, _, _) = demo.children(year)
    today = timezone.localdate()
    relations = Relation.objects.filter(
        municipality=municipality,
        kind=RelationKind.GUARDIAN,
        representative_digest=national_id_digest(demo.GUARDIAN),
    )
    assert {r.subject_digest for r in relations if r.is_valid_on(today)} == {
        national_id_digest(lea),
        national_id_digest(magnus),
    }
    # What Min side finds: the applications of the children her relations name.
    digests = [r.subject_digest for r in relations]
    [application] = SchoolApplication.objects.filter(
        round__municipality=municipality, national_id_digest__in=digests
    )
    assert application.round.state == RoundState.PUBLISHED
    assert application.guardian_digest == national_id_digest(demo.GUARDIAN)
    placement = Placement.objects.get(application=application, run__current=True)
    assert placement.school.name == demo.LEA_WISHES[1] and placement.wish_rank == 2
    assert placement.state == PlacementState.OFFERED  # hers to accept or decline
    # Magnus may apply in the open 8th-grade round: nothing submitted for him yet.
    assert not SchoolApplication.objects.filter(national_id_digest=national_id_digest(magnus)).exists()


def guardian_signs_in_and_reads_the_placement(client, idp, settings, year):  # noqa: F811
    """Marte signs in with ID-porten (TestID in the demo) and reads Lea's placement with its
    explanation: Fjordvik skole filled before her lottery number."""
    panels.register(PANEL)  # the lead's line in ChoiceConfig.ready()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    idp.sign_in(client, pid=demo.GUARDIAN, level=assurance.SUBSTANTIAL)
    home = client.get("/min-side/")
    assert home.status_code == 200 and "Lea Fjeld" in home.content.decode()
    placement = Placement.objects.get(
        application__national_id_digest=national_id_digest(demo.children(year)[0][0]), run__current=True
    )
    page = client.get(reverse("schools_public:placement", args=[placement.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "Åsen skole" in text and "Fjordvik skole filled" in text
