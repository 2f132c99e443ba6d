"""Publishing a question's figure (mean or share) as an indicator value."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from servicetorg.core.models import Unit

from .. import figure_targets
from ..models import Question
from ..permissions import require_edit


def question_figure(
    question: Question, *, statistic: str, chosen: list[int] | None = None
) -> tuple[float, int]:
    """The figure to publish: ``mean`` of a scale, or ``share`` (%) of valid answers in ``chosen``.

    Returns (value, n). Refuses a figure resting on fewer respondents than the anonymity threshold.
    """
    from .. import selectors

    result = selectors.question_result(question)
    threshold = question.survey.anonymity_threshold
    if statistic == "mean":
        if not question.is_scale:
            raise ValidationError({"statistic": _("Only a scale or number question has a mean.")})
        n, value = result.summary.n if result.summary else 0, result.summary.mean if result.summary else None
    elif statistic == "share":
        if not question.is_choice:
            raise ValidationError({"statistic": _("A share needs a question with alternatives.")})
        if not chosen:
            raise ValidationError({"chosen": _("Choose the alternatives that count.")})
        from ..stats import share

        counts = {row.key: row.raw_count for row in result.table.rows}
        excluded = {row.key for row in result.table.rows if row.excluded}
        n = result.table.valid
        value = share(counts, set(chosen), excluded)
        # The share and N give the count of the chosen alternatives (and of the others) back.
        inside = sum(c for k, c in counts.items() if k in set(chosen) and k not in excluded)
        threshold = question.survey.anonymity_threshold
        if 0 < inside < threshold or 0 < n - inside < threshold:
            raise ValidationError(
                _("Too few answers in or outside the chosen alternatives to publish (fewer than %(n)s).")
                % {"n": threshold}
            )
    else:
        raise ValidationError({"statistic": _("Choose mean or share.")})
    if value is None or n < threshold:
        raise ValidationError(_("Too few answers to publish (fewer than %(n)s).") % {"n": threshold})
    return value, n


def publish_indicator_value(
    question: Question,
    *,
    indicator,
    statistic: str = "mean",
    chosen: list[int] | None = None,
    unit: Unit | None = None,
    year: int | None = None,
    user,
):
    """Publish a question's mean or share as an indicator value for a unit (or the municipality) and year.

    The indicators app comes after surveys in the app order: it fills ``figure_targets``, and this
    function stores the value through whatever is registered there.
    """
    target = figure_targets.indicator_target()
    if target is None:
        raise ValidationError(_("No indicator store is installed to publish to."))
    survey = question.survey
    require_edit(user, survey)
    if unit is not None and unit.municipality_id != survey.municipality_id:
        raise ValidationError({"unit": _("The unit belongs to another municipality.")})
    value, n = question_figure(question, statistic=statistic, chosen=chosen)
    if statistic == "mean":
        note = _("Mean of “%(question)s” in “%(survey)s”, N = %(n)s.")
    else:
        note = _("Share answering %(chosen)s to “%(question)s” in “%(survey)s”, N = %(n)s.")
    note = note % {
        "question": question.text[:120],
        "survey": survey.title,
        "n": n,
        "chosen": ", ".join(str(c) for c in chosen or []),
    }
    return target.record(
        indicator,
        municipality=survey.municipality,
        unit=unit if unit is not None else survey.unit,
        year=year or survey.year,
        value=round(value, 4),
        note=note,
        user=user,
    )
