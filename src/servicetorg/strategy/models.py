"""Service strategy (servicestrategi) for an election period and its follow-up report.

A :class:`Strategy` is one *revision* of the strategy for an election period. The yearly roll makes a
new revision (a deep copy, in draft) of the adopted one; the adopted revision is never changed again
and stays as history. Goals, targets and measures therefore belong to one revision.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicetorg.benchmarking.owndata.peers import PeerKind, PeerStatistic
from servicetorg.catalogue.models import ServiceArea
from servicetorg.core.models import Municipality, Unit
from servicetorg.indicators.models import Indicator

PERIOD_YEARS = 4


class ElectionPeriod(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="election_periods")
    start_year = models.PositiveSmallIntegerField(_("first year"))

    class Meta:
        verbose_name = _("election period")
        verbose_name_plural = _("election periods")
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "start_year"],
                name="election_period_unique",
                violation_error_message=_("This municipality already has this election period."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.start_year}–{self.end_year}"

    @property
    def end_year(self) -> int:
        return self.start_year + PERIOD_YEARS - 1

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))


class StrategyState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONSULTATION = "consultation", _("Out for consultation")
    ADOPTED = "adopted", _("Adopted by the council")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded by a newer revision")


EDITABLE_STATES = frozenset({StrategyState.DRAFT, StrategyState.CONSULTATION})


class Strategy(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="strategies")
    period = models.ForeignKey(ElectionPeriod, on_delete=models.PROTECT, related_name="strategies")
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_revision"
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    short_version = models.TextField(
        _("short version for citizens"), blank=True, help_text=_("A few plain sentences for the portal.")
    )
    revision_note = models.TextField(_("what changed in this revision"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=StrategyState.choices, default=StrategyState.DRAFT
    )
    consultation_deadline = models.DateTimeField(
        _("consultation deadline"),
        null=True,
        blank=True,
        help_text=_("Commenting closes automatically at this time (Norwegian time)."),
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    case_reference = models.CharField(_("council case reference"), max_length=60, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service strategy")
        verbose_name_plural = _("service strategies")
        ordering = ["municipality", "-period__start_year", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["period", "revision"], name="strategy_revision_unique")
        ]
        indexes = [models.Index(fields=["municipality", "state"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.period}, rev. {self.revision})"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    def consultation_open(self, now=None) -> bool:
        """Out for consultation and before the deadline: citizens may comment."""
        if self.state != StrategyState.CONSULTATION:
            return False
        return self.consultation_deadline is None or (now or timezone.now()) < self.consultation_deadline


class StatusSection(models.Model):
    """Status of a service area: resources, volume and quality, with the indicators that show it."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="status_sections")
    service_area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, verbose_name=_("service area"))
    resources = models.TextField(_("resources"), blank=True)
    volume = models.TextField(_("volume"), blank=True)
    quality = models.TextField(_("quality"), blank=True)
    indicators = models.ManyToManyField(Indicator, blank=True, verbose_name=_("indicators"))

    class Meta:
        verbose_name = _("status section")
        verbose_name_plural = _("status sections")
        ordering = ["service_area__position", "pk"]

    def __str__(self) -> str:
        return str(self.service_area)


class FocusArea(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="focus_areas")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class GoalKind(models.TextChoices):
    QUALITY = "quality", _("Quality")
    EFFICIENCY = "efficiency", _("Efficiency and productivity")
    USER_ADAPTATION = "user_adaptation", _("User adaptation")


class Perspective(models.TextChoices):
    """Balanced-scorecard perspective."""

    USERS = "users", _("Users")
    PROCESSES = "processes", _("Processes")
    EMPLOYEES = "employees", _("Employees")
    ECONOMY = "economy", _("Economy")
    DEVELOPMENT = "development", _("Development")


class Goal(models.Model):
    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("goal"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind of goal"), max_length=20, choices=GoalKind.choices, default=GoalKind.QUALITY
    )
    perspective = models.CharField(
        _("perspective"), max_length=20, choices=Perspective.choices, default=Perspective.USERS
    )
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("responsible unit")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class GoalIndicator(models.Model):
    """An indicator that verifies a goal, with its baseline; targets per year hang under it."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="goal_indicators")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="goal_links")
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"))
    baseline_value = models.DecimalField(
        _("baseline"), max_digits=16, decimal_places=4, null=True, blank=True
    )

    class Meta:
        verbose_name = _("goal indicator")
        verbose_name_plural = _("goal indicators")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["goal", "indicator"], name="goal_indicator_unique")]

    def __str__(self) -> str:
        return f"{self.goal} – {self.indicator}"


class Target(models.Model):
    """The target of a goal indicator for one year of the period.

    When a roll changes a target, ``original_value`` keeps the first adopted value and ``change_reason``
    why it changed; the earlier revision keeps its own row unchanged.

    A target is either a number (``value``) or **relative** to a peer group: "better than the county's
    median" (``peers`` and ``peer_statistic``; ``value`` stays empty). A relative target's value is
    the statistic of the peer group's official values for the target year, computed when read
    (:mod:`servicetorg.benchmarking.owndata.peers`), so it is unknown until the statistics are out.
    """

    goal_indicator = models.ForeignKey(GoalIndicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=16, decimal_places=4, null=True, blank=True)
    peers = models.CharField(
        _("relative to"),
        max_length=16,
        blank=True,
        choices=PeerKind.choices,
        help_text=_("Empty for a fixed number; else the peer group whose statistic is the target."),
    )
    peer_statistic = models.CharField(
        _("peer statistic"), max_length=16, blank=True, choices=PeerStatistic.choices
    )
    original_value = models.DecimalField(
        _("first adopted target"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    change_reason = models.CharField(_("reason for the change"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["goal_indicator", "year"], name="target_year_unique"),
            models.CheckConstraint(
                condition=models.Q(peers="", peer_statistic="", value__isnull=False)
                | (~models.Q(peers="") & ~models.Q(peer_statistic="") & models.Q(value__isnull=True)),
                name="target_number_or_relative",
                violation_error_message=_("A target is a number, or relative to a peer group, never both."),
            ),
        ]

    def __str__(self) -> str:
        if self.is_relative:
            return f"{self.year}: {self.get_peer_statistic_display()} ({self.get_peers_display()})"
        return f"{self.year}: {self.value}"

    @property
    def is_relative(self) -> bool:
        return bool(self.peers)

    @property
    def changed(self) -> bool:
        return self.original_value is not None and self.original_value != self.value


class InstrumentKind(models.TextChoices):
    COOPERATION = "cooperation", _("Cooperation")
    TENDERING = "tendering", _("Competition: tendering")
    USER_CHOICE = "user_choice", _("Competition: user choice")
    BENCHMARKING = "benchmarking", _("Competition: benchmarking")
    EMPLOYER_POLICY = "employer_policy", _("Employer policy")
    SERVICE_DECLARATIONS = "service_declarations", _("Service declarations")


class Instrument(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="instruments")
    kind = models.CharField(_("instrument"), max_length=30, choices=InstrumentKind.choices)
    description = models.TextField(_("how it is used"))

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Measure(models.Model):
    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="measures")
    goal = models.ForeignKey(Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="measures")
    instrument = models.ForeignKey(
        Instrument, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("instrument")
    )
    title = models.CharField(_("measure"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("responsible unit")
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.start_date and self.due_date and self.due_date < self.start_date:
            raise ValidationError({"due_date": _("The due date cannot be before the start.")})


class Milestone(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_date = models.DateField(_("due"))
    reached_on = models.DateField(_("reached on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title


class CommentRole(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    EMPLOYEE = "employee", _("Employee of the municipality")
    ORGANISATION = "organisation", _("Organisation or business")


class ModerationState(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    APPROVED = "approved", _("Published")
    REJECTED = "rejected", _("Not published")


class ConsultationComment(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="comments")
    focus_area = models.ForeignKey(
        FocusArea, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("about focus area")
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(
        _("e-mail (not published)"),
        blank=True,
        help_text=_("If you give it, we e-mail you the municipality's answer to your comment."),
    )
    # The language she wrote in (nb, nn, en): the e-mail with the municipality's answer is written in it.
    language = models.CharField(_("language"), max_length=5, default="nb", choices=settings.LANGUAGES)
    role = models.CharField(
        _("I comment as"), max_length=20, choices=CommentRole.choices, default=CommentRole.CITIZEN
    )
    text = models.TextField(_("comment"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    moderation = models.CharField(
        _("moderation"), max_length=20, choices=ModerationState.choices, default=ModerationState.PENDING
    )
    answer = models.TextField(_("answer from the municipality"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("consultation comment")
        verbose_name_plural = _("consultation comments")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["strategy", "moderation"])]

    def __str__(self) -> str:
        return f"{self.name}: {self.text[:40]}"


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted by the council")
    PUBLISHED = "published", _("Published")


class FollowUpReport(models.Model):
    """Oppfølgingsredegjørelse: results against the strategy's targets, as of a year."""

    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="follow_up_reports")
    as_of_year = models.PositiveSmallIntegerField(_("results up to and including"))
    final = models.BooleanField(_("end of the period"), default=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    short_version = models.TextField(_("short version for citizens"), blank=True)
    changes = models.TextField(_("changes to goals and measures, and why"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=ReportState.choices, default=ReportState.DRAFT
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    case_reference = models.CharField(_("council case reference"), max_length=60, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    #: The report as the council adopted it (HTML body and PDF), so later corrections of indicator
    #: values do not change an adopted document.
    adopted_body = models.TextField(editable=False, blank=True)
    #: The same adopted body rendered in each of the site's languages ({"nn": html, "en": html}), from
    #: the same figures, so a reader in nynorsk or English gets every heading and label in her language.
    adopted_bodies = models.JSONField(editable=False, default=dict, blank=True)
    adopted_pdf = models.BinaryField(editable=False, null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["adopted_body", "adopted_bodies", "adopted_pdf"])

    class Meta:
        verbose_name = _("follow-up report")
        verbose_name_plural = _("follow-up reports")
        ordering = ["-as_of_year", "-pk"]

    def __str__(self) -> str:
        return self.title


class GoalNote(models.Model):
    """The report's text on one goal: reasons for a miss or a change."""

    report = models.ForeignKey(FollowUpReport, on_delete=models.CASCADE, related_name="goal_notes")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reasons for misses and changes"), blank=True)

    class Meta:
        verbose_name = _("goal note")
        verbose_name_plural = _("goal notes")
        constraints = [models.UniqueConstraint(fields=["report", "goal"], name="goal_note_unique")]

    def __str__(self) -> str:
        return f"{self.report} – {self.goal}"
