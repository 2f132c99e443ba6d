"""School choice: schools, the address register that names each address's catchment school, intake
rounds with their seats and rules, the families' applications and wishes, allocation runs with their
certificate, placements, cutoffs, appeals and the per-pupil budget (elevsjekk).

A round's rules are fixed when it opens; its lottery seed is committed (its SHA-256 published) when
applications close and revealed after the run, so anyone can recompute the lottery numbers
(``lottery.py``). A run never changes: a waiting-list re-run or a what-if is a new run.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicetorg.core.crypto import DigestField, EncryptedTextField
from servicetorg.core.models import Municipality
from servicetorg.core.validators import validate_national_id


class Stage(models.TextChoices):
    PRIMARY = "primary", _("Primary school (grades 1–7)")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary school (grades 8–10)")


def stage_of(grade: int) -> str:
    return Stage.PRIMARY if grade <= 7 else Stage.LOWER_SECONDARY


class School(models.Model):
    """A school of the municipality, with its own presentation (egenomtale) and its place on the map
    (straight-line distances for the catchment fallback and the transport rules)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(_("name"), max_length=200)
    first_grade = models.PositiveSmallIntegerField(
        _("first grade"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    last_grade = models.PositiveSmallIntegerField(
        _("last grade"), default=7, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    profile = models.TextField(_("profile (egenomtale)"), max_length=4000, blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="choice_school_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.last_grade < self.first_grade:
            raise ValidationError({"last_grade": _("The last grade cannot come before the first.")})

    def teaches(self, grade: int) -> bool:
        return self.first_grade <= grade <= self.last_grade


class SchoolAddress(models.Model):
    """An address of the municipality with its coordinates and its catchment schools (nærskole) for
    primary and lower secondary school: the school district as the municipality has drawn it."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="school_addresses")
    address = models.CharField(_("address"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    district = models.CharField(_("school district"), max_length=100, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    primary_school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("primary school"),
    )
    secondary_school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lower secondary school"),
    )

    class Meta:
        verbose_name = _("address with catchment school")
        verbose_name_plural = _("addresses with catchment schools")
        ordering = ["address"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "address", "postcode"], name="choice_school_address_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.address}, {self.postcode}".strip(", ")

    def catchment(self, grade: int) -> School | None:
        return self.primary_school if stage_of(grade) == Stage.PRIMARY else self.secondary_school


class Intake(models.TextChoices):
    FIRST_GRADE = "first", _("Starting 1st grade")
    EIGHTH_GRADE = "eighth", _("Starting 8th grade")
    TRANSFER = "transfer", _("Transfer during the school year")


class Priority(models.TextChoices):
    """The priority groups a round may publish, in the order the round chooses; everyone not in a
    chosen group is in the last group, «others». The lottery breaks ties inside a group."""

    SPECIAL_NEEDS = "special_needs", _("Special needs, by an individual decision")
    SIBLING = "sibling", _("A sibling at the school")
    CATCHMENT = "catchment", _("The catchment school (nærskole)")
    OTHER = "other", _("Others")


class TieBreak(models.TextChoices):
    SINGLE = "single", _("One lottery number per applicant, used at every school")
    PER_SCHOOL = "per_school", _("A new lottery number at each school")


class RoundState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for applications")
    CLOSED = "closed", _("Closed; the lottery seed is committed")
    ALLOCATED = "allocated", _("Allocated, not yet published")
    PUBLISHED = "published", _("Published to the families")
    FINISHED = "finished", _("Finished")


DEFAULT_PRIORITIES = [Priority.SPECIAL_NEEDS, Priority.SIBLING, Priority.CATCHMENT]


class Round(models.Model):
    """An intake round (opptak): the grade, the schools and their seats (:class:`RoundSchool`), the
    published priority order and tie break, the number of wishes and the guarantee. Its rules are
    settled while it is a draft; opening publishes them."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="school_rounds")
    name = models.CharField(_("name"), max_length=200)
    school_year = models.PositiveSmallIntegerField(
        _("school year (autumn)"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    intake = models.CharField(_("intake"), max_length=20, choices=Intake.choices, default=Intake.FIRST_GRADE)
    grade = models.PositiveSmallIntegerField(
        _("grade"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    opens_on = models.DateField(_("applications open"))
    closes_on = models.DateField(_("applications close"))
    answer_within_days = models.PositiveSmallIntegerField(
        _("days to accept or decline"), default=14, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    wishes = models.PositiveSmallIntegerField(
        _("number of wishes"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    #: Priority codes, best first (``Priority`` without OTHER, which is always last).
    priorities = models.JSONField(_("priority order"), default=list, blank=True)
    tie_break = models.CharField(
        _("tie break"), max_length=20, choices=TieBreak.choices, default=TieBreak.SINGLE
    )
    guarantee = models.BooleanField(
        _("guarantee a seat at the catchment school"),
        default=True,
        help_text=_("The catchment school is added below the wishes with a guaranteed seat."),
    )
    state = models.CharField(_("state"), max_length=20, choices=RoundState.choices, default=RoundState.DRAFT)
    #: SHA-256 (hex) of the seed, published when applications close; the seed itself after the run.
    seed_hash = models.CharField(_("lottery seed, SHA-256"), max_length=64, blank=True)
    seed = EncryptedTextField(_("lottery seed"), blank=True)  # secret until the run
    seed_committed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["seed"])

    class Meta:
        verbose_name = _("intake round")
        verbose_name_plural = _("intake rounds")
        ordering = ["-school_year", "grade", "name"]
        indexes = [models.Index(fields=["municipality", "state"])]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("Applications cannot close before they open.")})
        unknown = [p for p in self.priorities if p not in Priority.values or p == Priority.OTHER]
        if unknown or len(set(self.priorities)) != len(self.priorities):
            raise ValidationError({"priorities": _("Choose each priority group at most once.")})
        first = self.priorities[:1] == [Priority.CATCHMENT]
        second = self.priorities[:2] == [Priority.SPECIAL_NEEDS, Priority.CATCHMENT]
        if self.guarantee and not (first or second):
            raise ValidationError(
                {
                    "priorities": _(
                        "With the guarantee, the catchment school must be the first priority group "
                        "(or the second, after special needs): otherwise the seat cannot be guaranteed."
                    )
                }
            )

    def priority_labels(self) -> list[str]:
        return [str(Priority(p).label) for p in [*self.priorities, Priority.OTHER]]


class RoundSchool(models.Model):
    """A school in a round and the seats it offers in the round's grade."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="schools")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="round_seats")
    seats = models.PositiveIntegerField(_("seats"), validators=[MaxValueValidator(2000)])
    class_size = models.PositiveSmallIntegerField(
        _("pupils per class"), default=25, validators=[MinValueValidator(1), MaxValueValidator(40)]
    )

    class Meta:
        verbose_name = _("school in the round")
        verbose_name_plural = _("schools in the round")
        ordering = ["school__name"]
        constraints = [models.UniqueConstraint(fields=["round", "school"], name="choice_round_school_unique")]

    def __str__(self) -> str:
        return f"{self.school} ({self.seats})"


class ApplicationSource(models.TextChoices):
    PORTAL = "portal", _("Min side")
    IMPORT = "import", _("Imported file")
    STAFF = "staff", _("Registered by the school office")


class SchoolApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SchoolApplication(models.Model):
    """A child's application in a round: the wishes (:class:`Wish`), the address (catchment and
    distances), a special-needs decision naming a school (sensitive: it enters the allocation and
    is never shown on a public page or to another family). One per child per round."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="applications")
    national_id = EncryptedTextField(_("child's national identity number"), validators=[validate_national_id])
    national_id_digest = DigestField(source="national_id")
    name = EncryptedTextField(_("child's name"), max_length=1000)  # the token of 200 characters
    #: The guardian who applied on Min side (keyed digest of her number); empty when imported.
    guardian_digest = models.CharField(max_length=64, blank=True, db_index=True)
    contact_email = EncryptedTextField(_("guardian's e-mail"), blank=True, max_length=600)
    contact_phone = EncryptedTextField(_("guardian's mobile"), blank=True, max_length=255)
    address = models.ForeignKey(
        SchoolAddress, on_delete=models.PROTECT, related_name="applications", verbose_name=_("address")
    )
    catchment_school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("catchment school"),
    )
    special_needs_school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school named by a special-needs decision"),
    )
    source = models.CharField(
        max_length=20, choices=ApplicationSource.choices, default=ApplicationSource.PORTAL
    )
    #: The import file's own id of the row (idempotent re-import).
    external_id = models.CharField(max_length=64, blank=True)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=SchoolApplicationState.choices,
        default=SchoolApplicationState.SUBMITTED,
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(
        excluded_fields=["national_id", "national_id_digest", "name", "contact_email", "contact_phone"]
    )

    class Meta:
        verbose_name = _("school application")
        verbose_name_plural = _("school applications")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "national_id_digest"], name="choice_school_app_one_per_child"
            ),
            models.UniqueConstraint(
                fields=["round", "external_id"],
                condition=~models.Q(external_id=""),
                name="choice_school_app_external_unique",
            ),
        ]
        indexes = [models.Index(fields=["round", "state"])]

    def __str__(self) -> str:
        return f"{self.round} #{self.pk}"


class Wish(models.Model):
    """One school on an application, in the family's order (rank 1 = first wish)."""

    application = models.ForeignKey(SchoolApplication, on_delete=models.CASCADE, related_name="wishes")
    rank = models.PositiveSmallIntegerField(
        _("rank"), validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    sibling = models.BooleanField(_("a sibling attends this school"), default=False)

    class Meta:
        verbose_name = _("wish")
        verbose_name_plural = _("wishes")
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="choice_wish_rank_unique"),
            models.UniqueConstraint(fields=["application", "school"], name="choice_wish_school_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.school}"


class RunKind(models.TextChoices):
    MAIN = "main", _("Main allocation")
    WAITING_LIST = "waiting_list", _("Waiting-list re-run")
    WHAT_IF = "what_if", _("What-if")


class AllocationRun(models.Model):
    """One run of the allocation over a round's applications, never changed afterwards: its inputs'
    fingerprint, its variant (a what-if's changes), and the certificate the run proved about its own
    result (stable, no wasted seat, counts by wish rank, guaranteed and unplaced)."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="runs")
    kind = models.CharField(_("kind"), max_length=20, choices=RunKind.choices, default=RunKind.MAIN)
    label = models.CharField(_("label"), max_length=200, blank=True)
    #: What-if changes: {"extra_seats": {school_id: seats}, "drop": ["sibling"], "tie_break": ...,
    #: "rule": "first_wish_first"}; empty for the main run and waiting-list re-runs.
    variant = models.JSONField(default=dict, blank=True)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="followers"
    )
    seed_hash = models.CharField(max_length=64)
    input_hash = models.CharField(max_length=64)  # SHA-256 of the arrays the engine was given
    certificate = models.JSONField(default=dict)
    milliseconds = models.PositiveIntegerField(default=0)
    current = models.BooleanField(default=False)  # the run whose placements the families see
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round"], condition=models.Q(current=True), name="choice_one_current_run_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.get_kind_display()} #{self.pk}"


class PlacementState(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    UNPLACED = "unplaced", _("No seat")


class Placement(models.Model):
    """An application's result in a run: the school (or none), at which wish rank (0: the guaranteed
    catchment school below the wishes), the priority group and lottery number it competed with."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="placements")
    application = models.ForeignKey(SchoolApplication, on_delete=models.CASCADE, related_name="placements")
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    wish_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    guaranteed = models.BooleanField(default=False)
    lottery = models.PositiveIntegerField()
    state = models.CharField(
        _("state"), max_length=20, choices=PlacementState.choices, default=PlacementState.OFFERED
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    distance_km = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    catchment_distance_km = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["run", "application"]
        constraints = [
            models.UniqueConstraint(fields=["run", "application"], name="choice_placement_once_per_run"),
        ]
        indexes = [models.Index(fields=["run", "school"])]

    def __str__(self) -> str:
        return f"{self.application}: {self.school or '—'}"


class Cutoff(models.Model):
    """A school's last seat in a run: the priority group and lottery number of the last applicant it
    admitted (``full`` false: it had a seat left and turned nobody away). Published per school."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="cutoffs")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    seats = models.PositiveIntegerField()
    placed = models.PositiveIntegerField()
    first_wishes = models.PositiveIntegerField(default=0)
    full = models.BooleanField()
    #: Index into the round's priority groups (0 = the first), and the lottery number at that school.
    last_group = models.PositiveSmallIntegerField(null=True, blank=True)
    last_lottery = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("cutoff")
        verbose_name_plural = _("cutoffs")
        ordering = ["run", "school__name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "school"], name="choice_cutoff_once_per_school")
        ]

    def __str__(self) -> str:
        return f"{self.run}: {self.school}"


class AppealState(models.TextChoices):
    RECEIVED = "received", _("Received")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Not upheld")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Appeal(models.Model):
    """A family's appeal (klage) against a placement, registered and answered with reasons."""

    application = models.ForeignKey(SchoolApplication, on_delete=models.PROTECT, related_name="appeals")
    text = EncryptedTextField(_("the appeal"), max_length=14000)  # the token of 5 000 characters
    state = models.CharField(
        _("state"), max_length=20, choices=AppealState.choices, default=AppealState.RECEIVED
    )
    answer = EncryptedTextField(_("answer"), blank=True, max_length=14000)
    received_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["text", "answer"])

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.application}: {self.get_state_display()}"


class BudgetModel(models.Model):
    """The per-pupil budget (elevsjekk) of a school year: each school gets its pupils × the rate of
    their stage, a base grant, a share of the common costs by pupils, and its special allocations."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="school_budgets")
    school_year = models.PositiveSmallIntegerField(
        _("school year (autumn)"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    rate_primary = models.DecimalField(
        _("rate per pupil, grades 1–7 (NOK)"),
        max_digits=10,
        decimal_places=0,
        validators=[MinValueValidator(Decimal(0))],
    )
    rate_secondary = models.DecimalField(
        _("rate per pupil, grades 8–10 (NOK)"),
        max_digits=10,
        decimal_places=0,
        validators=[MinValueValidator(Decimal(0))],
    )
    base_grant = models.DecimalField(
        _("base grant per school (NOK)"),
        max_digits=12,
        decimal_places=0,
        validators=[MinValueValidator(Decimal(0))],
    )
    common_costs = models.DecimalField(
        _("common costs shared by pupils (NOK)"),
        max_digits=12,
        decimal_places=0,
        validators=[MinValueValidator(Decimal(0))],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("per-pupil budget model")
        verbose_name_plural = _("per-pupil budget models")
        ordering = ["-school_year"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "school_year"], name="choice_budget_year_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.school_year}"


class BudgetSchool(models.Model):
    """A school's inputs to the budget besides the round's new pupils: the pupils continuing in its
    other grades and its special allocations (e.g. special education), with the reason."""

    model = models.ForeignKey(BudgetModel, on_delete=models.CASCADE, related_name="schools")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    continuing_primary = models.PositiveIntegerField(_("continuing pupils, grades 1–7"), default=0)
    continuing_secondary = models.PositiveIntegerField(_("continuing pupils, grades 8–10"), default=0)
    special_allocation = models.DecimalField(
        _("special allocations (NOK)"),
        max_digits=12,
        decimal_places=0,
        default=0,
        validators=[MinValueValidator(Decimal(0))],
    )
    special_reason = models.CharField(_("what the special allocations are for"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("school in the budget")
        verbose_name_plural = _("schools in the budget")
        ordering = ["school__name"]
        constraints = [
            models.UniqueConstraint(fields=["model", "school"], name="choice_budget_school_unique")
        ]

    def __str__(self) -> str:
        return f"{self.model}: {self.school}"
