"""When a choice or a switch of provider takes effect: the scheme's notice rule, in one function.

A scheme gives its notice for switching either in days or in months (never both, ``Scheme.clean``):

- **In days** (``notice_days``): the switch takes effect that many calendar days after the day she
  chose. If that day is not a working day (a weekend or a Norwegian public holiday,
  ``core/workdays.py``), it takes effect on the next working day. Chosen Monday 1 June with 10 days:
  Thursday 11 June; chosen Wednesday 24 December 2025 with 3 days: Saturday 27 → Monday 29 December.
- **In months** (``notice_months``): the notice runs from the end of the month she chose in, and the
  switch takes effect on the first day of the month after the notice. Chosen 15 January with one
  month: the notice runs 1–28 (29) February, the new provider from 1 March; chosen 31 January: the
  same. The first of a month is kept even when it is a holiday (1 January, 1 May): the provider's
  month starts then, and visits are paid by the month.

A *first* choice (she has no provider yet) takes effect at once, or on the decision's first day
when that is later: there is no one to give notice to. :func:`describe` says the rule in plain words
for the pages, the brochure and the receipt.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from servicetorg.core.workdays import next_working_day


def _first_of_month_after(day: date, months: int) -> date:
    """The first day of the month ``months`` months after the month of ``day``."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def effective_date(scheme, chosen_on: date, *, first: bool = False, starts_on: date | None = None) -> date:
    """The day a choice made on ``chosen_on`` takes effect under ``scheme``'s notice rule.

    ``first``: she has no provider yet, so it takes effect at once. ``starts_on``: the decision's
    first day; nothing takes effect before it.
    """
    if first:
        day = chosen_on
    elif scheme.notice_months:
        # End of the month of the choice, then the notice in whole months: the day after is the 1st.
        day = _first_of_month_after(chosen_on, scheme.notice_months + 1)
    elif scheme.notice_days:
        day = next_working_day(chosen_on + timedelta(days=scheme.notice_days))
    else:
        day = chosen_on
    if starts_on is not None and day < starts_on:
        day = starts_on
    return day


def describe(scheme) -> str:
    """The notice rule in plain words."""
    if scheme.notice_months:
        text = ngettext(
            "A switch takes effect on the first day of the month after a notice of %(count)s month, "
            "counted from the end of the month you ask in.",
            "A switch takes effect on the first day of the month after a notice of %(count)s months, "
            "counted from the end of the month you ask in.",
            scheme.notice_months,
        ) % {"count": scheme.notice_months}
        if scheme.notice_months == 1:
            text += " " + _("Ask on 15 January, and the new provider starts on 1 March.")
        return text
    if scheme.notice_days:
        return ngettext(
            "A switch takes effect %(count)s day after you ask for it; if that day is a weekend or a "
            "public holiday, on the next working day.",
            "A switch takes effect %(count)s days after you ask for it; if that day is a weekend or a "
            "public holiday, on the next working day.",
            scheme.notice_days,
        ) % {"count": scheme.notice_days}
    return _("A switch takes effect at once.")


def describe_first() -> str:
    return _("Your first choice takes effect at once, or on the first day of your decision if that is later.")
