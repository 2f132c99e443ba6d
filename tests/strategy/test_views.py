"""Staff and portal pages of the strategy: tenant isolation, query counts, forms, PDF."""

import re
import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from servicetorg.core.choices import Role
from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.strategy import services, workflow
from servicetorg.strategy.models import ConsultationComment, FocusArea, Goal, Strategy, Target

from .conftest import build_strategy, soon


@pytest.fixture
def report(published_strategy):
    report = services.create_report(published_strategy, as_of_year=2025, user=SYSTEM)
    services.report_transition(
        report, workflow.ADOPT, adopted_on=date(2026, 4, 1), case_reference="PS 9/26", user=SYSTEM
    )
    return services.report_transition(report, workflow.PUBLISH, user=SYSTEM)


def staff_urls(strategy, report):
    return [
        reverse("strategy:strategy-detail", args=[strategy.pk]),
        reverse("strategy:comment-list", args=[strategy.pk]),
        reverse("strategy:report-detail", args=[report.pk]),
        reverse("strategy:report-pdf", args=[report.pk]),
    ]


def test_staff_pages_render(client, administration, published_strategy, report):
    client.force_login(administration)
    for url in staff_urls(published_strategy, report)[:3]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("strategy:strategy-detail", args=[published_strategy.pk])).content.decode()
    assert "Felles innboks" in page and "Mål 0" in page


def test_other_municipality_gets_404(client, other_staff, published_strategy, report):
    client.force_login(other_staff)
    for url in staff_urls(published_strategy, report):
        assert client.get(url).status_code == 404, url
    list_page = client.get(reverse("strategy:strategy-list"))
    assert list_page.status_code == 200
    assert reverse("strategy:strategy-detail", args=[published_strategy.pk]) not in list_page.content.decode()
    posts = [
        reverse("strategy:focus-area-add", args=[published_strategy.pk]),
        reverse("strategy:strategy-transition", args=[published_strategy.pk]),
        reverse("strategy:strategy-roll", args=[published_strategy.pk]),
        reverse("strategy:report-transition", args=[report.pk]),
    ]
    for url in posts:
        assert client.post(url, {"fa-title": "x", "tr-action": "publish"}).status_code == 404, url
    assert Strategy.objects.count() == 1


def test_citizen_without_role_is_refused(client, published_strategy, make_staff, other_municipality):
    from ..factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("strategy:strategy-list")).status_code == 403
    assert client.get(reverse("strategy:strategy-detail", args=[published_strategy.pk])).status_code == 404


def test_council_reads_but_cannot_change(client, municipality, draft_strategy, make_staff):
    council = make_staff(Role.COUNCIL, municipality)
    client.force_login(council)
    assert client.get(reverse("strategy:strategy-detail", args=[draft_strategy.pk])).status_code == 200
    response = client.post(reverse("strategy:focus-area-add", args=[draft_strategy.pk]), {"fa-title": "Ny"})
    assert response.status_code == 403
    assert FocusArea.objects.filter(title="Ny").count() == 0


def test_list_query_count(client, administration, municipality, django_assert_max_num_queries):
    for year in (2016, 2020, 2024):
        build_strategy(municipality, start_year=year, goals=1, values=False)
    client.force_login(administration)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("strategy:strategy-list"))
    assert response.content.decode().count("Servicestrategi") >= 3


def test_detail_query_count_does_not_grow(
    client, administration, municipality, django_assert_max_num_queries
):
    strategy = build_strategy(municipality, goals=6)
    client.force_login(administration)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("strategy:strategy-detail", args=[strategy.pk])).status_code == 200


def test_create_and_build_a_strategy_through_the_pages(client, administration, municipality):
    client.force_login(administration)
    response = client.post(
        reverse("strategy:strategy-create"),
        {"municipality": municipality.pk, "start_year": 2028, "title": "Strategi 2028–2031"},
    )
    strategy = Strategy.objects.get(period__start_year=2028)
    assert response.status_code == 302
    url = reverse("strategy:focus-area-add", args=[strategy.pk])
    assert client.post(url, {"fa-title": "Service"}).status_code == 302
    area = strategy.focus_areas.get()
    response = client.post(
        reverse("strategy:goal-add", args=[strategy.pk]),
        {
            "goal-focus_area": area.pk,
            "goal-title": "Raske svar",
            "goal-kind": "quality",
            "goal-perspective": "users",
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get(title="Raske svar")
    from .conftest import make_indicator

    indicator = make_indicator(municipality, code="svar")
    response = client.post(
        reverse("strategy:goal-indicator-add", args=[strategy.pk, goal.pk]),
        {"indicator": indicator.pk, "baseline_year": 2027, "target_2028": "80", "target_2030": "90,5"},
    )
    assert response.status_code == 302
    assert sorted(Target.objects.values_list("year", flat=True)) == [2028, 2030]


def test_bad_input_gives_field_errors_not_500(client, administration, draft_strategy):
    client.force_login(administration)
    response = client.post(reverse("strategy:goal-add", args=[draft_strategy.pk]), {"goal-title": ""})
    assert response.status_code == 400
    assert "ds-error-summary" in response.content.decode()
    link = Goal.objects.filter(focus_area__strategy=draft_strategy).first().goal_indicators.get()
    response = client.post(
        reverse("strategy:target-set", args=[draft_strategy.pk, link.pk]), {"year": 2031, "value": "x"}
    )
    assert response.status_code == 200 and "ds-error-summary" in response.content.decode()
    response = client.post(reverse("strategy:strategy-create"), {"start_year": "abc"})
    assert response.status_code == 200


def test_adopted_strategy_cannot_be_changed_through_the_pages(client, administration, published_strategy):
    client.force_login(administration)
    url = reverse("strategy:focus-area-add", args=[published_strategy.pk])
    response = client.post(url, {"fa-title": "Ny"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("strategy:strategy-detail", args=[published_strategy.pk])
    alerts = [str(m) for m in response.context["messages"]]
    assert any("kan ikke endres" in m for m in alerts)
    assert not FocusArea.objects.filter(title="Ny").exists()


def test_transition_and_roll_through_the_pages(client, administration, draft_strategy):
    client.force_login(administration)
    url = reverse("strategy:strategy-transition", args=[draft_strategy.pk])
    response = client.post(url, {"tr-action": "start_consultation"}, follow=True)  # no deadline → refused
    assert any("høringsfristen" in str(m) for m in response.context["messages"])
    draft_strategy.refresh_from_db()
    assert draft_strategy.state == "draft"
    deadline = timezone.localtime(soon()).strftime("%Y-%m-%dT%H:%M")
    client.post(url, {"tr-action": "start_consultation", "tr-consultation_deadline": deadline})
    client.post(url, {"tr-action": "adopt"})  # no date → refused
    draft_strategy.refresh_from_db()
    assert draft_strategy.state == "consultation"
    client.post(url, {"tr-action": "adopt", "tr-adopted_on": "2024-06-01", "tr-case_reference": "PS 3/24"})
    client.post(url, {"tr-action": "publish"})
    draft_strategy.refresh_from_db()
    assert draft_strategy.state == "published"
    response = client.post(
        reverse("strategy:strategy-roll", args=[draft_strategy.pk]), {"roll-revision_note": "2025"}
    )
    new = Strategy.objects.get(revision=2)
    assert response.url == reverse("strategy:strategy-detail", args=[new.pk])


def test_comment_moderation(client, administration, draft_strategy):
    strategy = services.transition(
        draft_strategy, workflow.START_CONSULTATION, consultation_deadline=soon(), user=SYSTEM
    )
    comment = services.submit_comment(strategy, name="Kari", text="Bra", role="citizen", user=CITIZEN)
    client.force_login(administration)
    assert "Bra" in client.get(reverse("strategy:comment-list", args=[strategy.pk])).content.decode()
    client.post(
        reverse("strategy:comment-moderate", args=[strategy.pk, comment.pk]),
        {f"c{comment.pk}-moderation": "approved", f"c{comment.pk}-answer": "Takk!"},
    )
    comment.refresh_from_db()
    assert comment.moderation == "approved" and comment.answer == "Takk!"


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils is not installed (make browsers)")
def test_pdf_opens_and_page_one_renders(client, administration, report, tmp_path):
    client.force_login(administration)
    response = client.get(reverse("strategy:report-pdf", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    assert response.content.startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.M), info  # PDF/UA: tagged for screen readers
    assert "filename*=utf-8''oppf%C3%B8lging-" in response["Content-Disposition"]
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True
    )
    (png,) = tmp_path.glob("p*.png")
    assert png.stat().st_size > 1000
    # The charts are in the PDF: one image per goal indicator (pdfimages is not needed: SVG is vector).
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert "Mål 0" in text and "2027" in text
    # Each of the two indicators has a table column "Faktisk" and a chart legend "Faktisk" (SVG text).
    assert [line.strip() for line in text.splitlines()].count("Faktisk") == 4
    assert "1 av 2 tiltak gjennomført" in text


# --- portal ---


def test_portal_shows_published_strategy_and_progress(
    client, published_strategy, report, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        response = client.get(reverse("strategy_public:home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Servicestrategi" in page and "Mål 0" in page
    assert reverse("strategy_public:report", args=[report.pk]) in page
    assert client.get(reverse("strategy_public:report", args=[report.pk])).status_code == 200
    pdf = client.get(reverse("strategy_public:report-pdf", args=[report.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    revision = client.get(reverse("strategy_public:revision", args=[published_strategy.pk])).content.decode()
    assert "12 årsverk" in revision and "<td>62</td>" in revision  # status section with the 2024 value


def test_portal_hides_drafts_and_unpublished_reports(client, draft_strategy, municipality):
    response = client.get(reverse("strategy_public:home"))
    assert "Mål 0" not in response.content.decode()
    assert client.get(reverse("strategy_public:revision", args=[draft_strategy.pk])).status_code == 404
    assert client.get(reverse("strategy_public:consultation", args=[draft_strategy.pk])).status_code == 404


def test_portal_hides_other_municipalitys_report(client, report, other_municipality):
    from servicetorg.core.portal import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = other_municipality.number
    session.save()
    assert client.get(reverse("strategy_public:report", args=[report.pk])).status_code == 404


def test_portal_comment_form(client, draft_strategy):
    strategy = services.transition(
        draft_strategy, workflow.START_CONSULTATION, consultation_deadline=soon(), user=SYSTEM
    )
    url = reverse("strategy_public:consultation", args=[strategy.pk])
    assert (
        reverse("strategy_public:consultation", args=[strategy.pk])
        in client.get(reverse("strategy_public:home")).content.decode()
    )
    response = client.post(url, {"name": "", "role": "citizen", "text": ""})
    assert response.status_code == 400
    response = client.post(
        url, {"name": "Kari", "role": "citizen", "text": "Flott", "email": "kari@example.no"}
    )
    assert response.status_code == 302
    comment = ConsultationComment.objects.get()
    assert comment.moderation == "pending"
    assert "Flott" not in client.get(url).content.decode()  # not before moderation
    services.moderate_comment(comment, decision="approved", answer="Takk", user=SYSTEM)
    page = client.get(url).content.decode()
    assert "Flott" in page and "Takk" in page and "kari@example.no" not in page


def test_edit_and_delete_items_of_a_draft(client, administration, draft_strategy):
    client.force_login(administration)
    goal = Goal.objects.filter(focus_area__strategy=draft_strategy).first()
    url = reverse("strategy:item-edit", args=[draft_strategy.pk, "mal", goal.pk])
    page = client.get(url)
    assert page.status_code == 200 and goal.title in page.content.decode()
    response = client.post(
        url,
        {
            "focus_area": goal.focus_area_id,
            "title": "Nytt navn",
            "kind": "efficiency",
            "perspective": "economy",
        },
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.title, goal.kind) == ("Nytt navn", "efficiency")
    assert goal.history.count() == 2
    bad = client.post(
        url, {"focus_area": goal.focus_area_id, "title": "", "kind": "x", "perspective": "users"}
    )
    assert bad.status_code == 400
    measure = draft_strategy.focus_areas.get().measures.get(title="Chat")
    client.post(
        reverse("strategy:item-edit", args=[draft_strategy.pk, "tiltak", measure.pk]), {"delete": "1"}
    )
    assert not draft_strategy.focus_areas.get().measures.filter(title="Chat").exists()
    assert client.get(reverse("strategy:item-edit", args=[draft_strategy.pk, "ukjent", 1])).status_code == 404


def test_items_of_adopted_or_foreign_strategy_cannot_be_edited(
    client, administration, other_staff, published_strategy
):
    goal = Goal.objects.filter(focus_area__strategy=published_strategy).first()
    url = reverse("strategy:item-edit", args=[published_strategy.pk, "mal", goal.pk])
    client.force_login(other_staff)
    assert client.get(url).status_code == 404
    client.force_login(administration)
    response = client.post(
        url, {"focus_area": goal.focus_area_id, "title": "X", "kind": "quality", "perspective": "users"}
    )
    assert response.status_code == 400
    client.post(url, {"delete": "1"})
    goal.refresh_from_db()
    assert goal.title != "X"


def test_adopted_report_is_frozen(client, administration, published_strategy, report):
    """Correcting an indicator value after adoption does not change the adopted report or its PDF."""
    from servicetorg.indicators.services import record_value

    assert report.adopted_pdf and report.adopted_body
    url = reverse("strategy_public:report", args=[report.pk])
    before = client.get(url).content.decode()
    assert "<td>69</td>" in before  # 2025 value of the first goal's indicator
    indicator = (
        Goal.objects.filter(focus_area__strategy=published_strategy).first().goal_indicators.get().indicator
    )
    record_value(
        indicator=indicator,
        municipality=published_strategy.municipality,
        year=2025,
        value=75,
        source="own",
        user=SYSTEM,
    )
    after = client.get(url).content.decode()
    assert "<td>69</td>" in after and "<td>75</td>" not in after
    pdf = client.get(reverse("strategy_public:report-pdf", args=[report.pk])).content
    assert pdf == bytes(report.adopted_pdf)
    client.force_login(administration)
    assert "<td>69</td>" in client.get(reverse("strategy:report-detail", args=[report.pk])).content.decode()
