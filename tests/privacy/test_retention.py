"""Retention periods per kind and municipality, and the purge: dry run changes nothing, a real run
removes exactly the expired rows (with their history), another municipality is untouched, and the
dashboards and KPIs read the same figures before and after."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from servicetorg.core.choices import Channel, Role
from servicetorg.core.models import OutboxMessage
from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators.inquiry_kpis import KPIS
from servicetorg.inquiries import rollups, selectors
from servicetorg.inquiries import services as inquiry_services
from servicetorg.inquiries.models import IdempotencyRecord, Inquiry, InquiryMessage
from servicetorg.privacy import retention
from servicetorg.privacy.models import PrivacyAction, PrivacyLog, RetentionRule
from servicetorg.privacy.tasks import purge_personal_data
from servicetorg.strategy import services as strategy_services
from servicetorg.strategy.models import ConsultationComment, Strategy
from servicetorg.surveys.models import Invitation
from tests.factories import make_staff
from tests.surveys.conftest import make_survey

NOW = timezone.now()


def days_ago(n: float):
    return NOW - timedelta(days=n)


def inquiry(municipality, *, email="kari@example.no", closed_days_ago=None, body="Hei", **fields):
    """A registered inquiry (its first message and history row written as at intake); closed that
    many days ago when asked."""
    registered = inquiry_services.register(
        municipality=municipality,
        channel=fields.pop("channel", Channel.EMAIL),
        subject=fields.pop("subject", "Barnehageplass"),
        body=body,
        contact_name="Kari Nordmann",
        contact_email=email,
        contact_phone=fields.pop("contact_phone", "912 34 567"),
        user=SYSTEM,
        **fields,
    )
    i = registered.inquiry
    if closed_days_ago is not None:
        inquiry_services.reply(i, text="Svar til deg", user=SYSTEM)
        i.refresh_from_db()
        inquiry_services.close(i, user=SYSTEM)
        Inquiry.objects.filter(pk=i.pk).update(closed_at=days_ago(closed_days_ago))
    i.refresh_from_db()
    return i


def outbox(municipality, key, *, state="sent", sent_days_ago=0, to="kari@example.no"):
    m = OutboxMessage.objects.create(
        municipality=municipality,
        channel="email",
        key=key,
        recipients=[to],
        subject="Kvittering",
        body="Hei Kari",
    )
    OutboxMessage.objects.filter(pk=m.pk).update(
        state=state,
        sent_at=days_ago(sent_days_ago) if state == "sent" else None,
        created_at=days_ago(sent_days_ago),
    )
    return m


def strategy_with_comments(
    municipality, *, deadline_days_ago: int, start_year: int, emails=("ola@example.no",)
):
    strategy = strategy_services.create_strategy(
        municipality=municipality, start_year=start_year, title="Servicestrategi", user=SYSTEM
    )
    Strategy.objects.filter(pk=strategy.pk).update(
        consultation_deadline=timezone.now() - timedelta(days=deadline_days_ago)
    )
    for email in emails:
        ConsultationComment.objects.create(strategy=strategy, name="Ola", email=email, text="Bra plan")
    return strategy


# --- Rules and bounds --------------------------------------------------------------------------


def test_every_kind_is_registered_with_a_default_inside_its_bounds(db):
    keys = [k.key for k in retention.kinds()]
    for expected in (
        "inquiries.closed",
        "strategy.comments",
        "surveys.invitations",
        "core.outbox",
        "core.sessions",
        "core.login_attempts",
        "core.form_tokens",
        "inquiries.idempotency",
    ):
        assert expected in keys
    for k in retention.kinds():
        assert k.min_days <= k.default_days <= k.max_days
    assert retention.kind("inquiries.closed").default_days == 730
    assert retention.kind("core.outbox").default_days == 30


def test_periods_default_then_own_rule_with_history_and_log(municipality, other_municipality):
    admin = make_staff(Role.ADMIN, municipality)
    assert retention.period_days(municipality, "inquiries.closed") == 730
    changed = retention.set_periods(municipality, {"inquiries.closed": 365, "core.outbox": 30}, user=admin)
    assert changed == ["inquiries.closed"]  # the outbox period equals its default: nothing to save
    assert retention.period_days(municipality, "inquiries.closed") == 365
    assert retention.period_days(other_municipality, "inquiries.closed") == 730
    rule = RetentionRule.objects.get(municipality=municipality, kind="inquiries.closed")
    assert rule.history.get().history_user == admin
    entry = PrivacyLog.objects.get(action=PrivacyAction.RULES)
    assert entry.user == admin and entry.counts == {"inquiries.closed": 365}
    # Back to the default: the municipality's own rule goes (audited as a deletion).
    retention.set_periods(municipality, {"inquiries.closed": 730}, user=admin)
    assert not RetentionRule.objects.filter(municipality=municipality).exists()
    assert rule.history.count() == 2


@pytest.mark.parametrize("days", [89, 3651, -1])
def test_a_period_outside_the_bounds_is_refused_per_field(municipality, days):
    admin = make_staff(Role.ADMIN, municipality)
    with pytest.raises(ValidationError) as error:
        retention.set_periods(municipality, {"inquiries.closed": days}, user=admin)
    assert "inquiries.closed" in error.value.error_dict
    assert not RetentionRule.objects.exists()


def test_platform_periods_cannot_be_set_per_municipality(municipality):
    admin = make_staff(Role.ADMIN, municipality)
    with pytest.raises(ValidationError) as error:
        retention.set_periods(municipality, {"core.sessions": 5}, user=admin)
    assert "core.sessions" in error.value.error_dict


@pytest.mark.parametrize("role", [Role.ADMINISTRATION, Role.UNIT_LEADER, Role.DESK_WORKER, Role.COUNCIL])
def test_only_admins_set_periods(municipality, role):
    user = make_staff(role, municipality)
    with pytest.raises(PermissionDenied):
        retention.set_periods(municipality, {"inquiries.closed": 365}, user=user)


def test_an_admin_of_another_municipality_cannot_set_or_purge(municipality, other_municipality):
    other_admin = make_staff(Role.ADMIN, other_municipality)
    with pytest.raises(PermissionDenied):
        retention.set_periods(municipality, {"inquiries.closed": 365}, user=other_admin)
    with pytest.raises(PermissionDenied):
        retention.purge(user=other_admin, municipality=municipality, dry_run=True)
    with pytest.raises(PermissionDenied):  # all municipalities: only SYSTEM (or an operator)
        retention.purge(user=other_admin, dry_run=True)


# --- The purge -----------------------------------------------------------------------------------


@pytest.fixture
def world(municipality, other_municipality):
    """Rows of every kind, expired and not, in two municipalities."""
    w = {
        "old": inquiry(municipality, closed_days_ago=800),
        "older": inquiry(municipality, closed_days_ago=900, email="per@example.no"),
        "recent": inquiry(municipality, closed_days_ago=100),
        "open": inquiry(municipality),
        "other_old": inquiry(other_municipality, closed_days_ago=800),
        "replied_old": inquiry(municipality),
        "replied_new": inquiry(municipality),
    }
    # Replied, never closed: the period counts from the reply.
    for key, days in (("replied_old", 800), ("replied_new", 10)):
        inquiry_services.reply(w[key], text="Svar", user=SYSTEM)
        Inquiry.objects.filter(pk=w[key].pk).update(replied_at=days_ago(days))
    w["open_received_long_ago"] = w["open"]
    w["comments_old"] = strategy_with_comments(municipality, deadline_days_ago=400, start_year=2020)
    w["comments_new"] = strategy_with_comments(municipality, deadline_days_ago=10, start_year=2024)
    w["comments_other"] = strategy_with_comments(other_municipality, deadline_days_ago=400, start_year=2020)
    w["out_old"] = outbox(municipality, "a", sent_days_ago=40)
    w["out_new"] = outbox(municipality, "b", sent_days_ago=10)
    w["out_pending"] = outbox(municipality, "c", state="pending", sent_days_ago=90)
    w["out_failed"] = outbox(municipality, "d", state="failed", sent_days_ago=60)
    w["out_other"] = outbox(other_municipality, "e", sent_days_ago=40)
    closed = make_survey(
        municipality, opens_on=date(2025, 1, 1), closes_on=timezone.localdate() - timedelta(days=100)
    )
    running = make_survey(municipality, title="Pågår")
    Invitation.objects.create(survey=closed, code_hash="x" * 64)
    Invitation.objects.create(survey=running, code_hash="y" * 64)
    w["closed_survey"], w["running_survey"] = closed, running
    return w


def _snapshot(municipality):
    """What the dashboards and KPIs show, and the rollups behind them."""
    start, end = timezone.localdate() - timedelta(days=1000), timezone.localdate()
    board = selectors.dashboard(municipality.pk, start, end)
    kpis = [kpi.figure(board) for kpi in KPIS]  # the front desk's figures recorded as indicators
    return rollups.current(municipality.pk), asdict(board), board.in_time_share, board.resolution_shares, kpis


def test_dry_run_reports_and_changes_nothing(world, municipality):
    before = (
        Inquiry.objects.filter(anonymised_at__isnull=False).count(),
        InquiryMessage.objects.count(),
        Inquiry.history.count(),
        ConsultationComment.objects.count(),
        OutboxMessage.objects.count(),
        Invitation.objects.count(),
    )
    lines = retention.purge(user=SYSTEM, dry_run=True, now=NOW)
    mine = {line.kind.key: line for line in lines if line.municipality == municipality}
    assert mine["inquiries.closed"].due == 3  # two closed, one replied long ago
    assert mine["inquiries.closed"].oldest == days_ago(900)
    assert mine["strategy.comments"].due == 1
    assert mine["core.outbox"].due == 2  # sent 40 days ago, failed 60 days ago
    assert mine["surveys.invitations"].due == 1
    assert all(line.purged == 0 for line in lines)
    after = (
        Inquiry.objects.filter(anonymised_at__isnull=False).count(),
        InquiryMessage.objects.count(),
        Inquiry.history.count(),
        ConsultationComment.objects.count(),
        OutboxMessage.objects.count(),
        Invitation.objects.count(),
    )
    assert before == after
    assert not PrivacyLog.objects.filter(action=PrivacyAction.PURGE).exists()


def test_purge_removes_exactly_the_expired_rows_with_their_history(world, municipality, other_municipality):
    old, older, recent, open_ = world["old"], world["older"], world["recent"], world["open"]
    kept_messages = InquiryMessage.objects.filter(inquiry__in=[recent, open_]).count()
    kept_history = Inquiry.history.filter(id__in=[recent.pk, open_.pk]).count()
    assert InquiryMessage.objects.filter(inquiry=old).exists() and Inquiry.history.filter(id=old.pk).exists()

    lines = retention.purge(user=SYSTEM, municipality=municipality, now=NOW, batch_size=1)

    for gone in (old, older):
        gone.refresh_from_db()
        assert gone.anonymised_at is not None
        assert (gone.subject, gone.body, gone.contact_name, gone.contact_email, gone.contact_phone) == (
            "—",
            "",
            "",
            "",
            "",
        )
        assert gone.token_hash == ""
        assert not InquiryMessage.objects.filter(inquiry=gone).exists()
        assert not Inquiry.history.filter(id=gone.pk).exists()
        # The statistics columns stay.
        assert gone.state == "closed" and gone.replied_at is not None and gone.channel == Channel.EMAIL
    for kept in (recent, open_):
        kept.refresh_from_db()
        assert kept.anonymised_at is None and kept.contact_email == "kari@example.no"
    assert InquiryMessage.objects.filter(inquiry__in=[recent, open_]).count() == kept_messages
    assert Inquiry.history.filter(id__in=[recent.pk, open_.pk]).count() == kept_history
    # Comments: the old consultation's go, the recent one's stay.
    assert not ConsultationComment.objects.filter(strategy=world["comments_old"]).exists()
    assert ConsultationComment.objects.filter(strategy=world["comments_new"]).count() == 1
    # Outbox: sent or failed long ago go; recent and pending stay.
    left = set(OutboxMessage.objects.filter(municipality=municipality).values_list("key", flat=True))
    assert left & {"a", "b", "c", "d"} == {"b", "c"}
    # Invitations of the survey closed 100 days ago go.
    assert not Invitation.objects.filter(survey=world["closed_survey"]).exists()
    assert Invitation.objects.filter(survey=world["running_survey"]).exists()
    # The other municipality is untouched.
    world["other_old"].refresh_from_db()
    assert world["other_old"].anonymised_at is None
    assert ConsultationComment.objects.filter(strategy=world["comments_other"]).exists()
    assert OutboxMessage.objects.filter(municipality=other_municipality).exists()
    # Counted and logged (counts only).
    mine = {line.kind.key: line.purged for line in lines}
    assert mine["inquiries.closed"] == 3 and mine["core.outbox"] == 2
    assert Inquiry.objects.get(pk=world["replied_old"].pk).anonymised_at is not None
    assert Inquiry.objects.get(pk=world["replied_new"].pk).anonymised_at is None
    entry = PrivacyLog.objects.get(action=PrivacyAction.PURGE, municipality=municipality)
    assert entry.counts["inquiries.closed"] == 3 and entry.actor == "system"
    # A second run finds nothing due.
    again = retention.purge(user=SYSTEM, municipality=municipality, now=NOW, dry_run=True)
    assert sum(line.due for line in again) == 0


def test_the_municipalitys_own_period_is_used(world, municipality):
    admin = make_staff(Role.ADMIN, municipality)
    retention.set_periods(municipality, {"inquiries.closed": 90}, user=admin)
    retention.purge(user=SYSTEM, municipality=municipality, now=NOW)
    world["recent"].refresh_from_db()  # closed 100 days ago: past 90 days
    assert world["recent"].anonymised_at is not None
    world["open"].refresh_from_db()
    assert world["open"].anonymised_at is None  # never an open inquiry


def test_dashboards_and_kpis_are_the_same_after_purging(world, municipality):
    rollups.rebuild(municipality.pk)
    before = _snapshot(municipality)
    retention.purge(user=SYSTEM, now=NOW)
    assert Inquiry.objects.filter(municipality=municipality, anonymised_at__isnull=False).count() == 3
    assert _snapshot(municipality) == before
    # A repair recount from the rows changes nothing either: the rows are still there.
    assert rollups.rebuild(municipality.pk) == 0
    assert _snapshot(municipality) == before


def test_platform_kinds(db):
    Session.objects.create(session_key="a" * 32, session_data="x", expire_date=NOW - timedelta(hours=1))
    Session.objects.create(session_key="b" * 32, session_data="x", expire_date=NOW + timedelta(hours=1))
    old = AccessLog.objects.create(username="kari", ip_address="10.0.0.1", user_agent="x", path_info="/")
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=days_ago(200))
    AccessLog.objects.create(username="ola", ip_address="10.0.0.2", user_agent="x", path_info="/")
    attempt = AccessAttempt.objects.create(
        username="kari", ip_address="10.0.0.1", user_agent="x", path_info="/", failures_since_start=1
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=days_ago(200))
    retention.purge(user=SYSTEM, now=NOW)
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["ola"]
    assert not AccessAttempt.objects.exists()
    assert PrivacyLog.objects.get(action=PrivacyAction.PURGE, municipality=None).counts["core.sessions"] == 1


def test_old_idempotency_records_go(municipality, desk_worker):
    i = inquiry(municipality)
    record = IdempotencyRecord.objects.create(user=desk_worker, key="k", request_hash="h", inquiry=i)
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=days_ago(2))
    IdempotencyRecord.objects.create(user=desk_worker, key="k2", request_hash="h", inquiry=i)
    retention.purge(user=SYSTEM, now=NOW, kind_keys=["inquiries.idempotency"])
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k2"]


def test_command_dry_run_report_and_municipality(world, municipality):
    out = StringIO()
    call_command("purge_personal_data", "--dry-run", "--municipality", municipality.number, stdout=out)
    text = out.getvalue()
    assert "DRY RUN" in text and "inquiries.closed" in text and "3999 Fjordvik" in text
    assert "Nabovik" not in text and "(platform)" not in text
    line = next(row for row in text.splitlines() if "inquiries.closed" in row)
    # The report shows the local (Oslo) date: after 22:00 UTC in summer it is the next day's.
    assert " 3 " in line and timezone.localdate(days_ago(900)).isoformat() in line
    assert Inquiry.objects.filter(anonymised_at__isnull=False).count() == 0
    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    assert Inquiry.objects.filter(anonymised_at__isnull=False).count() == 4  # both municipalities
    with pytest.raises(CommandError):
        call_command("purge_personal_data", "--municipality", "0000")


def test_nightly_task_runs_eagerly_without_a_broker(world, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER
    assert "privacy-purge-personal-data" in settings.CELERY_BEAT_SCHEDULE
    result = purge_personal_data.delay().get()
    assert result["3999:inquiries.closed"] == 3 and result["3998:inquiries.closed"] == 1


def test_admin_shows_rules_and_log_read_only(client, municipality):
    from django.contrib.auth import get_user_model

    operator = get_user_model().objects.create_superuser("operator", "op@example.no", "pass-for-tests-1")
    client.force_login(operator)
    retention.set_periods(municipality, {"inquiries.closed": 365}, user=operator)
    assert client.get("/admin/privacy/retentionrule/").status_code == 200
    assert client.get("/admin/privacy/privacylog/").status_code == 200
    rule = RetentionRule.objects.get()
    page = client.get(f"/admin/privacy/retentionrule/{rule.pk}/change/")
    assert page.status_code == 200 and b'name="days"' not in page.content  # shown, not editable
    assert client.get("/admin/privacy/privacylog/add/").status_code == 403
