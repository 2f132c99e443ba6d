"""Surveys: questionnaires, invitations, anonymous responses and their answers.

Storage rules for anonymity:

* invitation codes are stored only as a keyed hash (:class:`Invitation`); a used code is marked used,
  with no time stamp and no reference to the response it produced;
* a half-finished answer lives in a :class:`ResponseDraft` keyed by a hash of the code or of a
  resume key; on submission it becomes a :class:`Response` with :class:`Answer` rows and the draft
  is deleted, so nothing stored ties a submitted response to a code;
* a response carries only the date it was submitted, not the time.

Live results read a *released pool* (issue 18 §2.2, the time-differencing attack): a new response
waits (``released`` false) until at least the anonymity threshold of them wait, and is then released
with them (:func:`services.answering.release`); when the survey closes (closed, or past its closing
date) every response counts. Reading the results before and after one answer shows no change.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicetorg.catalogue.models import Service
from servicetorg.core.models import Municipality, Unit

DEFAULT_ANONYMITY_THRESHOLD = 5


def _public_id() -> str:
    return secrets.token_urlsafe(12)


class SurveyKind(models.TextChoices):
    USER_SURVEY = "user_survey", _("User survey")
    CITIZEN_SURVEY = "citizen_survey", _("Citizen survey")


class SurveyAccess(models.TextChoices):
    OPEN_LINK = "open_link", _("Open link (anyone with the link)")
    INVITATION = "invitation", _("Personal invitation codes")


class SurveyState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class Survey(models.Model):
    """A questionnaire and one round of answering it (brukerundersøkelse / innbyggerundersøkelse).

    A survey targets a service, a unit, or (neither) the whole municipality. Providers (user choice)
    come with the user-choice module.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=SurveyKind.choices, default=SurveyKind.USER_SURVEY
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("service surveyed"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("unit surveyed"),
    )
    access = models.CharField(
        _("access"), max_length=20, choices=SurveyAccess.choices, default=SurveyAccess.OPEN_LINK
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    state = models.CharField(
        _("state"), max_length=12, choices=SurveyState.choices, default=SurveyState.DRAFT
    )
    previous_round = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_rounds",
        verbose_name=_("previous round"),
        help_text=_("The same questionnaire answered earlier, for comparison over time."),
    )
    anonymity_threshold = models.PositiveSmallIntegerField(
        _("anonymity threshold"),
        default=DEFAULT_ANONYMITY_THRESHOLD,
        validators=[MinValueValidator(3), MaxValueValidator(100)],
        help_text=_("Groups with fewer respondents than this are never shown."),
    )
    public_id = models.CharField(max_length=32, unique=True, default=_public_id, editable=False)
    template_key = models.CharField(_("made from template"), max_length=60, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_on", "title"]
        indexes = [models.Index(fields=["municipality", "state", "closes_on"], name="survey_tenant_state")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="survey_closes_after_opening",
                violation_error_message=_("The closing date cannot be before the opening date."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def year(self) -> int:
        return self.closes_on.year

    @property
    def target_label(self) -> str:
        if self.service_id:
            return str(self.service)
        if self.unit_id:
            return str(self.unit)
        return str(self.municipality.name)

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.state == SurveyState.PUBLISHED and self.opens_on <= today <= self.closes_on

    def results_final(self, today=None) -> bool:
        """Answering has ended (closed, or past the closing date): the results count every response,
        not only the released pool (models docstring)."""
        today = today or timezone.localdate()
        return self.state == SurveyState.CLOSED or today > self.closes_on


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["survey", "position", "id"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Scale (Likert)")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    NUMBER = "number", _("Number")
    FREE_TEXT = "free_text", _("Free text")


#: Kinds whose answers are options.
CHOICE_KINDS = frozenset({QuestionKind.LIKERT, QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})


class BackgroundKind(models.TextChoices):
    NONE = "", _("Not a background question")
    AGE_GROUP = "age_group", _("Age group")
    SERVICE = "service", _("Service used")
    UNIT = "unit", _("Unit")
    OTHER = "other", _("Other background")


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(
        Section,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("section"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.SlugField(
        _("code"), max_length=30, help_text=_("Short name used in exports and imports, e.g. q5a.")
    )
    text = models.TextField(_("question"))
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    background = models.CharField(
        _("background question"), max_length=20, choices=BackgroundKind.choices, default="", blank=True
    )
    required = models.BooleanField(_("required"), default=False)
    min_value = models.FloatField(_("lowest number"), null=True, blank=True)
    max_value = models.FloatField(_("highest number"), null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "section__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "code"],
                name="question_code_unique_per_survey",
                violation_error_message=_("This survey already has a question with this code."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text[:60]}"

    @property
    def is_scale(self) -> bool:
        return self.kind in (QuestionKind.LIKERT, QuestionKind.NUMBER)

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def is_background(self) -> bool:
        return bool(self.background)


class Option(models.Model):
    """An answer alternative. ``value`` is its code (1…n on a scale; 9 for "don't know" as in 002).

    A "don't know / not applicable" option (``excluded``) lies outside the scale: it is counted and
    shown apart, never in the valid percentages, the mean or the correlations.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    value = models.IntegerField(_("code"))
    label = models.CharField(_("label"), max_length=200)
    excluded = models.BooleanField(_("outside the scale (don't know)"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "position", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "value"],
                name="option_value_unique_per_question",
                violation_error_message=_("Two options of a question cannot have the same code."),
            )
        ]

    def __str__(self) -> str:
        return self.label


class Invitation(models.Model):
    """A personal invitation code, stored only as a keyed hash. One answer per code."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    code_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)
    batch = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["survey", "used"], name="invitation_survey_used")]

    def __str__(self) -> str:
        return f"{self.survey} – {self.code_hash[:8]}…"


class ResponseDraft(models.Model):
    """A half-finished answer, keyed by a hash of the invitation code or of a resume key."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="drafts")
    key_hash = models.CharField(max_length=64, unique=True)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("unfinished answer")
        verbose_name_plural = _("unfinished answers")

    def __str__(self) -> str:
        return f"{self.survey} – {self.key_hash[:8]}…"


class ResponseSource(models.TextChoices):
    WEB = "web", _("Answered on the portal")
    IMPORT = "import", _("Imported")


class Response(models.Model):
    """One submitted, anonymous answer to a survey. It references no code and no person."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    submitted_on = models.DateField(_("submitted on"), default=timezone.localdate)
    source = models.CharField(
        _("source"), max_length=10, choices=ResponseSource.choices, default=ResponseSource.WEB
    )
    #: Counted in live results; false while the response waits for the pool to reach the threshold.
    released = models.BooleanField(_("released to the results"), default=False, editable=False)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [
            models.Index(fields=["survey", "submitted_on"], name="response_survey_date"),
            models.Index(fields=["survey"], condition=models.Q(released=False), name="response_waiting"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"


class ImportLog(models.Model):
    """Who imported answers into a survey, when, and how many: every import, also a refused one."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="imports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: The user name at the time (kept if the account is deleted); "system" for a command.
    actor = models.CharField(_("by"), max_length=150)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    rejected = models.PositiveIntegerField(_("rows refused"), default=0)
    #: SHA-256 of the file as uploaded, so that the file kept elsewhere can be matched.
    sha256 = models.CharField(max_length=64, blank=True)
    refused = models.CharField(_("refused because"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("import of answers")
        verbose_name_plural = _("imports of answers")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.survey} {self.created_at:%Y-%m-%d %H:%M} ({self.imported})"


class Answer(models.Model):
    """One answer to one question (a multiple-choice question gives one row per option chosen).

    ``value`` is the number used in statistics: the option's code for a scale or choice (``None`` for
    an option outside the scale), the number for a number question. ``survey`` (and the response's
    ``released``) are denormalised so that results aggregate on one indexed table.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, null=True, blank=True, related_name="answers"
    )
    value = models.FloatField(null=True, blank=True)
    text = models.TextField(blank=True)
    #: The response's ``released``, denormalised so that results filter the one table they read.
    released = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [
            models.Index(fields=["question", "option"], name="answer_question_option"),
            models.Index(fields=["question", "response"], name="answer_question_response"),
            models.Index(fields=["survey", "question"], name="answer_survey_question"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code} = {self.option or self.value or self.text[:30]}"
