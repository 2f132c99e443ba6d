"""The pages of visits, statements, settlement, deviations and Min side's attestation."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from servicetorg.choice import settlement as settlements
from servicetorg.choice.models import Scheme, Settlement, SettlementState, Visit, VisitState
from servicetorg.citizens import assurance
from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from tests.citizens.conftest import idp, portal  # noqa: F401 (fixtures)
from tests.factories import make_staff

from .conftest import build_scheme
from .visit_factories import KARI, OLA, at, choose, make_decision, make_provider, provider_user, visit

MARCH = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True
    with translation.override("en"):
        yield


@pytest.fixture
def world(municipality):
    scheme = build_scheme(municipality, adopt=True)
    p1, p2 = make_provider(municipality), make_provider(municipality, "=Annen Omsorg AS", n=1)
    d1 = make_decision(scheme, reference="V-1")
    choose(d1, p1)
    d2 = make_decision(scheme, national_id=OLA, name="Ola")
    choose(d2, p2)
    return {
        "scheme": scheme,
        "p1": p1,
        "p2": p2,
        "d1": d1,
        "d2": d2,
        "u1": provider_user(p1),
        "u2": provider_user(p2),
        "admin": make_staff(Role.ADMINISTRATION, municipality),
    }


def recent(days_ago=3, hour=10):
    return at(timezone.localdate() - timedelta(days=days_ago), hour)


def test_provider_sees_only_her_own_visits(client, world, django_assert_max_num_queries):
    mine = visit(world["p1"], world["d1"], recent(), 60)
    for n in range(5):
        visit(world["p1"], world["d1"], recent(4 + n), 45)
    theirs = visit(world["p2"], world["d2"], recent(), 60)
    client.force_login(world["u1"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("choice:visit-list"))
    assert response.status_code == 200
    visible = {row["visit"].pk for row in response.context["rows"]}
    assert mine.pk in visible and theirs.pk not in visible
    for name in ("choice:visit-attest", "choice:visit-cancel", "choice:visit-correct"):
        assert client.post(reverse(name, args=[theirs.pk]), {"proof": "x"}).status_code == 404
    assert Visit.objects.get(pk=theirs.pk).state == VisitState.REGISTERED


def test_staff_without_a_provider_are_refused(client, world):
    client.force_login(world["admin"])
    assert client.get(reverse("choice:visit-list")).status_code == 403
    assert client.get(reverse("choice:provider-statements")).status_code == 403


def test_register_a_visit_on_the_page(client, world):
    client.force_login(world["u1"])
    start = timezone.localtime(recent())
    data = {
        "decision": world["d1"].pk,
        "starts_at": f"{start:%Y-%m-%dT%H:%M}",
        "ends_at": f"{start + timedelta(minutes=50):%Y-%m-%dT%H:%M}",
        "staff_pseudonym": "H7",
    }
    assert client.post(reverse("choice:visit-create"), data).status_code == 302
    made = Visit.objects.get()
    assert (made.minutes, made.registered_by) == (50, world["u1"])
    again = client.post(reverse("choice:visit-create"), data)
    assert again.status_code == 400
    assert "overlapper et annet besøk" in again.content.decode()
    other = client.post(reverse("choice:visit-create"), {**data, "decision": world["d2"].pk})
    assert other.status_code == 400  # not one of her users: not in the list
    assert Visit.objects.count() == 1


def test_upload_reports_every_bad_row(client, world):
    client.force_login(world["u1"])
    day = timezone.localdate() - timedelta(days=2)
    text = (
        "decision;start;end;helper;visit_id\n"
        f"{world['d1'].pk};{day} 10:00;{day} 11:00;H1;a1\n"
        f"{world['d2'].pk};{day} 12:00;{day} 13:00;H1;a2\n"
        f"{world['d1'].pk};{day} 14:00;{day} 13:00;H1;a3\n"
    )
    upload = SimpleUploadedFile("besok.csv", text.encode(), content_type="text/csv")
    response = client.post(reverse("choice:visit-upload"), {"file": upload})
    errors = dict(response.context["report"]["errors"])
    assert response.status_code == 400 and sorted(errors) == [3, 4]
    assert "decision" in errors[3] and "Besøket kan ikke slutte før det begynner." in errors[4]
    assert "Besøket kan ikke slutte før det begynner." in response.content.decode()
    assert not Visit.objects.exists()
    upload = SimpleUploadedFile("besok.csv", text.encode(), content_type="text/csv")
    response = client.post(reverse("choice:visit-upload"), {"file": upload, "skip_bad_rows": "on"})
    assert response.status_code == 200 and response.context["report"]["created"] == 1
    assert list(Visit.objects.values_list("external_id", flat=True)) == ["a1"]


def test_attest_with_proof_where_the_scheme_allows(client, world):
    made = visit(world["p1"], world["d1"], recent(), 60)
    client.force_login(world["u1"])
    client.post(reverse("choice:visit-attest", args=[made.pk]), {"proof": "Nøkkellogg"})
    assert Visit.objects.get(pk=made.pk).state == VisitState.REGISTERED
    Scheme.objects.filter(pk=world["scheme"].pk).update(provider_may_attest=True)
    client.post(reverse("choice:visit-attest", args=[made.pk]), {"proof": "Nøkkellogg"})
    assert Visit.objects.get(pk=made.pk).state == VisitState.ATTESTED


def test_settlement_pages(client, world, django_assert_max_num_queries, monkeypatch):
    import weasyprint

    variants = []
    write_pdf = weasyprint.HTML.write_pdf

    def recorded(self, *args, **kwargs):
        variants.append(kwargs.get("pdf_variant"))
        return write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", recorded)
    visit(world["p1"], world["d1"], at(date(2026, 3, 2), 10), 60, state=VisitState.ATTESTED)
    visit(world["p2"], world["d2"], at(date(2026, 3, 2), 10), 60, state=VisitState.ATTESTED)
    client.force_login(world["admin"])
    response = client.post(
        reverse("choice:settlement-compute"), {"scheme": world["scheme"].pk, "month": "2026-03"}
    )
    assert response.status_code == 302
    assert Settlement.objects.count() == 2
    with django_assert_max_num_queries(10):
        assert client.get(reverse("choice:settlement-list")).status_code == 200
    statement = Settlement.objects.get(provider=world["p2"])
    page = client.get(reverse("choice:settlement-detail", args=[statement.pk]))
    assert page.status_code == 200 and page.context["can_approve"]
    csv_text = client.get(reverse("choice:settlement-export", args=[statement.pk, "csv"])).content.decode()
    assert "'=Annen Omsorg AS" in csv_text and "=Annen" not in csv_text.replace("'=Annen", "")
    xlsx = client.get(reverse("choice:settlement-export", args=[statement.pk, "xlsx"]))
    assert xlsx.content[:2] == b"PK"
    pdf = client.get(reverse("choice:settlement-export", args=[statement.pk, "pdf"]))
    assert pdf.content.startswith(b"%PDF") and variants == ["pdf/ua-1"]  # tagged
    assert client.get(reverse("choice:settlement-export", args=[statement.pk, "doc"])).status_code == 404
    client.post(reverse("choice:settlement-approve", args=[statement.pk]))
    client.post(reverse("choice:settlement-pay", args=[statement.pk]))
    assert Settlement.objects.get(pk=statement.pk).state == SettlementState.PAID
    client.post(reverse("choice:settlement-pay", args=[statement.pk]))  # twice: a message, no change
    assert Settlement.objects.get(pk=statement.pk).state == SettlementState.PAID


def test_a_provider_reads_only_her_own_statements(client, world):
    settlements.compute(world["scheme"], MARCH, user=SYSTEM)
    own, other = Settlement.objects.get(provider=world["p1"]), Settlement.objects.get(provider=world["p2"])
    client.force_login(world["u1"])
    listed = client.get(reverse("choice:provider-statements"))
    assert [s.pk for s in listed.context["settlements"]] == [own.pk]
    assert client.get(reverse("choice:settlement-detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("choice:settlement-export", args=[own.pk, "csv"])).status_code == 200
    for name, args in (
        ("choice:settlement-detail", [other.pk]),
        ("choice:settlement-export", [other.pk, "csv"]),
        ("choice:settlement-export", [other.pk, "pdf"]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404
    assert client.post(reverse("choice:settlement-approve", args=[own.pk])).status_code == 403
    assert client.get(reverse("choice:settlement-list")).status_code == 403


def test_another_municipality_reads_no_statement(client, world, other_staff):
    settlements.compute(world["scheme"], MARCH, user=SYSTEM)
    statement = Settlement.objects.first()
    client.force_login(other_staff)
    assert client.get(reverse("choice:settlement-detail", args=[statement.pk])).status_code == 404
    assert client.get(reverse("choice:settlement-list")).context["settlements"].count() == 0


def test_deviations_for_the_ordering_unit(client, world, municipality):
    day = timezone.localdate().replace(day=1)
    # 3.5 h a week: at most 930 minutes in a 31-day month; three visits of 8 hours go beyond it
    for n in range(3):
        visit(world["p1"], world["d1"], at(day + timedelta(days=n), 7), 8 * 60)
    officer = make_staff(Role.CASE_OFFICER, municipality)
    client.force_login(officer)
    rows = client.get(reverse("choice:deviation-list")).context["rows"]
    assert [(r["decision"].pk, r["performed"], r["approved"]) for r in rows] == [
        (world["d1"].pk, 1440, False)
    ]
    response = client.post(
        reverse("choice:deviation-list"),
        {"decision": world["d1"].pk, "month": f"{day:%Y-%m}", "band": rows[0]["band"]},
    )
    assert response.status_code == 302
    assert client.get(reverse("choice:deviation-list")).context["rows"][0]["approved"]
    client.force_login(world["u1"])
    assert client.get(reverse("choice:deviation-list")).status_code == 403


def test_min_side_attestation(client, world, idp, municipality):  # noqa: F811 (the fixture)
    made = visit(world["p1"], world["d1"], recent(), 60)
    theirs = visit(world["p2"], world["d2"], recent(), 60)
    url = reverse("choice_public:visits")
    idp.sign_in(client, pid=KARI, level=assurance.SUBSTANTIAL)
    assert client.get(url).status_code == 302  # below the care level: sent to step up
    idp.sign_in(client, pid=KARI, level=assurance.HIGH, next=url)
    response = client.get(url)
    assert [v.pk for v in response.context["visits"]] == [made.pk]
    assert client.post(url, {"visit": theirs.pk, "action": "attest"}).status_code == 404
    client.post(url, {"visit": made.pk, "action": "attest"})
    assert Visit.objects.get(pk=made.pk).state == VisitState.ATTESTED
    client.post(url, {"visit": made.pk, "action": "attest"})  # twice: the table's message
    assert Visit.objects.get(pk=made.pk).state == VisitState.ATTESTED
    assert Visit.objects.get(pk=theirs.pk).state == VisitState.REGISTERED
