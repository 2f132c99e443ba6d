"""The kommunetest's operations: plain, transactional functions used by the staff pages, the API,
the demo and the tests alike. Each takes the acting user and checks, in this order: the permission
(the roles matrix), the table (workflow.py: lock + apply), then its own rules.

A coordinator (``Perm.SERVICETEST_COORDINATE`` in the organiser) keeps the question bank and the
protocols, builds a round (questions, regions drawn by size band or added by code, testers with
their own municipality), starts it — the protocol's version and weights and each question are frozen
onto the round and its items, e-mail and phone items assigned to testers round-robin, never to a
tester of the region — closes it, approves or sends back items, and publishes. Testers
(``Perm.SERVICETEST_TEST``, enrolled) record their items. Scores come from ``scoring.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.core.models import Municipality
from servicetorg.core.permissions import SYSTEM, Perm, can, check_actor, require, user_of
from servicetorg.core.validators import is_digits

from . import access, regions, sampling, scoring
from .models import (
    Call,
    Device,
    Item,
    ItemChannel,
    ItemState,
    Protocol,
    Question,
    Reply,
    ReplyKind,
    Round,
    RoundRegion,
    RoundState,
    RoundTester,
    WebCheck,
)
from .workflow import APPROVE, CLOSE, ITEM_WORKFLOW, PUBLISH, RECORD, REOPEN, ROUND_WORKFLOW, SEND_BACK, START

QUESTION_FIELDS = ("channel", "area", "text", "answer_key", "rubric", "service", "fix_field", "active")
PROTOCOL_FIELDS = ("version", "description", "weight_web", "weight_phone", "weight_email")
ROUND_FIELDS = ("name", "protocol", "seed", "per_band")


def can_coordinate(user, municipality_id: int) -> bool:
    return can(user, Perm.SERVICETEST_COORDINATE, municipality_id)


def _coordinator(user, municipality_id: int) -> None:
    require(user, Perm.SERVICETEST_COORDINATE, municipality_id)


def _only(fields: Mapping, allowed: Sequence[str]) -> None:
    for name in fields:
        if name not in allowed:
            raise ValidationError({name: _("This field cannot be changed here.")})


def _save(obj, user):
    obj.full_clean()
    if hasattr(obj, "history"):
        obj._history_user = user_of(user)
    obj.save()
    return obj


def _remove(rows, user) -> None:
    """Delete the rows one by one, so that each history row records who removed it."""
    for row in rows:
        row._history_user = user_of(user)
        row.delete()


def _draft(round_: Round) -> None:
    if round_.state != RoundState.DRAFT:
        raise ValidationError(_("The round has started: its questions, regions and protocol are frozen."))


# --- Question bank and protocols -----------------------------------------------------------------


@transaction.atomic
def create_question(municipality: Municipality, *, user, **fields) -> Question:
    _coordinator(user, municipality.pk)
    _only(fields, QUESTION_FIELDS)
    return _save(Question(municipality=municipality, **fields), user)


@transaction.atomic
def update_question(question: Question, *, user, **fields) -> Question:
    _coordinator(user, question.municipality_id)
    _only(fields, QUESTION_FIELDS)
    for name, value in fields.items():
        setattr(question, name, value)
    return _save(question, user)  # rounds already started keep their copy on the items


@transaction.atomic
def create_protocol(municipality: Municipality, *, user, **fields) -> Protocol:
    _coordinator(user, municipality.pk)
    _only(fields, PROTOCOL_FIELDS)
    return _save(Protocol(municipality=municipality, **fields), user)


@transaction.atomic
def update_protocol(protocol: Protocol, *, user, **fields) -> Protocol:
    _coordinator(user, protocol.municipality_id)
    _only(fields, PROTOCOL_FIELDS)
    protocol = Protocol.objects.select_for_update().get(pk=protocol.pk)
    if protocol.frozen_at:
        raise ValidationError(
            _("This protocol was frozen when a round using it started. Make a new version instead.")
        )
    for name, value in fields.items():
        setattr(protocol, name, value)
    return _save(protocol, user)


# --- Rounds in draft -------------------------------------------------------------------------------


def _check_round_fields(municipality_id: int, fields: Mapping) -> None:
    protocol = fields.get("protocol")
    if protocol is not None and protocol.municipality_id != municipality_id:
        raise ValidationError({"protocol": _("The protocol belongs to another municipality.")})


@transaction.atomic
def create_round(municipality: Municipality, *, user, questions: Iterable[Question] = (), **fields) -> Round:
    _coordinator(user, municipality.pk)
    _only(fields, ROUND_FIELDS)
    _check_round_fields(municipality.pk, fields)
    round_ = _save(Round(municipality=municipality, **fields), user)
    set_questions(round_, questions, user=user)
    return round_


@transaction.atomic
def update_round(round_: Round, *, user, questions: Iterable[Question] | None = None, **fields) -> Round:
    _coordinator(user, round_.municipality_id)
    _only(fields, ROUND_FIELDS)
    round_ = ROUND_WORKFLOW.lock(round_, reload=True)
    _draft(round_)
    _check_round_fields(round_.municipality_id, fields)
    for name, value in fields.items():
        setattr(round_, name, value)
    _save(round_, user)
    if questions is not None:
        set_questions(round_, questions, user=user)
    return round_


@transaction.atomic
def set_questions(round_: Round, questions: Iterable[Question], *, user) -> None:
    _coordinator(user, round_.municipality_id)
    _draft(round_)
    questions = list(questions)
    if any(q.municipality_id != round_.municipality_id for q in questions):
        raise ValidationError({"questions": _("A question belongs to another municipality's bank.")})
    round_.questions.set(questions)


@transaction.atomic
def draw_regions(
    round_: Round, *, user, candidates: Iterable[sampling.Candidate] | None = None
) -> list[RoundRegion]:
    """Replace the round's drawn regions by a sample by size band from the register (or from
    ``candidates``), with the round's seed; regions added by hand stay, and the organising
    municipality is never drawn (testing itself is a choice made by hand). The note records how."""
    _coordinator(user, round_.municipality_id)
    round_ = ROUND_WORKFLOW.lock(round_, reload=True)
    _draft(round_)
    pool = list(regions.candidates() if candidates is None else candidates)
    if not pool:
        raise ValidationError(
            _("The municipality register is empty: load it first (load_municipality_registry).")
        )
    manual = set(round_.regions.filter(band="").values_list("code", flat=True))
    round_.regions.exclude(band="").delete()
    organiser = Municipality.objects.filter(pk=round_.municipality_id).values_list("number", flat=True).get()
    drawn, note = sampling.draw(
        pool, per_band=round_.per_band, seed=round_.seed, exclude=manual | {organiser}
    )
    created = [
        RoundRegion.objects.create(
            round=round_, code=c.code, name=c.name, population=c.population, band=band or sampling.NO_BAND
        )
        for c, band in drawn
    ]
    round_.sampling_note = note
    _save(round_, user)
    return created


@transaction.atomic
def add_region(
    round_: Round, *, user, code: str, name: str = "", population: int | None = None
) -> RoundRegion:
    """Add a region by its code (a tenant taking part, a region chosen on purpose)."""
    _coordinator(user, round_.municipality_id)
    round_ = ROUND_WORKFLOW.lock(round_, reload=True)
    _draft(round_)
    code = (code or "").strip()
    if not (len(code) == 4 and is_digits(code)):
        raise ValidationError({"code": _("Give the region's four-digit code.")})
    if round_.regions.filter(code=code).exists():
        raise ValidationError({"code": _("The round already tests this region.")})
    if not name:
        name = regions.names([code]).get(code) or (
            Municipality.objects.filter(number=code).values_list("name", flat=True).first() or ""
        )
    if not name:
        raise ValidationError({"code": _("No region with this code in the register.")})
    if population is None:
        population = regions.population(code)
    return RoundRegion.objects.create(round=round_, code=code, name=name, population=population, band="")


@transaction.atomic
def remove_region(region: RoundRegion, *, user) -> None:
    _coordinator(user, region.round.municipality_id)
    round_ = ROUND_WORKFLOW.lock(region.round)
    _draft(round_)
    region.delete()


@transaction.atomic
def enrol_tester(round_: Round, *, user, tester, home_code: str) -> RoundTester:
    """Enrol a tester, with the code of her own municipality (she never tests it)."""
    _coordinator(user, round_.municipality_id)
    round_ = ROUND_WORKFLOW.lock(round_, reload=True)
    if round_.state == RoundState.PUBLISHED:
        raise ValidationError(_("The round is published."))
    if not can(tester, Perm.SERVICETEST_TEST, round_.municipality_id):
        raise ValidationError({"tester": _("She is not a tester of this municipality.")})
    home_code = (home_code or "").strip()
    if not (len(home_code) == 4 and is_digits(home_code)):
        raise ValidationError({"home_code": _("Give the four-digit code of her own municipality.")})
    enrolment = RoundTester.objects.filter(round=round_, user=tester).first() or RoundTester(
        round=round_, user=tester
    )
    enrolment.home_code = home_code
    return _save(enrolment, user)  # with its history: the record behind "never her own municipality"


def _eligible(round_: Round, enrolments: Sequence[RoundTester]) -> dict[int, set[str]]:
    """tester id -> the codes she may not test."""
    return {e.user_id: access.own_codes(e.user, round_) for e in enrolments}


@transaction.atomic
def start_round(round_: Round, *, user) -> Round:
    """Freeze the protocol (version, weights) and the questions onto the round, create an item per
    region and question, and assign the e-mail and phone items to testers round-robin (never to a
    tester of the region)."""
    _coordinator(user, round_.municipality_id)
    round_ = ROUND_WORKFLOW.lock(round_, reload=True)
    ROUND_WORKFLOW.apply(round_, START)
    tested = list(round_.regions.order_by("code"))
    questions = list(round_.questions.order_by("channel", "area", "pk"))
    enrolments = list(RoundTester.objects.filter(round=round_).select_related("user").order_by("pk"))
    if not tested:
        raise ValidationError(_("Choose the regions to test first."))
    if not questions:
        raise ValidationError(_("Choose the questions first."))
    if not enrolments:
        raise ValidationError(_("Enrol the testers first."))
    protocol = Protocol.objects.select_for_update().get(pk=round_.protocol_id)
    protocol.clean()
    now = timezone.now()
    if protocol.frozen_at is None:
        protocol.frozen_at = now
        protocol.save(update_fields=["frozen_at"])
    round_.protocol_version = protocol.version
    round_.weights = protocol.weights()
    round_.started_at = now
    barred = _eligible(round_, enrolments)
    turn = 0
    items = []
    for region in tested:
        for question in questions:
            tester = None
            if question.channel != ItemChannel.WEB:
                candidates = [e.user for e in enrolments if region.code not in barred[e.user_id]]
                if not candidates:
                    raise ValidationError(
                        _("No tester may test %(region)s: every tester is from there.")
                        % {"region": region.name}
                    )
                tester = candidates[turn % len(candidates)]
                turn += 1
            items.append(
                Item(
                    round=round_,
                    region=region,
                    question=question,
                    channel=question.channel,
                    area=question.area,
                    text=question.text,
                    answer_key=question.answer_key,
                    rubric=question.criteria(),
                    fix_field=question.fix_field,
                    service_slug=question.service.slug if question.service_id else "",
                    tester=tester,
                )
            )
    Item.objects.bulk_create(items)
    _save(round_, user)
    return round_


@transaction.atomic
def assign_item(item: Item, *, user, tester) -> Item:
    _coordinator(user, item.round.municipality_id)
    item = ITEM_WORKFLOW.lock(item, reload=True)
    if item.channel == ItemChannel.WEB:
        raise ValidationError(_("Web items are checked by any two testers; they are not assigned."))
    enrolment = RoundTester.objects.filter(round_id=item.round_id, user=tester).first()
    if enrolment is None:
        raise ValidationError({"tester": _("She is not enrolled in this round.")})
    if item.region.code in access.own_codes(tester, item.round):
        raise ValidationError({"tester": _("A tester never tests her own municipality.")})
    item.tester = tester
    return _save(item, user)


# --- Recording items ---------------------------------------------------------------------------


def _tester_may(item: Item, user) -> None:
    """The permission first: a tester of the organiser, enrolled in the round, never her own
    municipality, and (e-mail, phone) the tester the item is assigned to."""
    check_actor(user)
    require(user, Perm.SERVICETEST_TEST, item.round.municipality_id)
    if user is not SYSTEM:
        round_ = item.round
        if not RoundTester.objects.filter(round=round_, user=user).exists():
            raise PermissionDenied
        if item.region.code in access.own_codes(user, round_):
            raise PermissionDenied
        if item.channel != ItemChannel.WEB and item.tester_id != user.pk:
            raise PermissionDenied


def _running(item: Item) -> None:
    if Round.objects.filter(pk=item.round_id).values_list("state", flat=True).get() != RoundState.RUNNING:
        raise ValidationError(_("The round is not being tested."))


def _criteria(item: Item, criteria_met: Sequence[bool]) -> list[bool]:
    met = [bool(v) for v in criteria_met][: len(item.rubric)]
    return met + [False] * (len(item.rubric) - len(met))


def _aware(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValidationError(_("Give the time with its time zone."))
    return moment


def email_result(item: Item) -> scoring.EmailResult:
    replies = [scoring.EmailReply(r.at, r.kind, r.promised_by) for r in item.replies.all()]
    return scoring.email_score(item.sent_at, replies, item.quality())


def phone_result(item: Item) -> scoring.PhoneResult:
    calls = [scoring.CallAttempt(c.at, c.wait_seconds, c.answered) for c in item.calls.all()]
    return scoring.phone_score(
        calls,
        item.quality(),
        transfers=item.transfers,
        callback_promised=item.callback_promised,
        callback_kept=item.callback_kept,
    )


def _device_verdicts(item: Item) -> dict[str, list[bool]]:
    verdicts: dict[str, list[bool]] = {Device.DESKTOP: [], Device.MOBILE: []}
    for check in item.checks.order_by("created_at", "pk"):
        verdicts[check.device].append(bool(check.found and check.seconds <= scoring.WEB_TIMER_SECONDS))
    return verdicts


@transaction.atomic
def record_email(
    item: Item,
    *,
    user,
    sent_at: datetime,
    replies: Iterable[Mapping] = (),
    criteria_met: Sequence[bool] = (),
    evidence: str = "",
    inquiry_reference: str = "",
) -> Item:
    """Record an e-mail item: when the question was sent, each reply (kind, time, promised date,
    excerpt), the rubric's criteria the answer met and the evidence; scores it."""
    _tester_may(item, user)
    item = ITEM_WORKFLOW.lock(item, reload=True)
    _running(item)
    if item.channel != ItemChannel.EMAIL:
        raise ValidationError(_("This is not an e-mail item."))
    item.sent_at = _aware(sent_at)
    _remove(item.replies.all(), user)
    for reply in replies:
        at = _aware(reply["at"])
        if at < item.sent_at:
            raise ValidationError({"replies": _("A reply cannot come before the question was sent.")})
        if reply.get("kind") not in ReplyKind.values:
            raise ValidationError({"replies": _("Unknown kind of reply.")})
        row = Reply(
            item=item,
            kind=reply["kind"],
            at=at,
            promised_by=reply.get("promised_by"),
            excerpt=(reply.get("excerpt") or "")[:4000],
        )
        _save(row, user)
    item.criteria_met = _criteria(item, criteria_met)
    item.evidence = evidence
    item.inquiry_reference = (inquiry_reference or "").strip()[:40]
    result = email_result(item)
    item.score = result.score
    item.detail = {
        "working_days": result.working_days,
        "time_points": result.time_points,
        "quality_points": result.quality_points,
        "reason": result.reason,
    }
    ITEM_WORKFLOW.apply(item, RECORD)
    item.recorded_at = timezone.now()
    return _save(item, user)


@transaction.atomic
def record_phone(
    item: Item,
    *,
    user,
    calls: Iterable[Mapping],
    criteria_met: Sequence[bool] = (),
    transfers: int = 0,
    callback_promised: bool = False,
    callback_kept: bool = False,
    evidence: str = "",
) -> Item:
    """Record a phone item: each call (time, wait in seconds, answered), the handling (criteria
    met, transfers, call-back) and the evidence; scores it. A call outside 09:30–15:00 on a working
    day is refused."""
    _tester_may(item, user)
    item = ITEM_WORKFLOW.lock(item, reload=True)
    _running(item)
    if item.channel != ItemChannel.PHONE:
        raise ValidationError(_("This is not a phone item."))
    calls = list(calls)
    if not calls:
        raise ValidationError({"calls": _("Record at least one call.")})
    _remove(item.calls.all(), user)
    for call in calls:
        at = _aware(call["at"])
        problem = scoring.attempt_problem(at)
        if problem:
            raise ValidationError(
                {
                    "calls": _("Calls count only between 09:30 and 15:00 on working days (%(at)s).")
                    % {"at": timezone.localtime(at).strftime("%d.%m.%Y %H:%M")}
                }
            )
        row = Call(
            item=item,
            at=at,
            wait_seconds=int(call["wait_seconds"]),
            answered=bool(call.get("answered")),
            note=(call.get("note") or "")[:500],
        )
        _save(row, user)
    item.criteria_met = _criteria(item, criteria_met)
    item.transfers = max(0, int(transfers))
    item.callback_promised = bool(callback_promised)
    item.callback_kept = bool(callback_kept) and bool(callback_promised)
    item.evidence = evidence
    result = phone_result(item)
    item.score = result.score
    item.detail = {
        "attempt": result.attempt,
        "wait_points": result.wait_points,
        "handling_points": result.handling_points,
        "reason": result.reason,
        "ignored": list(result.ignored),
    }
    ITEM_WORKFLOW.apply(item, RECORD)
    item.recorded_at = timezone.now()
    return _save(item, user)


@transaction.atomic
def record_web_check(
    item: Item, *, user, device: str, found: bool, seconds: int, url: str = "", evidence: str = ""
) -> WebCheck:
    """One tester's check of a web item on one device. The item is recorded (and scored) once both
    devices have a verdict: two testers agreeing, or a third deciding."""
    _tester_may(item, user)
    item = ITEM_WORKFLOW.lock(item, reload=True)
    _running(item)
    if item.channel != ItemChannel.WEB:
        raise ValidationError(_("This is not a web item."))
    if device not in Device.values:
        raise ValidationError({"device": _("Unknown device.")})
    if item.checks.filter(tester_id=user.pk, device=device).exists():
        raise ValidationError({"device": _("You have already checked this item on this device.")})
    verdicts = _device_verdicts(item)
    if scoring.web_device_verdict(verdicts[device]) is not None:
        raise ValidationError({"device": _("This device already has its verdict.")})
    tester = user_of(user)
    if tester is None:
        raise ValidationError(_("A web check is a tester's own."))
    check = WebCheck(item=item, tester=tester, device=device, found=bool(found), seconds=seconds, url=url)
    _save(check, user)
    if evidence:
        item.evidence = (item.evidence + "\n" + evidence).strip()
    verdicts = _device_verdicts(item)
    score = scoring.web_score(verdicts[Device.DESKTOP], verdicts[Device.MOBILE])
    if score is not None:
        item.score = score
        item.criteria_met = [score == 100] * len(item.rubric)
        item.detail = {
            "desktop": scoring.web_device_verdict(verdicts[Device.DESKTOP]),
            "mobile": scoring.web_device_verdict(verdicts[Device.MOBILE]),
            "checks": {d: len(v) for d, v in verdicts.items()},
        }
        ITEM_WORKFLOW.apply(item, RECORD)
        item.recorded_at = timezone.now()
    _save(item, user)
    return check


# --- Review and publishing -----------------------------------------------------------------------


@transaction.atomic
def approve_item(item: Item, *, user) -> Item:
    _coordinator(user, item.round.municipality_id)
    item = ITEM_WORKFLOW.lock(item, reload=True)
    ITEM_WORKFLOW.apply(item, APPROVE)
    if item.round.state == RoundState.PUBLISHED:
        raise ValidationError(_("The round is published."))
    return _save(item, user)


@transaction.atomic
def send_back_item(item: Item, *, user) -> Item:
    _coordinator(user, item.round.municipality_id)
    item = ITEM_WORKFLOW.lock(item, reload=True)
    ITEM_WORKFLOW.apply(item, SEND_BACK)
    if item.round.state == RoundState.PUBLISHED:
        raise ValidationError(_("The round is published."))
    if item.channel == ItemChannel.WEB:  # checked again from the start, by two testers
        _remove(item.checks.all(), user)
        item.score = None
        item.detail = {}
    return _save(item, user)


@transaction.atomic
def approve_recorded(round_: Round, *, user) -> int:
    """Approve every recorded item of a round under review."""
    _coordinator(user, round_.municipality_id)
    round_ = ROUND_WORKFLOW.lock(round_, reload=True)
    if round_.state != RoundState.REVIEW:
        raise ValidationError(_("Items are approved when the testing is closed."))
    count = 0
    for item in round_.items.filter(state=ItemState.RECORDED).order_by("pk"):
        approve_item(item, user=user)
        count += 1
    return count


@transaction.atomic
def close_round(round_: Round, *, user) -> Round:
    _coordinator(user, round_.municipality_id)
    round_ = ROUND_WORKFLOW.lock(round_, reload=True)
    ROUND_WORKFLOW.apply(round_, CLOSE)
    return _save(round_, user)


@transaction.atomic
def reopen_round(round_: Round, *, user) -> Round:
    _coordinator(user, round_.municipality_id)
    round_ = ROUND_WORKFLOW.lock(round_, reload=True)
    ROUND_WORKFLOW.apply(round_, REOPEN)
    return _save(round_, user)


def round_kappa(round_: Round) -> float | None:
    """Cohen's κ of the first two testers' verdicts on every web item and device of the round."""
    pairs = []
    for item in round_.items.filter(channel=ItemChannel.WEB).prefetch_related("checks"):
        for device in Device.values:
            checks = sorted(
                (c for c in item.checks.all() if c.device == device), key=lambda c: (c.created_at, c.pk)
            )
            if len(checks) >= 2:
                verdict = [bool(c.found and c.seconds <= scoring.WEB_TIMER_SECONDS) for c in checks[:2]]
                pairs.append((verdict[0], verdict[1]))
    return scoring.cohen_kappa(pairs)


def region_scores(round_: Round) -> dict[int, scoring.RegionResult]:
    """Each tested region's result from its scored items, with the round's frozen weights."""
    items: dict[int, list[scoring.ItemScore]] = {r.pk: [] for r in round_.regions.all()}
    for region_id, area, channel, score in round_.items.exclude(score=None).values_list(
        "region_id", "area", "channel", "score"
    ):
        items[region_id].append(scoring.ItemScore(area, channel, score))
    weights = round_.weights or scoring.DEFAULT_WEIGHTS
    return {pk: scoring.region_result(rows, weights) for pk, rows in items.items()}


@transaction.atomic
def publish_round(round_: Round, *, user) -> Round:
    """Publish: every item approved; each region's result computed and stored, the web testers' κ,
    and the test inquiries flagged at each tested tenant so the desk's figures leave them out."""
    _coordinator(user, round_.municipality_id)
    round_ = ROUND_WORKFLOW.lock(round_, reload=True)
    ROUND_WORKFLOW.apply(round_, PUBLISH)
    if round_.items.exclude(state=ItemState.APPROVED).exists():
        raise ValidationError(_("Approve every item before publishing."))
    results = region_scores(round_)
    for region in round_.regions.all():
        result = results[region.pk]
        region.total = result.total
        region.approved = result.approved
        region.by_channel = result.by_channel
        region.by_area = result.by_area
        region.save(update_fields=["total", "approved", "by_channel", "by_area"])
    round_.kappa = round_kappa(round_)
    round_.published_at = timezone.now()
    _save(round_, user)
    _flag_test_inquiries(round_)
    return round_


def _flag_test_inquiries(round_: Round) -> None:
    """The platform's own consequence of publishing (the coordinator holds no rights at the tested
    tenants): their inquiries with the references the testers noted become test inquiries."""
    from servicetorg.inquiries import services as inquiry_services

    references: dict[str, list[str]] = {}
    for code, reference in round_.items.exclude(inquiry_reference="").values_list(
        "region__code", "inquiry_reference"
    ):
        references.setdefault(code, []).append(reference)
    for tenant in Municipality.objects.filter(number__in=list(references)):
        inquiry_services.mark_test_inquiries(tenant, references[tenant.number], user=SYSTEM)


# --- From a failed web item to the catalogue and the strategy ------------------------------------


def failed_web_items(region: RoundRegion):
    return region.items.filter(channel=ItemChannel.WEB, score__lt=100).order_by("area", "pk")


def tenant_of(region: RoundRegion) -> Municipality | None:
    return Municipality.objects.filter(number=region.code).first()


@transaction.atomic
def make_measure(item: Item, *, user, focus_area, title: str = "", due_date: date | None = None):
    """Make a failed web item of a published round a measure in the tested municipality's strategy
    (strategy's own service, with the acting user: she needs ``Perm.STRATEGY_EDIT`` there)."""
    from servicetorg.strategy import services as strategy_services

    check_actor(user)
    if item.round.state != RoundState.PUBLISHED or item.channel != ItemChannel.WEB:
        raise ValidationError(_("Only a failed web item of a published round becomes a measure."))
    if focus_area.strategy.municipality.number != item.region.code:
        raise ValidationError({"focus_area": _("The strategy belongs to another municipality.")})
    title = (title or _("Kommunetest: make “%(question)s” easy to find") % {"question": item.text[:150]})[
        :250
    ]
    description = _(
        "From the kommunetest «%(round)s» (protocol %(version)s): the answer was not found within two "
        "minutes. Expected answer: %(key)s"
    ) % {"round": item.round.name, "version": item.round.protocol_version, "key": item.answer_key}
    if item.fix_field:
        description += "\n" + _("Catalogue field that would fix it: %(field)s") % {"field": item.fix_field}
    return strategy_services.add_measure(
        focus_area, title=title, description=description, due_date=due_date, user=user
    )
