"""The kommunetest's scoring rules (servicetest/scoring.py): the issue's worked examples and properties."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from servicetorg.core.workdays import add_working_days
from servicetorg.servicetest import scoring
from servicetorg.servicetest.scoring import (
    ANSWER,
    PRELIMINARY,
    RECEIPT,
    CallAttempt,
    EmailReply,
    ItemScore,
)

OSLO = ZoneInfo("Europe/Oslo")
SENT = datetime(2026, 3, 2, 10, 0, tzinfo=OSLO)  # a Monday with no holiday near


def after(working_days, hour=11):
    day = add_working_days(SENT.date(), working_days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=OSLO)


# --- e-mail: the worked examples ---------------------------------------------------------------


def test_email_answered_correctly_after_six_working_days_keeps_only_the_quality():
    result = scoring.email_score(SENT, [EmailReply(after(6))], quality=100)
    assert result.working_days == 6
    assert result.time_points == 0
    assert result.quality_points == 60
    assert result.score == 60


def test_email_answered_correctly_after_eleven_working_days_scores_nothing():
    result = scoring.email_score(SENT, [EmailReply(after(11))], quality=100)
    assert result.working_days == 11
    assert result.score == 0
    assert result.reason == "too_late"


def test_email_after_exactly_ten_working_days_still_counts_its_quality():
    assert scoring.email_score(SENT, [EmailReply(after(10))], quality=50).score == 30


def test_email_time_steps():
    expected = {0: 100, 1: 100, 2: 75, 3: 50, 5: 50, 6: 0}
    for days, points in expected.items():
        result = scoring.email_score(SENT, [EmailReply(after(days))], quality=100)
        assert result.time_points == 0.4 * points, days
        assert result.score == 0.4 * points + 60


def test_email_over_easter_counts_working_days_not_calendar_days():
    # Wednesday before Easter 2026 (1 April) → Tuesday after Easter Monday (7 April): Maundy Thursday,
    # Good Friday and Easter Monday are holidays, so this is one working day.
    sent = datetime(2026, 4, 1, 14, 0, tzinfo=OSLO)
    result = scoring.email_score(sent, [EmailReply(datetime(2026, 4, 7, 9, 0, tzinfo=OSLO))], quality=80)
    assert result.working_days == 1
    assert result.score == 40 + 48


def test_automatic_receipt_is_not_an_answer():
    result = scoring.email_score(SENT, [EmailReply(after(0, 10), RECEIPT)], quality=100)
    assert result.reason == "no_answer"
    assert result.score == 0
    with_answer = scoring.email_score(SENT, [EmailReply(after(0, 10), RECEIPT), EmailReply(after(3))], 100)
    assert with_answer.working_days == 3
    assert with_answer.score == 20 + 60


def test_preliminary_reply_with_a_date_counts_when_the_answer_comes_by_that_date():
    promised = after(8).date()
    replies = [EmailReply(after(1), PRELIMINARY, promised_by=promised), EmailReply(after(8))]
    result = scoring.email_score(SENT, replies, quality=100)
    assert result.reason == "preliminary_kept"
    assert result.working_days == 1
    assert result.score == 100


def test_preliminary_reply_whose_date_is_broken_does_not_count():
    promised = after(4).date()
    replies = [EmailReply(after(1), PRELIMINARY, promised_by=promised), EmailReply(after(6))]
    result = scoring.email_score(SENT, replies, quality=100)
    assert result.reason == "answered"
    assert result.working_days == 6
    assert result.score == 60


def test_preliminary_reply_without_a_date_does_not_count():
    replies = [EmailReply(after(1), PRELIMINARY), EmailReply(after(6))]
    assert scoring.email_score(SENT, replies, quality=100).score == 60


def test_no_reply_at_all_scores_nothing():
    assert scoring.email_score(SENT, [], quality=100).score == 0


@given(
    days=st.integers(min_value=0, max_value=30),
    quality=st.floats(min_value=-50, max_value=150, allow_nan=False),
)
def test_email_score_is_within_0_and_100(days, quality):
    score = scoring.email_score(SENT, [EmailReply(after(days), ANSWER)], quality).score
    assert 0 <= score <= 100


@given(
    a=st.integers(min_value=0, max_value=30),
    b=st.integers(min_value=0, max_value=30),
    quality=st.floats(min_value=0, max_value=100, allow_nan=False),
)
def test_email_score_never_rises_with_time(a, b, quality):
    early, late = sorted((a, b))
    assert (
        scoring.email_score(SENT, [EmailReply(after(early))], quality).score
        >= scoring.email_score(SENT, [EmailReply(after(late))], quality).score
    )


# --- phone -------------------------------------------------------------------------------------


def call(day_offset, hour=10, minute=0, wait=20, answered=True):
    day = add_working_days(SENT.date(), day_offset)
    return CallAttempt(datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO), wait, answered)


def test_phone_reached_quickly_with_a_correct_answer_scores_100():
    result = scoring.phone_score([call(0, wait=25)], quality=100)
    assert result.score == 100
    assert result.attempt == 1


def test_phone_wait_over_four_minutes_fails_the_attempt():
    result = scoring.phone_score([call(0, wait=241)], quality=100)
    assert result.reason == "not_reached"
    assert result.score == 0
    assert scoring.phone_score([call(0, wait=240)], quality=100).score == 0.3 * 25 + 70


def test_phone_second_attempt_on_another_day_counts_with_its_wait_capped():
    result = scoring.phone_score([call(0, answered=False), call(1, wait=10)], quality=100)
    assert result.attempt == 2
    assert result.wait_points == 0.3 * 50
    assert result.score == 15 + 70


def test_phone_second_attempt_the_same_day_and_a_third_attempt_do_not_count():
    attempts = [call(0, answered=False), call(0, hour=13, wait=10), call(1, answered=False), call(2, wait=5)]
    result = scoring.phone_score(attempts, quality=100)
    assert result.reason == "not_reached"
    assert result.ignored == (1, 3)


def test_phone_attempts_outside_the_window_or_on_holidays_do_not_count():
    assert scoring.attempt_problem(call(0, hour=9, minute=29).at) == "outside_hours"
    assert scoring.attempt_problem(call(0, hour=15, minute=1).at) == "outside_hours"
    assert scoring.attempt_problem(call(0, hour=9, minute=30).at) is None
    assert scoring.attempt_problem(call(0, hour=15, minute=0).at) is None
    assert scoring.attempt_problem(datetime(2026, 5, 1, 10, 0, tzinfo=OSLO)) == "not_working_day"
    assert scoring.attempt_problem(datetime(2026, 3, 7, 10, 0, tzinfo=OSLO)) == "not_working_day"
    result = scoring.phone_score([call(0, hour=8), call(1, wait=10)], quality=100)
    assert result.attempt == 1 and result.ignored == (0,)
    assert result.score == 100  # the early call never happened as far as the rules go


def test_phone_transfers_and_call_backs():
    assert scoring.phone_score([call(0)], 100, transfers=1).score == 100
    assert scoring.phone_score([call(0)], 100, transfers=2).score == 30 + 70 * 0.8
    assert scoring.phone_score([call(0)], 100, transfers=5).score == 30 + 70 * 0.6
    broken = scoring.phone_score([call(0)], 100, callback_promised=True, callback_kept=False)
    assert broken.reason == "callback_broken" and broken.score == 30
    assert scoring.phone_score([call(0)], 100, callback_promised=True, callback_kept=True).score == 100


@given(
    wait=st.integers(min_value=0, max_value=600),
    quality=st.floats(min_value=-10, max_value=200, allow_nan=False),
    transfers=st.integers(min_value=0, max_value=9),
)
def test_phone_score_is_within_0_and_100_and_never_rises_with_the_wait(wait, quality, transfers):
    score = scoring.phone_score([call(0, wait=wait)], quality, transfers=transfers).score
    longer = scoring.phone_score([call(0, wait=wait + 30)], quality, transfers=transfers).score
    assert 0 <= score <= 100
    assert longer <= score


# --- web ---------------------------------------------------------------------------------------


def test_web_two_testers_agree_or_a_third_decides():
    assert scoring.web_device_verdict([True]) is None
    assert scoring.web_device_verdict([True, True]) is True
    assert scoring.web_device_verdict([False, False]) is False
    assert scoring.web_device_verdict([True, False]) is None
    assert scoring.web_device_verdict([True, False, False]) is False
    assert scoring.web_score([True, True], [False, False]) == 50
    assert scoring.web_score([True, True], [True, False, True]) == 100
    assert scoring.web_score([True, True], [True, False]) is None


def test_cohen_kappa():
    assert scoring.cohen_kappa([]) is None
    assert scoring.cohen_kappa([(True, True), (False, False)]) == 1
    assert scoring.cohen_kappa([(True, True)] * 4) == 1
    # The textbook table: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no → po 0.7, pe 0.5, κ 0.4.
    pairs = [(True, True)] * 20 + [(True, False)] * 5 + [(False, True)] * 10 + [(False, False)] * 15
    assert scoring.cohen_kappa(pairs) == 0.4
    assert scoring.cohen_kappa([(True, False), (False, True)]) == -1


# --- totals ------------------------------------------------------------------------------------


def test_region_total_is_weighted_by_channel_and_approved_from_67():
    items = [
        ItemScore("byggesak", "web", 100),
        ItemScore("barnehage", "web", 50),  # web: mean of areas 75
        ItemScore("byggesak", "phone", 60),  # phone 60
        ItemScore("byggesak", "email", 60),
        ItemScore("byggesak", "email", 100),  # e-mail 80
    ]
    result = scoring.region_result(items)
    assert result.by_channel == {"email": 80.0, "phone": 60.0, "web": 75.0}
    assert result.total == round(0.4 * 75 + 0.3 * 60 + 0.3 * 80, 1) == 72.0
    assert result.approved
    assert result.by_area["barnehage"] == 50.0
    assert result.by_area["byggesak"] == round((0.4 * 100 + 0.3 * 60 + 0.3 * 80) / 1.0, 1)
    low = scoring.region_result([ItemScore("a", "web", 66.9)])
    assert low.total == 66.9 and not low.approved
    assert scoring.region_result([ItemScore("a", "web", 67)]).approved


def test_region_total_renormalises_over_channels_with_items_and_custom_weights():
    items = [ItemScore("a", "email", 100), ItemScore("a", "phone", 0)]
    assert scoring.region_result(items).total == 50.0
    assert scoring.region_result(items, {"web": 0, "phone": 25, "email": 75}).total == 75.0
    assert scoring.region_result([]).total is None


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.sampled_from(scoring.CHANNELS),
            st.floats(min_value=0, max_value=100, allow_nan=False),
        ),
        min_size=1,
    )
)
def test_region_total_lies_within_0_and_100(rows):
    result = scoring.region_result(ItemScore(a, c, s) for a, c, s in rows)
    assert 0 <= result.total <= 100


def test_only_one_protocol_version_compares():
    assert scoring.comparable(["2026.1", "2026.1"])
    assert not scoring.comparable(["2026.1", "2027.1"])


def test_naive_datetimes_are_refused():
    import pytest

    with pytest.raises(ValueError):
        scoring.email_score(datetime(2026, 3, 2, 10), [], 100)
    assert date(2026, 3, 2) + timedelta(days=0) == SENT.date()
