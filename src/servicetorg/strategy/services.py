"""Domain operations of the service strategy and its follow-up report.

Plain, transactional functions used by views, API, admin and the demo alike. Each takes the acting
user (SYSTEM for the demo and commands: core.permissions), who must hold ``strategy.edit`` (or the
transition's role) in the municipality.
An adopted (or published, superseded) strategy is read-only: its content changes only through a new
revision made by :func:`roll`. Progress during the period (a measure's status, a milestone reached)
is registered on the current revision without changing what the council adopted.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from servicetorg.benchmarking.owndata import peers as peer_comparison
from servicetorg.benchmarking.owndata.peers import PeerKind, PeerStatistic
from servicetorg.core import outbox
from servicetorg.core.permissions import Perm, can, check_actor, is_system, user_of
from servicetorg.indicators.models import Indicator, Source
from servicetorg.indicators.services import clean_value
from servicetorg.inquiries.notices import language_code

from . import workflow
from .models import (
    ConsultationComment,
    ElectionPeriod,
    FocusArea,
    FollowUpReport,
    Goal,
    GoalIndicator,
    GoalNote,
    Instrument,
    Measure,
    MeasureStatus,
    Milestone,
    ModerationState,
    ReportState,
    StatusSection,
    Strategy,
    StrategyState,
    Target,
)


def can_edit(user, municipality_id: int) -> bool:
    return can(user, Perm.STRATEGY_EDIT, municipality_id)


def _require_action(user, action: str, municipality_id: int) -> None:
    """Refuse before the table is asked: a user without rights learns nothing of the state."""
    check_actor(user)
    perm = workflow.ACTION_PERMS.get(action)
    allowed = is_system(user) if perm is None else can(user, perm, municipality_id)
    if not allowed:
        raise PermissionDenied


def _require_editor(user, municipality_id: int) -> None:
    if not can_edit(user, municipality_id):
        raise PermissionDenied


def _require_editable(strategy: Strategy) -> None:
    if not strategy.is_editable:
        raise ValidationError(
            _("This strategy has been adopted and cannot be changed. Make a new revision (roll) instead.")
        )


def _full_save(obj):
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def create_strategy(*, municipality, start_year: int, title: str, user, **fields) -> Strategy:
    _require_editor(user, municipality.pk)
    if not isinstance(start_year, int) or not 2000 <= start_year <= 2100:
        raise ValidationError({"start_year": _("Give the first year of the election period.")})
    period, _created = ElectionPeriod.objects.get_or_create(municipality=municipality, start_year=start_year)
    if period.strategies.exists():
        raise ValidationError(
            {"start_year": _("This election period already has a strategy. Roll it to make a new revision.")}
        )
    strategy = Strategy(
        municipality=municipality, period=period, title=title, created_by=user_of(user), **fields
    )
    return _full_save(strategy)


STRATEGY_FIELDS = ("title", "introduction", "short_version", "revision_note", "consultation_deadline")


@transaction.atomic
def update_strategy(strategy: Strategy, *, user, **fields) -> Strategy:
    _require_editor(user, strategy.municipality_id)
    _require_editable(strategy)
    for name, value in fields.items():
        if name not in STRATEGY_FIELDS:
            raise ValidationError({name: _("This field cannot be changed here.")})
        setattr(strategy, name, value)
    if strategy.state == StrategyState.CONSULTATION and strategy.consultation_deadline is None:
        raise ValidationError(
            {
                "consultation_deadline": _(
                    "Give the consultation deadline: the date and time commenting closes."
                )
            }
        )
    return _full_save(strategy)


@transaction.atomic
def add_status_section(strategy, *, service_area, user, indicators=(), **texts) -> StatusSection:
    _require_editor(user, strategy.municipality_id)
    _require_editable(strategy)
    if service_area.municipality_id != strategy.municipality_id:
        raise ValidationError({"service_area": _("The service area belongs to another municipality.")})
    section = _full_save(StatusSection(strategy=strategy, service_area=service_area, **texts))
    for indicator in indicators:
        _check_indicator(strategy, indicator)
    section.indicators.set(indicators)
    return section


@transaction.atomic
def add_focus_area(strategy, *, title: str, description: str = "", position=None, user) -> FocusArea:
    _require_editor(user, strategy.municipality_id)
    _require_editable(strategy)
    if position is None:
        position = strategy.focus_areas.count() + 1
    return _full_save(FocusArea(strategy=strategy, title=title, description=description, position=position))


@transaction.atomic
def add_goal(focus_area: FocusArea, *, title: str, user, position=None, **fields) -> Goal:
    strategy = focus_area.strategy
    _require_editor(user, strategy.municipality_id)
    _require_editable(strategy)
    unit = fields.get("responsible_unit")
    if unit is not None and unit.municipality_id != strategy.municipality_id:
        raise ValidationError({"responsible_unit": _("The unit belongs to another municipality.")})
    if position is None:
        position = focus_area.goals.count() + 1
    return _full_save(Goal(focus_area=focus_area, title=title, position=position, **fields))


def _check_indicator(strategy, indicator) -> None:
    if not isinstance(indicator, Indicator) or not indicator.applies_to(strategy.municipality_id):
        raise ValidationError({"indicator": _("Unknown indicator.")})


def _check_year(strategy: Strategy, year) -> int:
    period = strategy.period
    try:
        year = int(year)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"year": _("The year must be a whole number.")}) from exc
    if year not in period.years:
        raise ValidationError(
            {
                "year": _("The year %(year)s is outside the election period %(period)s.")
                % {"year": year, "period": str(period)}
            }
        )
    return year


@transaction.atomic
def add_goal_indicator(
    goal: Goal,
    *,
    indicator: Indicator,
    baseline_year: int,
    baseline_value=None,
    targets: dict | None = None,
    user,
) -> GoalIndicator:
    """Link an indicator to a goal with its baseline and yearly targets (years inside the period)."""
    strategy = goal.focus_area.strategy
    _require_editor(user, strategy.municipality_id)
    _require_editable(strategy)
    _check_indicator(strategy, indicator)
    try:
        baseline_year = int(baseline_year)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"baseline_year": _("The year must be a whole number.")}) from exc
    if not strategy.period.start_year - 10 <= baseline_year <= strategy.period.end_year:
        raise ValidationError({"baseline_year": _("The baseline year must be before or in the period.")})
    if GoalIndicator.objects.filter(goal=goal, indicator=indicator).exists():
        raise ValidationError({"indicator": _("This goal already uses this indicator.")})
    link = GoalIndicator.objects.create(
        goal=goal,
        indicator=indicator,
        baseline_year=baseline_year,
        baseline_value=None if baseline_value in (None, "") else clean_value(baseline_value),
    )
    for year, value in (targets or {}).items():
        set_target(link, year=year, value=value, user=user)
    return link


@transaction.atomic
def set_target(
    goal_indicator: GoalIndicator,
    *,
    year,
    value=None,
    peers: str = "",
    peer_statistic: str = "",
    reason: str = "",
    user,
) -> Target:
    """Set the target of a year: a number, or relative to a peer group (``peers`` and
    ``peer_statistic``, e.g. "county" and "median": better than the county's median; only for an
    indicator with official statistics). In a rolled revision a changed target keeps its first
    adopted value and needs a reason; every change is in the target's history."""
    strategy = goal_indicator.goal.focus_area.strategy
    _require_editor(user, strategy.municipality_id)
    _require_editable(strategy)
    year = _check_year(strategy, year)
    peers, peer_statistic = (peers or "").strip(), (peer_statistic or "").strip()
    if peers:
        if peers not in PeerKind.values:
            raise ValidationError({"peers": _("Choose a peer group.")})
        if peers not in peer_comparison.available_kinds():
            raise ValidationError({"peers": _("KOSTRA groups are not available in this installation yet.")})
        if peer_statistic not in PeerStatistic.values:
            raise ValidationError({"peer_statistic": _("Choose the peer group's median or a quartile.")})
        indicator = goal_indicator.indicator
        if not indicator.is_national or indicator.source != Source.KOSTRA:
            raise ValidationError(
                {
                    "peers": _(
                        "Only an indicator with official statistics (KOSTRA) can have a relative target."
                    )
                }
            )
        number = None
    else:
        peer_statistic = ""
        if value in (None, ""):
            raise ValidationError({"value": _("Give the target, or choose a peer group.")})
        try:
            number = clean_value(value)
        except ValidationError as exc:
            raise ValidationError({"value": _("The target must be a number.")}) from exc
    target = Target.objects.filter(goal_indicator=goal_indicator, year=year).first()
    if target is None:
        return Target.objects.create(
            goal_indicator=goal_indicator, year=year, value=number, peers=peers, peer_statistic=peer_statistic
        )
    if (target.value, target.peers, target.peer_statistic) != (number, peers, peer_statistic):
        if strategy.revision > 1 and target.original_value is None and target.value is not None:
            target.original_value = target.value
        if strategy.revision > 1 and not reason:
            raise ValidationError({"reason": _("Give the reason for changing an adopted target.")})
        target.value, target.peers, target.peer_statistic = number, peers, peer_statistic
        target.change_reason = reason[:300]
        target.save()
    return target


@transaction.atomic
def add_instrument(strategy, *, kind: str, description: str, user) -> Instrument:
    _require_editor(user, strategy.municipality_id)
    _require_editable(strategy)
    return _full_save(Instrument(strategy=strategy, kind=kind, description=description))


@transaction.atomic
def add_measure(focus_area: FocusArea, *, title: str, user, milestones=(), **fields) -> Measure:
    strategy = focus_area.strategy
    _require_editor(user, strategy.municipality_id)
    _require_editable(strategy)
    unit = fields.get("responsible_unit")
    if unit is not None and unit.municipality_id != strategy.municipality_id:
        raise ValidationError({"responsible_unit": _("The unit belongs to another municipality.")})
    goal = fields.get("goal")
    if goal is not None and goal.focus_area_id != focus_area.pk:
        raise ValidationError({"goal": _("The goal belongs to another focus area.")})
    instrument = fields.get("instrument")
    if instrument is not None and instrument.strategy_id != strategy.pk:
        raise ValidationError({"instrument": _("The instrument belongs to another strategy.")})
    measure = _full_save(Measure(focus_area=focus_area, title=title, **fields))
    for item in milestones:
        _full_save(Milestone(measure=measure, **item))
    return measure


@transaction.atomic
def add_milestone(measure: Measure, *, title: str, due_date, user) -> Milestone:
    strategy = measure.focus_area.strategy
    _require_editor(user, strategy.municipality_id)
    _require_editable(strategy)
    return _full_save(Milestone(measure=measure, title=title, due_date=due_date))


@transaction.atomic
def record_measure_progress(measure: Measure, *, status: str, completed_on=None, user) -> Measure:
    """Progress during the period: allowed on the current (adopted or published) revision too."""
    strategy = measure.focus_area.strategy
    _require_editor(user, strategy.municipality_id)
    if strategy.state == StrategyState.SUPERSEDED:
        raise ValidationError(_("This revision has been superseded; record progress on the newest one."))
    if status not in MeasureStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == MeasureStatus.DONE and completed_on is None:
        completed_on = timezone.localdate()
    workflow.MEASURE_WORKFLOW.lock(measure)
    workflow.MEASURE_WORKFLOW.apply(measure, workflow.MEASURE_ACTION[status])
    measure.completed_on = completed_on if status == MeasureStatus.DONE else None
    measure.save()
    return measure


@transaction.atomic
def record_milestone_reached(milestone: Milestone, *, reached_on, user) -> Milestone:
    strategy = milestone.measure.focus_area.strategy
    _require_editor(user, strategy.municipality_id)
    if strategy.state == StrategyState.SUPERSEDED:
        raise ValidationError(_("This revision has been superseded; record progress on the newest one."))
    milestone.reached_on = reached_on
    milestone.save()
    return milestone


def strategy_of(obj) -> Strategy:
    """The strategy revision an item (focus area, goal, measure, instrument, status section) belongs to."""
    if isinstance(obj, Goal | Measure):
        return obj.focus_area.strategy
    return obj.strategy


def _check_same_municipality(strategy: Strategy, fields: dict) -> None:
    unit = fields.get("responsible_unit")
    if unit is not None and unit.municipality_id != strategy.municipality_id:
        raise ValidationError({"responsible_unit": _("The unit belongs to another municipality.")})
    area = fields.get("focus_area")
    if area is not None and area.strategy_id != strategy.pk:
        raise ValidationError({"focus_area": _("Unknown focus area.")})
    instrument = fields.get("instrument")
    if instrument is not None and instrument.strategy_id != strategy.pk:
        raise ValidationError({"instrument": _("The instrument belongs to another strategy.")})


EDITABLE_ITEM_FIELDS = {
    FocusArea: ("title", "description", "position"),
    Goal: ("focus_area", "title", "description", "kind", "perspective", "responsible_unit", "position"),
    Measure: (
        "focus_area",
        "goal",
        "instrument",
        "title",
        "description",
        "responsible_unit",
        "start_date",
        "due_date",
    ),
    Instrument: ("kind", "description"),
}


@transaction.atomic
def update_item(obj, *, user, **fields):
    """Change a focus area, goal, measure or instrument of a strategy that is still a draft."""
    strategy = strategy_of(obj)
    _require_editor(user, strategy.municipality_id)
    _require_editable(strategy)
    allowed = EDITABLE_ITEM_FIELDS[type(obj)]
    for name in fields:
        if name not in allowed:
            raise ValidationError({name: _("This field cannot be changed here.")})
    _check_same_municipality(strategy, fields)
    goal = fields.get("goal")
    if goal is not None and goal.focus_area_id != fields.get("focus_area", obj.focus_area).pk:
        raise ValidationError({"goal": _("The goal belongs to another focus area.")})
    for name, value in fields.items():
        setattr(obj, name, value)
    return _full_save(obj)


@transaction.atomic
def delete_item(obj, *, user) -> None:
    strategy = strategy_of(obj)
    _require_editor(user, strategy.municipality_id)
    _require_editable(strategy)
    obj.delete()


# --- workflow -------------------------------------------------------------------------------------


@transaction.atomic
def transition(
    strategy: Strategy,
    action: str,
    *,
    user,
    adopted_on=None,
    case_reference: str = "",
    consultation_deadline=None,
) -> Strategy:
    """Apply ``action`` by the transition table; anything else raises ``ValidationError``.

    Sending the draft out for consultation needs a deadline in the future (``consultation_deadline``,
    an aware datetime; or one already saved on the strategy): commenting closes by itself then.
    """
    _require_action(user, action, strategy.municipality_id)
    strategy = workflow.STRATEGY_WORKFLOW.lock(strategy, reload=True)
    workflow.STRATEGY_WORKFLOW.apply(strategy, action)  # TransitionRefused
    if action == workflow.START_CONSULTATION:
        if not strategy.focus_areas.exists():
            raise ValidationError(_("Add at least one focus area before the consultation."))
        deadline = consultation_deadline or strategy.consultation_deadline
        check_consultation_deadline(deadline)
        strategy.consultation_deadline = deadline
    if action == workflow.ADOPT:
        errors = {}
        if adopted_on is None:
            errors["adopted_on"] = _("Give the date of the council's decision.")
        if not case_reference.strip():
            errors["case_reference"] = _("Give the council's case reference.")
        if errors:
            raise ValidationError(errors)
        strategy.adopted_on, strategy.case_reference = adopted_on, case_reference.strip()[:60]
    if action == workflow.PUBLISH:
        strategy.published_at = timezone.now()
        older = Strategy.objects.filter(period=strategy.period, revision__lt=strategy.revision).filter(
            state__in=[StrategyState.ADOPTED, StrategyState.PUBLISHED]
        )
        for old in older:
            workflow.STRATEGY_WORKFLOW.lock(old)
            workflow.STRATEGY_WORKFLOW.apply(old, workflow.SUPERSEDE, internal=True)
            old.save()
    strategy.save()
    return strategy


@transaction.atomic
def roll(strategy: Strategy, *, user, revision_note: str = "") -> Strategy:
    """The yearly roll: a new draft revision, a copy of ``strategy``; the old revision stays as it is."""
    _require_editor(user, strategy.municipality_id)
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    if strategy.state not in (StrategyState.ADOPTED, StrategyState.PUBLISHED):
        raise ValidationError(_("Only an adopted or published strategy can be rolled."))
    if Strategy.objects.filter(previous=strategy).exists():
        raise ValidationError(_("This revision has already been rolled."))
    old_pk = strategy.pk
    old = Strategy.objects.get(pk=old_pk)
    new = Strategy.objects.create(
        municipality=old.municipality,
        period=old.period,
        revision=old.revision + 1,
        previous=old,
        title=old.title,
        introduction=old.introduction,
        short_version=old.short_version,
        revision_note=revision_note,
        created_by=user_of(user),
    )
    for section in old.status_sections.prefetch_related("indicators"):
        indicators = list(section.indicators.all())
        section.pk = None
        section.strategy = new
        section._prefetched_objects_cache = {}  # else set() thinks the copy already has them
        section.save()
        section.indicators.set(indicators)
    instruments = {}
    for instrument in old.instruments.all():
        old_id = instrument.pk
        instrument.pk = None
        instrument.strategy = new
        instrument.save()
        instruments[old_id] = instrument
    for area in old.focus_areas.prefetch_related("goals__goal_indicators__targets", "measures__milestones"):
        goals_of_area = list(area.goals.all())
        measures_of_area = list(area.measures.all())
        area.pk = None
        area.strategy = new
        area.save()
        goals = {}
        for goal in goals_of_area:
            links = list(goal.goal_indicators.all())
            old_goal = goal.pk
            goal.pk = None
            goal.focus_area = area
            goal.save()
            goals[old_goal] = goal
            for link in links:
                targets = list(link.targets.all())
                link.pk = None
                link.goal = goal
                link.save()
                for t in targets:  # one by one, so that each copy starts its audit history
                    Target.objects.create(
                        goal_indicator=link,
                        year=t.year,
                        value=t.value,
                        peers=t.peers,
                        peer_statistic=t.peer_statistic,
                        original_value=t.original_value,
                        change_reason=t.change_reason,
                    )
        for measure in measures_of_area:
            milestones = list(measure.milestones.all())
            measure.pk = None
            measure.focus_area = area
            measure.goal = goals.get(measure.goal_id)
            measure.instrument = instruments.get(measure.instrument_id)
            measure.save()
            Milestone.objects.bulk_create(
                Milestone(measure=measure, title=m.title, due_date=m.due_date, reached_on=m.reached_on)
                for m in milestones
            )
    return new


# --- consultation ---------------------------------------------------------------------------------


def check_consultation_deadline(deadline) -> None:
    """A consultation is opened with a deadline after now (stored UTC, given in Norwegian time)."""
    if deadline is None:
        raise ValidationError(
            {
                "consultation_deadline": _(
                    "Give the consultation deadline: the date and time commenting closes."
                )
            }
        )
    if timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline)
    if deadline <= timezone.now():
        raise ValidationError(
            {"consultation_deadline": _("The consultation deadline must be in the future.")}
        )


def consultation_closed_message(strategy: Strategy) -> str:
    if strategy.consultation_deadline is None or strategy.consultation_deadline > timezone.now():
        return _(
            "The consultation has ended. Your comment was not sent, "
            "but your text is kept below so that you can copy it."
        )
    deadline = timezone.localtime(strategy.consultation_deadline)
    return _(
        "The consultation closed on %(date)s at %(time)s. Your comment was not sent, "
        "but your text is kept below so that you can copy it."
    ) % {"date": date_format(deadline, "j. F Y"), "time": date_format(deadline, "H:i")}


@transaction.atomic
def submit_comment(
    strategy: Strategy,
    *,
    name: str,
    text: str,
    role: str,
    email: str = "",
    focus_area=None,
    language: str = "",
    user,
) -> ConsultationComment:
    """A comment from the portal during the consultation; it waits for moderation. ``language`` is the
    one she wrote in (the page's, by default): the municipality's answer is e-mailed in it. ``user``:
    CITIZEN, whoever writes (anyone may comment, so the actor is checked, not a permission)."""
    check_actor(user)
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)  # the deadline as it is now
    if strategy.state != StrategyState.CONSULTATION:
        raise ValidationError(_("This strategy is not out for consultation."), code="closed")
    if not strategy.consultation_open():
        raise ValidationError(consultation_closed_message(strategy), code="closed")
    if focus_area is not None and focus_area.strategy_id != strategy.pk:
        raise ValidationError({"focus_area": _("Unknown focus area.")})
    comment = ConsultationComment(
        strategy=strategy,
        name=name,
        email=email,
        role=role,
        text=text,
        focus_area=focus_area,
        language=language_code(language or translation.get_language()),
    )
    return _full_save(comment)


@transaction.atomic
def moderate_comment(comment: ConsultationComment, *, decision: str, answer: str = "", user):
    _require_editor(user, comment.strategy.municipality_id)
    if decision not in ModerationState.values:
        raise ValidationError({"moderation": _("Unknown decision.")})
    workflow.MODERATION_WORKFLOW.lock(comment)
    workflow.MODERATION_WORKFLOW.apply(comment, workflow.MODERATION_ACTION[decision])
    answered = bool(answer.strip()) and answer.strip() != comment.answer
    if answered:
        comment.answer = answer.strip()
        comment.answered_at = timezone.now()
    comment.moderated_by = user_of(user)
    comment.save()
    if answered:
        _send_comment_answer(comment)
    return comment


def comment_page_url(comment: ConsultationComment) -> str:
    """The absolute address of the consultation page: on the municipality's own portal host when it
    has one."""
    from django.conf import settings
    from django.urls import reverse

    host = comment.strategy.municipality.portal_host
    base = f"https://{host}" if host else settings.PORTAL_BASE_URL
    return base + reverse("strategy_public:consultation", kwargs={"pk": comment.strategy_id}) + "#h-comments"


def _send_comment_answer(comment: ConsultationComment):
    """The municipality's answer to a consultation comment, e-mailed to the commenter in the language she
    wrote in; nothing when she gave no address. Keyed by the answer's text: saving the same answer again
    sends nothing, a changed answer is sent once more."""
    import hashlib

    from django.template.loader import render_to_string

    if not comment.email:
        return None
    strategy = comment.strategy
    with translation.override(language_code(comment.language)):
        subject = _("Answer to your comment on “%(title)s”") % {"title": strategy.title}
        body = render_to_string(
            "strategy/mail/comment_answer.txt",
            {
                "comment": comment,
                "strategy": strategy,
                "municipality": strategy.municipality,
                "link": comment_page_url(comment),
            },
        ).strip()
    digest = hashlib.sha256(comment.answer.encode()).hexdigest()[:16]
    return outbox.enqueue_email(
        municipality=strategy.municipality_id,
        to=comment.email,
        subject=subject,
        body=body,
        key=f"strategy.comment-answer:{comment.pk}:{digest}",
    )


# --- follow-up report -----------------------------------------------------------------------------


@transaction.atomic
def create_report(strategy: Strategy, *, as_of_year: int, title: str = "", final=None, user):
    _require_editor(user, strategy.municipality_id)
    if strategy.state not in (StrategyState.ADOPTED, StrategyState.PUBLISHED):
        raise ValidationError(_("A follow-up report needs an adopted strategy."))
    try:
        as_of_year = int(as_of_year)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"as_of_year": _("The year must be a whole number.")}) from exc
    if as_of_year not in strategy.period.years:
        raise ValidationError(
            {
                "as_of_year": _("The year %(year)s is outside the election period %(period)s.")
                % {"year": as_of_year, "period": str(strategy.period)}
            }
        )
    if final is None:
        final = as_of_year == strategy.period.end_year
    title = title or (
        _("Follow-up report %(period)s") % {"period": strategy.period}
        if final
        else _("Follow-up report %(year)s") % {"year": as_of_year}
    )
    return FollowUpReport.objects.create(strategy=strategy, as_of_year=as_of_year, final=final, title=title)


REPORT_FIELDS = ("title", "summary", "short_version", "changes")


@transaction.atomic
def update_report(report: FollowUpReport, *, user, goal_notes: dict | None = None, **fields):
    """Texts of a draft report; ``goal_notes`` maps goal ids to the reasons for misses and changes."""
    _require_editor(user, report.strategy.municipality_id)
    if report.state != ReportState.DRAFT:
        raise ValidationError(_("An adopted report cannot be changed."))
    for name, value in fields.items():
        if name not in REPORT_FIELDS:
            raise ValidationError({name: _("This field cannot be changed here.")})
        setattr(report, name, value)
    report.full_clean()
    report.save()
    if goal_notes:
        valid = set(Goal.objects.filter(focus_area__strategy=report.strategy).values_list("pk", flat=True))
        for goal_id, reason in goal_notes.items():
            if int(goal_id) not in valid:
                raise ValidationError({"goal": _("Unknown goal.")})
            GoalNote.objects.update_or_create(
                report=report, goal_id=int(goal_id), defaults={"reason": reason}
            )
    return report


@transaction.atomic
def report_transition(report: FollowUpReport, action: str, *, user, adopted_on=None, case_reference=""):
    _require_action(user, action, report.strategy.municipality_id)
    report = workflow.REPORT_WORKFLOW.lock(report, reload=True)
    workflow.REPORT_WORKFLOW.apply(report, action)  # TransitionRefused
    if action == workflow.ADOPT:
        errors = {}
        if adopted_on is None:
            errors["adopted_on"] = _("Give the date of the council's decision.")
        if not (case_reference or "").strip():
            errors["case_reference"] = _("Give the council's case reference.")
        if errors:
            raise ValidationError(errors)
        report.adopted_on, report.case_reference = adopted_on, case_reference.strip()[:60]
    if action == workflow.PUBLISH:
        report.published_at = timezone.now()
    report.save()
    if action == workflow.ADOPT:
        _freeze(report)
    return report


def _freeze(report: FollowUpReport) -> None:
    """Keep the adopted report as the council saw it: the HTML body and PDF in the default language, and
    the HTML body in nynorsk and English."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation

    from .reports import render_report_pdf, report_context

    with translation.override(settings.LANGUAGE_CODE):
        context = report_context(report)
        report.adopted_body = render_to_string("strategy/_report_body.html", context)
        report.adopted_pdf = render_report_pdf(report, context=context)
    # The same figures (read in this transaction) in the other languages: headings, status labels, the
    # status rule and the explanations in hers; what the municipality wrote stays marked as bokmål.
    bodies = {}
    for code, _name in settings.LANGUAGES:
        if code != settings.LANGUAGE_CODE:
            with translation.override(code):
                bodies[code] = render_to_string("strategy/_report_body.html", report_context(report))
    report.adopted_bodies = bodies
    report.save(update_fields=["adopted_body", "adopted_bodies", "adopted_pdf"])
