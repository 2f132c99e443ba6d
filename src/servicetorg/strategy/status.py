"""The status rule of a goal indicator: on track, at risk or missed — a pure function.

Rule (shown to users with every status):

* no actual value for the year, or no target → **no data** (never guessed);
* actual meets the target (≥ target when higher is better, ≤ when lower is better) → **on track**;
* actual falls short by at most the margin → **at risk**. The margin is ``MARGIN`` (10 %) of the
  distance from the baseline to the target, or of the target itself when there is no baseline (or
  it equals the target);
* otherwise → **missed**.

When the target was changed by a revision, the current target counts and the explanation says so.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MARGIN = Decimal("0.10")

ON_TRACK = "on_track"
AT_RISK = "at_risk"
MISSED = "missed"
NO_DATA = "no_data"

LABELS = {
    ON_TRACK: gettext_lazy("On track"),
    AT_RISK: gettext_lazy("At risk"),
    MISSED: gettext_lazy("Missed"),
    NO_DATA: gettext_lazy("No data"),
}
#: Designsystemet colours of each status (tag data-color).
COLORS = {ON_TRACK: "success", AT_RISK: "warning", MISSED: "danger", NO_DATA: "neutral"}


@dataclass(frozen=True)
class Status:
    code: str
    explanation: str

    @property
    def label(self):
        return LABELS[self.code]

    @property
    def color(self) -> str:
        return COLORS[self.code]


def _fmt(value: Decimal) -> str:
    value = Decimal(value).normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    return number_format(value, use_l10n=True)


def evaluate(
    *,
    actual: Decimal | None,
    target: Decimal | None,
    higher_is_better: bool,
    baseline: Decimal | None = None,
    original_target: Decimal | None = None,
    margin: Decimal = MARGIN,
) -> Status:
    """Status of one year: ``actual`` against ``target``, with an explanation a reader can check."""
    changed = ""
    if original_target is not None and target is not None and Decimal(original_target) != Decimal(target):
        changed = " " + _("The target was changed from %(old)s to %(new)s by a revision.") % {
            "old": _fmt(original_target),
            "new": _fmt(target),
        }
    if target is None:
        return Status(NO_DATA, _("No target is set for this year."))
    if actual is None:
        return Status(NO_DATA, _("No value has been registered for this year yet.") + changed)
    actual, target = Decimal(actual), Decimal(target)
    direction = _("higher is better") if higher_is_better else _("lower is better")
    shortfall = (target - actual) if higher_is_better else (actual - target)
    facts = {"actual": _fmt(actual), "target": _fmt(target), "direction": direction}
    if shortfall <= 0:
        text = _("Actual %(actual)s meets the target %(target)s (%(direction)s).") % facts
        return Status(ON_TRACK, text + changed)
    if baseline is not None and Decimal(baseline) != target:
        scale = abs(target - Decimal(baseline))
        base_text = _("%(margin)s %% of the distance from the baseline %(baseline)s to the target") % {
            "margin": _fmt(margin * 100),
            "baseline": _fmt(baseline),
        }
    else:
        scale = abs(target)
        base_text = _("%(margin)s %% of the target") % {"margin": _fmt(margin * 100)}
    allowed = margin * scale
    facts.update({"shortfall": _fmt(shortfall), "allowed": _fmt(allowed), "rule": base_text})
    if shortfall <= allowed:
        text = _(
            "Actual %(actual)s is %(shortfall)s short of the target %(target)s (%(direction)s), within "
            "the margin of %(allowed)s (%(rule)s)."
        )
        return Status(AT_RISK, text % facts + changed)
    text = _(
        "Actual %(actual)s is %(shortfall)s short of the target %(target)s (%(direction)s), more than "
        "the margin of %(allowed)s (%(rule)s)."
    )
    return Status(MISSED, text % facts + changed)


RULE_TEXT = gettext_lazy(
    "On track: the actual value meets the year's target. At risk: it falls short by at most 10 per cent of "
    "the distance from the baseline to the target (or of the target when there is no baseline). "
    "Missed: it falls short by more. No data: no value or no target for the year. Whether higher or "
    "lower is better is set per indicator; a changed target counts from the revision that changed it."
)
