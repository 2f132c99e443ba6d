"""Read queries of the inquiries module: staff queues and the dashboards (rollups only)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.catalogue.models import Service
from servicetorg.core import formatting
from servicetorg.core import permissions as core_permissions
from servicetorg.core.models import Unit
from servicetorg.core.permissions import Perm
from servicetorg.core.tenancy import scope
from servicetorg.core.workdays import add_working_days

from . import permissions, sql
from .models import (
    OPEN_STATES,
    ApiChannel,
    ApiClient,
    Attachment,
    BacklogStat,
    Compensation,
    DailyServiceStat,
    DailyStat,
    Handling,
    Inquiry,
    ReplyTimeStat,
    hash_token,
)
from .rollups import OVERFLOW_BUCKET, bucket_bounds

QUEUES = ("all", "overdue", "today", "tomorrow")

#: No key we issue is longer (``secrets.token_urlsafe(32)``: 43 characters); longer ones are not looked up.
API_KEY_MAX_LENGTH = 200


def api_client_for_key(key: str, *, channel: str) -> ApiClient | None:
    """The active API client of ``channel`` whose key this is, or None: the one place a key is looked
    up (issue 19 §4), for Open311's ``api_key`` and the REST API's ``Authorization: Api-Key`` alike.

    A key serves one channel only: an Open311 key (embedded in public apps) is no REST key, and the
    other way round. A REST client comes with its service account in ``client.user`` (active, with its
    memberships, and the municipality with its channel rules: one statement, see
    :func:`sql.client_and_account`); an Open311 client acts as no user.
    """
    if not key or len(key) > API_KEY_MAX_LENGTH:
        return None
    key_hash = hash_token(key)
    if channel == ApiChannel.REST:
        found = sql.client_and_account(key_hash)
        return found[1] if found is not None else None
    if channel == ApiChannel.OPEN311:
        return ApiClient.objects.filter(key_hash=key_hash, channel=channel, active=True).first()
    raise ValueError(channel)


WHOSE = ("mine", "unit", "all")


def staff_inquiries(user) -> QuerySet[Inquiry]:
    """The inquiries ``user`` may read (permissions.py: by role, unit and sensitivity)."""
    return permissions.visible(Inquiry.objects.all(), user)


def citizen_attachments(inquiry: Inquiry) -> QuerySet[Attachment]:
    """The files the holder of the case link sees: hers (web form, case page, Open311 upload) and
    those staff sent her with a reply. Every attachment belongs to a public message; an Open311
    client's media link is no file and is not listed."""
    return inquiry.attachments.exclude(file="")


def staff_attachments(inquiry: Inquiry) -> QuerySet[Attachment]:
    """An inquiry's attachments for staff who may read it (the caller got it through
    :func:`inquiry_for_staff`)."""
    return inquiry.attachments.select_related("author")


def inquiry_for_staff(user, pk) -> Inquiry:
    """One inquiry ``user`` may read, else 404 (what she may not read does not exist for her)."""
    from django.http import Http404

    inquiry = (
        staff_inquiries(user)
        .select_related("municipality", "service", "unit", "contact_person", "assigned_to", "registered_by")
        .filter(pk=pk)
        .first()
    )
    if inquiry is None:
        raise Http404
    return inquiry


def queue(
    user, *, which: str = "all", whose: str = "all", today: date | None = None, q: str = ""
) -> QuerySet:
    """Open inquiries of the user's municipalities, by deadline: overdue, due today, due tomorrow."""
    today = today or timezone.localdate()
    qs = staff_inquiries(user).filter(state__in=OPEN_STATES)
    if which == "overdue":
        qs = qs.filter(reply_deadline__lt=today)
    elif which == "today":
        qs = qs.filter(reply_deadline=today)
    elif which == "tomorrow":
        qs = qs.filter(reply_deadline=add_working_days(today, 1))
    qs = _whose(qs, user, whose)
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(reference__iexact=q.strip()) | Q(subject__icontains=q.strip()))
    return qs.select_related("service", "unit", "contact_person", "municipality").order_by(
        "reply_deadline", "received_at"
    )


def _whose(qs: QuerySet, user, whose: str) -> QuerySet:
    """Mine (contact person or case officer), my unit's, or all the user may see."""
    from django.db.models import Q

    if whose == "mine":
        return qs.filter(Q(contact_person=user) | Q(assigned_to=user))
    if whose == "unit":
        units = core_permissions.bound_unit_ids(user, Perm.INQUIRY_READ)
        if units is not None:
            return qs.filter(unit_id__in=units)
    return qs


def queue_counts(user, today: date | None = None, whose: str = "all") -> dict[str, int]:
    """How many open inquiries each deadline queue holds, with the same "whose" filter as the list."""
    from django.db.models import Count, Q

    today = today or timezone.localdate()
    tomorrow = add_working_days(today, 1)
    return _whose(staff_inquiries(user).filter(state__in=OPEN_STATES), user, whose).aggregate(
        all=Count("pk"),
        overdue=Count("pk", filter=Q(reply_deadline__lt=today)),
        today=Count("pk", filter=Q(reply_deadline=today)),
        tomorrow=Count("pk", filter=Q(reply_deadline=tomorrow)),
    )


def published_services_for(municipality_ids) -> QuerySet[Service]:
    qs = Service.objects.filter(state="published").order_by("name")
    if municipality_ids is not None:
        qs = qs.filter(municipality_id__in=municipality_ids)
    return qs


def compensations(user) -> QuerySet[Compensation]:
    return scope(
        Compensation.objects.select_related("inquiry", "inquiry__service", "municipality"),
        user,
        Perm.INQUIRY_ADMINISTER,
    )


# --- Dashboards: read only the rollup tables. -----------------------------------------------------


@dataclass
class Dashboard:
    start: date
    end: date
    total: int = 0
    replied: int = 0
    in_time: int = 0
    breached: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    by_handling: dict[str, int] = field(default_factory=dict)
    by_week: list[tuple[date, int]] = field(default_factory=list)
    by_service: list[tuple[str, int, int]] = field(default_factory=list)  # name, received, in time
    median_hours: float | None = None
    p90_hours: float | None = None
    backlog: list[tuple[str, int]] = field(default_factory=list)
    backlog_total: int = 0

    @property
    def in_time_share(self) -> float | None:
        return self.in_time / self.replied if self.replied else None

    @property
    def resolution_shares(self) -> list[tuple[str, int, float]]:
        labels = dict(Handling.choices)
        total = sum(self.by_handling.values()) or 1
        return [(labels.get(k, k), v, v / total) for k, v in self.by_handling.items()]

    @property
    def peak_week(self) -> tuple[date, int] | None:
        return max(self.by_week, key=lambda w: w[1]) if self.by_week else None


def percentile_from_histogram(counts: dict[int, int], fraction: float) -> float | None:
    """Estimate a percentile (hours) from bucket counts, interpolating inside the bucket."""
    total = sum(counts.values())
    if not total:
        return None
    target = fraction * total
    running = 0
    for bucket in range(OVERFLOW_BUCKET + 1):
        n = counts.get(bucket, 0)
        if n and running + n >= target:
            low, high = bucket_bounds(bucket)
            return low + (high - low) * ((target - running) / n)
        running += n
    return None


def dashboard(municipality_id: int, start: date, end: date, *, channel: str = "") -> Dashboard:
    """Figures for one municipality and period, from the rollups (cost independent of history)."""
    board = Dashboard(start=start, end=end)
    daily = DailyStat.objects.filter(municipality_id=municipality_id, day__gte=start, day__lte=end)
    if channel:
        daily = daily.filter(channel=channel)
    weeks: dict[date, int] = defaultdict(int)
    rows = daily.values("day", "channel", "handling").annotate(
        r=Sum("received"), rep=Sum("replied"), it=Sum("in_time"), b=Sum("breached")
    )
    for row in rows:
        board.total += row["r"]
        board.replied += row["rep"]
        board.in_time += row["it"]
        board.breached += row["b"]
        board.by_channel[row["channel"]] = board.by_channel.get(row["channel"], 0) + row["r"]
        board.by_handling[row["handling"]] = board.by_handling.get(row["handling"], 0) + row["r"]
        weeks[row["day"] - timedelta(days=row["day"].weekday())] += row["r"]
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        board.by_week.append((monday, weeks.get(monday, 0)))
        monday += timedelta(days=7)
    board.by_channel = dict(sorted(board.by_channel.items(), key=lambda kv: -kv[1]))
    order = [h.value for h in Handling]
    board.by_handling = {k: board.by_handling[k] for k in order if k in board.by_handling}

    if not channel:
        services = (
            DailyServiceStat.objects.filter(municipality_id=municipality_id, day__gte=start, day__lte=end)
            .values("service_key")
            .annotate(r=Sum("received"), it=Sum("in_time"))
            .order_by("-r")[:15]
        )
        services = list(services)
        names = dict(
            Service.objects.filter(
                pk__in=[s["service_key"] for s in services if s["service_key"]]
            ).values_list("pk", "name")
        )
        from django.utils.translation import gettext as _

        board.by_service = [
            (
                names.get(s["service_key"], _("Unknown service"))
                if s["service_key"]
                else _("Unknown service"),
                s["r"],
                s["it"],
            )
            for s in services
        ]
    hist = ReplyTimeStat.objects.filter(municipality_id=municipality_id, day__gte=start, day__lte=end)
    if channel:
        hist = hist.filter(channel=channel)
    counts = {row["bucket"]: row["n"] for row in hist.values("bucket").annotate(n=Sum("count"))}
    board.median_hours = percentile_from_histogram(counts, 0.5)
    board.p90_hours = percentile_from_histogram(counts, 0.9)

    backlog = list(
        BacklogStat.objects.filter(municipality_id=municipality_id)
        .values("unit_key")
        .annotate(n=Sum("open_count"))
        .filter(n__gt=0)
        .values_list("unit_key", "n")
    )
    units = dict(Unit.objects.filter(pk__in=[u for u, _n in backlog if u]).values_list("pk", "name"))
    from django.utils.translation import gettext as _

    # Inquiries not yet routed to a unit are with the desk; named so that they are not confused with
    # a unit that is itself called "Servicetorget".
    unrouted = _("Not routed to a unit (at the desk)")
    board.backlog = sorted(
        ((units.get(u, unrouted) if u else unrouted, n) for u, n in backlog),
        key=lambda x: -x[1],
    )
    board.backlog_total = sum(n for _u, n in backlog)
    return board


EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2100, 12, 31)


def check_period(start: date, end: date) -> None:
    """Refuse a dashboard period outside 1900–2100, backwards, or longer than DASHBOARD_MAX_DAYS
    (a dashboard's cost grows with its days and weeks)."""
    errors = {}
    for name, day in (("start", start), ("end", end)):
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            errors[name] = _("Choose a date between 1900 and 2100.")
    if not errors:
        if start > end:
            errors["end"] = _("The end date must be after the start date.")
        elif (end - start).days > settings.DASHBOARD_MAX_DAYS:
            errors["end"] = _("Choose a period of at most %(days)s days.") % {
                "days": formatting.number(settings.DASHBOARD_MAX_DAYS)
            }
    if errors:
        raise ValidationError(errors)


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today - timedelta(days=364), today


# --- The desk's lookup: "one door in" -------------------------------------------------------------

#: At most this many hits are shown (a search by name in a big municipality).
LOOKUP_LIMIT = 50


@dataclass(frozen=True)
class LookupHit:
    """What the desk may tell a citizen who calls about her case: that it exists, its status, the
    next step and who has it. No subject or text; for a sensitive service not even the service."""

    pk: int
    reference: str
    received_at: object
    state: str
    state_label: str
    next_step: str
    reply_deadline: date | None
    breached: bool
    unit: str
    contact_person: str
    contact_person_email: str
    service: str  # "" for a sensitive service
    sensitive: bool
    readable: bool  # she may open it (inquiries.read): a link to the case


def _phone_spellings(digits: str) -> list[str]:
    """The usual ways a Norwegian number is typed: 91234567, 912 34 567, 91 23 45 67, +47…, 0047…"""
    if digits.startswith("0047"):
        digits = digits[4:]
    elif digits.startswith("47") and len(digits) == 10:
        digits = digits[2:]
    local = {digits}
    if len(digits) == 8:
        local |= {
            f"{digits[:3]} {digits[3:5]} {digits[5:]}",
            f"{digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:]}",
            f"{digits[:4]} {digits[4:]}",
        }
    out = set(local)
    for spelling in local:
        out |= {f"+47{spelling}", f"+47 {spelling}", f"0047{spelling}", f"0047 {spelling}"}
    return sorted(out)


def _next_step(inquiry: Inquiry) -> str:
    from .models import State

    deadline = formatting.short_date(inquiry.reply_deadline) if inquiry.reply_deadline else ""
    if inquiry.state == State.NEW:
        return _("Not yet routed: the service desk answers or routes it (reply by %(date)s).") % {
            "date": deadline
        }
    if inquiry.state in (State.ROUTED, State.IN_PROGRESS):
        return _("The unit answers (reply by %(date)s).") % {"date": deadline}
    if inquiry.state == State.WAITING:
        return _("Waiting for the citizen to answer.")
    if inquiry.state == State.REPLIED:
        return _("Replied; to be closed.")
    return _("Closed; nothing more to do.")


def lookup(actor, query: str, *, limit: int = LOOKUP_LIMIT) -> list[LookupHit]:
    """Every inquiry of the actor's municipalities (``inquiries.lookup``) found by its reference,
    the citizen's e-mail, phone or full name, newest first, as :class:`LookupHit`.

    Exact matches on indexed columns only (reference unique; ``inq_lookup_email``/``_name`` on the
    lower-cased value; ``inq_lookup_phone`` on the spellings of :func:`_phone_spellings`), always
    within the municipalities where she holds the permission: other municipalities never leak.
    """
    import re

    from django.core.exceptions import PermissionDenied
    from django.db.models.functions import Lower

    from servicetorg.core.permissions import Perm, municipality_ids

    municipalities = municipality_ids(actor, Perm.INQUIRY_LOOKUP)
    if municipalities is not None and not municipalities:
        raise PermissionDenied
    query = " ".join(query.split())[:200]
    if len(query) < 3:
        return []
    qs = Inquiry.objects.all()
    if municipalities is not None:
        qs = qs.filter(municipality_id__in=sorted(municipalities))
    digits = re.sub(r"\D", "", query)
    if re.fullmatch(r"[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}", query) and (not query.isdigit()):
        raw = query.replace("-", "").upper()
        qs = qs.filter(reference=f"{raw[:4]}-{raw[4:]}")
    elif "@" in query:
        qs = qs.alias(email_lower=Lower("contact_email")).filter(email_lower=query.lower())
    elif re.fullmatch(r"[\d\s+().-]+", query) and 8 <= len(digits) <= 12:
        qs = qs.filter(contact_phone__in=_phone_spellings(digits))
    else:
        qs = qs.alias(name_lower=Lower("contact_name")).filter(name_lower=query.lower())
    # Sorted here, not in SQL: an ORDER BY received_at makes SQLite walk inq_tenant_received instead
    # of the exact lookup index. Exact matches are few; the cap keeps a common name bounded.
    rows = list(
        qs.select_related("service", "unit", "contact_person", "assigned_to").order_by()[: limit * 10]
    )
    rows = sorted(rows, key=lambda i: i.received_at, reverse=True)[:limit]
    hits = []
    for inquiry in rows:
        sensitive = inquiry.service is not None and inquiry.service.sensitive
        owner = inquiry.contact_person or inquiry.assigned_to
        hits.append(
            LookupHit(
                pk=inquiry.pk,
                reference=inquiry.reference,
                received_at=inquiry.received_at,
                state=inquiry.state,
                state_label=inquiry.get_state_display(),
                next_step=_next_step(inquiry),
                reply_deadline=inquiry.reply_deadline,
                breached=inquiry.breached,
                unit=inquiry.unit.name if inquiry.unit else _("Service desk"),
                contact_person=(owner.get_full_name() or owner.get_username()) if owner else "",
                contact_person_email=owner.email if owner else "",
                service="" if sensitive else (inquiry.service.name if inquiry.service else ""),
                sensitive=sensitive,
                readable=permissions.can_read(actor, inquiry),
            )
        )
    return hits
