"""The kommunetest's scoring rules, as pure functions (no database): e-mail, phone and web items, the
agreement between web testers (Cohen's κ) and a region's weighted total.

The rules follow Forbrukerrådet's kommunetest (2005–2019) as issue 23 states them; where the text was
silent the choice is written down here and in docs/servicetest.md.

**E-mail** (``email_score``): 40 % time, 60 % quality by the rubric. Time counts in working days
(core.workdays, Norwegian holidays) from the local date the test e-mail was sent to the local date of
the answer: ≤ 1 working day 100, ≤ 2 75, ≤ 5 50, else 0. An answer more than 10 working days after
sending scores nothing at all, and so does no answer. An automatic receipt is never an answer. A
preliminary reply that names a date counts as the answer's time (for the time points and for the
10-day limit) when the real answer comes by that date; the quality is always the real answer's.

**Phone** (``phone_score``): attempts only on working days between 09:30 and 15:00 (Oslo time); at most
two, on different days (others are ignored). An attempt whose wait exceeds 4 minutes fails, as does
one nobody answers; the first attempt that reaches someone is scored. 30 % wait (≤ 30 s 100,
≤ 60 s 75, ≤ 120 s 50, ≤ 240 s 25; reached only at the second attempt: at most 50), 70 % handling:
the rubric's quality, × 0.8 for two transfers and × 0.6 for three or more (one transfer is free); a
promised call-back that was not kept makes the handling 0 (a kept one is scored as the answer).

**Web** (``web_device_verdict``, ``web_score``): each tester looks for the answer on desktop and on
mobile with a 2-minute timer; a device passes when the first two testers agree it passed, or, when
they disagree, the third tester decides. The item scores 100 × the share of devices that passed.

**Total** (``region_result``): per channel the mean of its areas' means (each area weighs the same),
channels weighted by the protocol's weights (renormalised over the channels with scored items),
0–100, «godkjent» at ≥ 67.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from servicetorg.core.workdays import is_working_day, working_days_between

OSLO = ZoneInfo("Europe/Oslo")

EMAIL = "email"
PHONE = "phone"
WEB = "web"
CHANNELS = (EMAIL, PHONE, WEB)

#: Default channel weights of a protocol (percent).
DEFAULT_WEIGHTS = {WEB: 40, PHONE: 30, EMAIL: 30}
#: «Godkjent» from this total.
PASS_MARK = 67

EMAIL_TIME_SHARE = 0.4
EMAIL_QUALITY_SHARE = 0.6
#: (at most this many working days, time points)
EMAIL_TIME_STEPS = ((1, 100), (2, 75), (5, 50))
EMAIL_CUTOFF_DAYS = 10

PHONE_WAIT_SHARE = 0.3
PHONE_HANDLING_SHARE = 0.7
PHONE_OPENS = time(9, 30)
PHONE_CLOSES = time(15, 0)
PHONE_MAX_WAIT = 240  # seconds: a longer wait fails the attempt
PHONE_MAX_ATTEMPTS = 2
#: (at most this many seconds of waiting, wait points)
PHONE_WAIT_STEPS = ((30, 100), (60, 75), (120, 50), (240, 25))
PHONE_RETRY_WAIT_CAP = 50

WEB_TIMER_SECONDS = 120

RECEIPT = "receipt"
PRELIMINARY = "preliminary"
ANSWER = "answer"


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("aware datetimes only (store UTC)")
    return moment.astimezone(OSLO)


def _clamp(value: float) -> float:
    return max(0.0, min(100.0, float(value)))


# --- e-mail -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailReply:
    """One message back from the municipality: an automatic receipt, a preliminary reply (with the
    date it promises the answer by, if any) or the answer."""

    at: datetime
    kind: str = ANSWER
    promised_by: date | None = None


@dataclass(frozen=True)
class EmailResult:
    score: float
    time_points: float
    quality_points: float
    working_days: int | None  # working days to the reply that counted; None: no answer
    reason: str  # "answered", "preliminary_kept", "no_answer", "too_late"


def email_time_points(working_days: int) -> int:
    """Time points for an answer after ``working_days`` working days (0 beyond 5)."""
    for limit, points in EMAIL_TIME_STEPS:
        if working_days <= limit:
            return points
    return 0


def email_score(sent_at: datetime, replies: Iterable[EmailReply], quality: float) -> EmailResult:
    """Score one e-mail item. ``quality`` is the rubric's score of the answer, 0–100."""
    sent_day = _local(sent_at).date()
    replies = sorted(replies, key=lambda r: r.at)
    answer = next((r for r in replies if r.kind == ANSWER and r.at >= sent_at), None)
    if answer is None:
        return EmailResult(0.0, 0.0, 0.0, None, "no_answer")
    answer_day = _local(answer.at).date()
    counted_day, reason = answer_day, "answered"
    for reply in replies:
        if reply.kind != PRELIMINARY or reply.at > answer.at or reply.promised_by is None:
            continue
        if answer_day <= reply.promised_by:
            counted_day, reason = _local(reply.at).date(), "preliminary_kept"
            break
    days = max(0, working_days_between(sent_day, counted_day))
    if days > EMAIL_CUTOFF_DAYS:
        return EmailResult(0.0, 0.0, 0.0, days, "too_late")
    time_points = EMAIL_TIME_SHARE * email_time_points(days)
    quality_points = EMAIL_QUALITY_SHARE * _clamp(quality)
    return EmailResult(round(time_points + quality_points, 2), time_points, quality_points, days, reason)


# --- phone ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallAttempt:
    """One call: when it was made, how long the tester waited (seconds) and whether someone answered
    (within the wait)."""

    at: datetime
    wait_seconds: int
    answered: bool


@dataclass(frozen=True)
class PhoneResult:
    score: float
    wait_points: float
    handling_points: float
    attempt: int | None  # 1 or 2: the attempt scored; None: not reached
    reason: str  # "reached", "not_reached", "callback_broken"
    ignored: tuple[int, ...] = field(default_factory=tuple)  # indexes of attempts that did not count


def attempt_problem(at: datetime) -> str | None:
    """Why a call at ``at`` does not count ("not_working_day", "outside_hours"), or None."""
    local = _local(at)
    if not is_working_day(local.date()):
        return "not_working_day"
    if not (PHONE_OPENS <= local.time() <= PHONE_CLOSES):
        return "outside_hours"
    return None


def phone_wait_points(wait_seconds: int) -> int:
    for limit, points in PHONE_WAIT_STEPS:
        if wait_seconds <= limit:
            return points
    return 0


def transfer_factor(transfers: int) -> float:
    if transfers <= 1:
        return 1.0
    if transfers == 2:
        return 0.8
    return 0.6


def counted_attempts(attempts: Sequence[CallAttempt]) -> tuple[list[tuple[int, CallAttempt]], list[int]]:
    """The attempts that count (in the window, on a working day, each on a new day, at most two), as
    (index, attempt), and the indexes of those that do not."""
    order = sorted(range(len(attempts)), key=lambda i: attempts[i].at)
    kept: list[tuple[int, CallAttempt]] = []
    ignored: list[int] = []
    days: set[date] = set()
    for i in order:
        attempt = attempts[i]
        day = _local(attempt.at).date()
        if attempt_problem(attempt.at) or day in days or len(kept) >= PHONE_MAX_ATTEMPTS:
            ignored.append(i)
            continue
        days.add(day)
        kept.append((i, attempt))
    return kept, sorted(ignored)


def phone_score(
    attempts: Sequence[CallAttempt],
    quality: float,
    *,
    transfers: int = 0,
    callback_promised: bool = False,
    callback_kept: bool = False,
) -> PhoneResult:
    """Score one phone item. ``quality`` is the rubric's score of the answer given, 0–100."""
    kept, ignored = counted_attempts(attempts)
    for number, (_index, attempt) in enumerate(kept, start=1):
        if attempt.answered and attempt.wait_seconds <= PHONE_MAX_WAIT:
            wait = phone_wait_points(attempt.wait_seconds)
            if number > 1:
                wait = min(wait, PHONE_RETRY_WAIT_CAP)
            wait_points = PHONE_WAIT_SHARE * wait
            if callback_promised and not callback_kept:
                return PhoneResult(
                    round(wait_points, 2), wait_points, 0.0, number, "callback_broken", tuple(ignored)
                )
            handling = PHONE_HANDLING_SHARE * _clamp(quality) * transfer_factor(max(0, transfers))
            return PhoneResult(
                round(wait_points + handling, 2), wait_points, handling, number, "reached", tuple(ignored)
            )
    return PhoneResult(0.0, 0.0, 0.0, None, "not_reached", tuple(ignored))


# --- web --------------------------------------------------------------------------------------


def web_device_verdict(verdicts: Sequence[bool]) -> bool | None:
    """A device's verdict from its testers' verdicts in the order they were given: the first two
    when they agree, else the third; None while undecided (fewer than two, or two that disagree)."""
    if len(verdicts) < 2:
        return None
    if verdicts[0] == verdicts[1]:
        return bool(verdicts[0])
    if len(verdicts) >= 3:
        return bool(verdicts[2])
    return None


def web_score(desktop: Sequence[bool], mobile: Sequence[bool]) -> float | None:
    """100 × the share of the two devices that passed; None while a device is undecided."""
    verdicts = [web_device_verdict(desktop), web_device_verdict(mobile)]
    if any(v is None for v in verdicts):
        return None
    return 100.0 * sum(1 for v in verdicts if v) / 2


def cohen_kappa(pairs: Iterable[tuple[bool, bool]]) -> float | None:
    """Cohen's κ of two raters' yes/no verdicts; None without pairs. When both raters always gave the
    same single verdict (expected agreement 1) κ is taken as 1."""
    pairs = list(pairs)
    n = len(pairs)
    if n == 0:
        return None
    agree = sum(1 for a, b in pairs if a == b) / n
    first_yes = sum(1 for a, _b in pairs if a) / n
    second_yes = sum(1 for _a, b in pairs if b) / n
    expected = first_yes * second_yes + (1 - first_yes) * (1 - second_yes)
    if expected >= 1:
        return 1.0
    return round((agree - expected) / (1 - expected), 4)


# --- totals -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemScore:
    area: str
    channel: str
    score: float


@dataclass(frozen=True)
class RegionResult:
    total: float | None
    approved: bool
    by_channel: dict[str, float]
    by_area: dict[str, float]
    items: int


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values)


def _weighted(channel_scores: Mapping[str, float], weights: Mapping[str, float]) -> float | None:
    used = {c: float(weights.get(c, 0)) for c in channel_scores if float(weights.get(c, 0)) > 0}
    total_weight = sum(used.values())
    if not total_weight:
        return None
    return sum(channel_scores[c] * w for c, w in used.items()) / total_weight


def region_result(items: Iterable[ItemScore], weights: Mapping[str, float] | None = None) -> RegionResult:
    """A region's scores: per channel (mean of area means), per area (its channels weighted) and the
    weighted total, 0–100, rounded to one decimal."""
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    cells: dict[tuple[str, str], list[float]] = defaultdict(list)
    count = 0
    for item in items:
        cells[(item.channel, item.area)].append(_clamp(item.score))
        count += 1
    by_channel: dict[str, float] = {}
    for channel in CHANNELS:
        area_means = [_mean(v) for (c, _a), v in cells.items() if c == channel]
        if area_means:
            by_channel[channel] = _mean(area_means)
    by_area: dict[str, float] = {}
    for area in sorted({a for _c, a in cells}):
        per_channel = {c: _mean(v) for (c, a), v in cells.items() if a == area}
        value = _weighted(per_channel, weights)
        if value is not None:
            by_area[area] = round(value, 1)
    total = _weighted(by_channel, weights)
    total = None if total is None else round(total, 1)
    return RegionResult(
        total=total,
        approved=total is not None and total >= PASS_MARK,
        by_channel={c: round(v, 1) for c, v in by_channel.items()},
        by_area=by_area,
        items=count,
    )


def comparable(versions: Iterable[str]) -> bool:
    """Results compare only within one protocol version."""
    return len(set(versions)) <= 1
