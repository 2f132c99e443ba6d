"""The kommunetest (issue 23): a question bank, protocols with their channel weights, rounds that
test regions of the municipality register by code, the items each tester records (e-mail, phone,
web) with their evidence, and each tested region's result.

A round belongs to the organising tenant (``municipality``). It names the regions it tests by code
(``RoundRegion.code``, e.g. "3909"), so a region needs to be no tenant; a tested region that *is* a
tenant (``Municipality.number == code``) does not see the round until it is published (blinding, see
``access.py``). When a round starts, its protocol's version and weights and each question's text,
answer key and rubric are copied onto the round and its items: what was tested stays what it was.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicetorg.core.models import Municipality


class ItemChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web")


class Device(models.TextChoices):
    DESKTOP = "desktop", _("Desktop")
    MOBILE = "mobile", _("Mobile")


class ReplyKind(models.TextChoices):
    RECEIPT = "receipt", _("Automatic receipt")
    PRELIMINARY = "preliminary", _("Preliminary reply")
    ANSWER = "answer", _("Answer")


class Question(models.Model):
    """A question of the organiser's bank: what the tester asks, in which channel and service area,
    the answer key and the rubric (one criterion a line) the answer is scored by. A web question may
    name the catalogue service it is about and the catalogue field that would hold the answer."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=ItemChannel.choices)
    area = models.CharField(_("service area"), max_length=80)
    text = models.TextField(_("question"), max_length=2000)
    answer_key = models.TextField(_("answer key"), max_length=4000)
    rubric = models.TextField(
        _("rubric"),
        max_length=4000,
        help_text=_("One criterion a line; the answer scores the share it meets."),
    )
    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("catalogue service"),
    )
    fix_field = models.CharField(
        _("catalogue field that would fix a failed web item"), max_length=60, blank=True
    )
    active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("test question")
        verbose_name_plural = _("test questions")
        ordering = ["channel", "area", "pk"]
        indexes = [models.Index(fields=["municipality", "channel"], name="st_question_channel")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.text[:60]}"

    def criteria(self) -> list[str]:
        return [line.strip() for line in self.rubric.splitlines() if line.strip()]

    def clean(self):
        if not self.criteria():
            raise ValidationError({"rubric": _("Give at least one criterion.")})
        if self.service_id and self.service.municipality_id != self.municipality_id:
            raise ValidationError({"service": _("The service belongs to another municipality.")})


class Protocol(models.Model):
    """How a round is run and weighed: a version and the channel weights (percent, summing to 100).
    Frozen (``frozen_at``) when the first round using it starts; results compare only within one
    version."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    version = models.CharField(_("version"), max_length=20)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    weight_web = models.PositiveSmallIntegerField(
        _("weight of web"), default=40, validators=[MaxValueValidator(100)]
    )
    weight_phone = models.PositiveSmallIntegerField(
        _("weight of phone"), default=30, validators=[MaxValueValidator(100)]
    )
    weight_email = models.PositiveSmallIntegerField(
        _("weight of e-mail"), default=30, validators=[MaxValueValidator(100)]
    )
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("test protocol")
        verbose_name_plural = _("test protocols")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "version"], name="st_protocol_version_unique"),
        ]

    def __str__(self) -> str:
        return self.version

    def weights(self) -> dict[str, int]:
        return {"web": self.weight_web, "phone": self.weight_phone, "email": self.weight_email}

    def clean(self):
        if sum(self.weights().values()) != 100:
            raise ValidationError(_("The channel weights must add up to 100."))


class RoundState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Testing")
    REVIEW = "review", _("Under review")
    PUBLISHED = "published", _("Published")


class Round(models.Model):
    """One kommunetest: the organiser, its protocol (frozen at start), the regions tested, its
    testers and items. ``seed`` makes the sample reproducible; ``sampling_note`` says how it was
    drawn (and whether population figures were available)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=160)
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="rounds")
    questions = models.ManyToManyField(
        Question, related_name="rounds", blank=True, verbose_name=_("questions")
    )
    state = models.CharField(_("state"), max_length=10, choices=RoundState.choices, default=RoundState.DRAFT)
    seed = models.PositiveIntegerField(_("sampling seed"), default=0)
    per_band = models.PositiveSmallIntegerField(
        _("regions per size band"), default=2, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    sampling_note = models.TextField(_("how the sample was drawn"), blank=True)
    protocol_version = models.CharField(_("protocol version"), max_length=20, blank=True)
    weights = models.JSONField(_("channel weights"), default=dict, blank=True)
    kappa = models.FloatField(_("Cohen's κ of the web testers"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("test round")
        verbose_name_plural = _("test rounds")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["municipality", "state"], name="st_round_state")]

    def __str__(self) -> str:
        return self.name


class RoundRegion(models.Model):
    """A region the round tests, by its register code, with its name and population as read when it
    was sampled, and (once published) its result."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="regions")
    code = models.CharField(_("region code"), max_length=4)
    name = models.CharField(_("name"), max_length=120)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    band = models.CharField(_("size band"), max_length=20, blank=True)
    total = models.FloatField(_("score"), null=True, blank=True)
    approved = models.BooleanField(_("approved"), default=False)
    by_channel = models.JSONField(_("score per channel"), default=dict, blank=True)
    by_area = models.JSONField(_("score per area"), default=dict, blank=True)

    class Meta:
        verbose_name = _("tested region")
        verbose_name_plural = _("tested regions")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["round", "code"], name="st_region_unique")]
        indexes = [models.Index(fields=["code"], name="st_region_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class RoundTester(models.Model):
    """A tester enrolled in a round, with the code of her own municipality: she never tests it."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="testers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    home_code = models.CharField(_("her own municipality (code)"), max_length=4)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tester")
        verbose_name_plural = _("testers")
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="st_tester_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.home_code})"


class ItemState(models.TextChoices):
    OPEN = "open", _("To test")
    RECORDED = "recorded", _("Recorded")
    APPROVED = "approved", _("Approved")


class Item(models.Model):
    """One question put to one region through one channel: the copy of the question as it was at the
    start, who tests it, what happened (replies, calls or web checks, the rubric's criteria met, the
    evidence) and the score."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="items")
    region = models.ForeignKey(RoundRegion, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=ItemChannel.choices)
    area = models.CharField(_("service area"), max_length=80)
    text = models.TextField(_("question"))
    answer_key = models.TextField(_("answer key"))
    rubric = models.JSONField(_("rubric"), default=list)
    fix_field = models.CharField(_("catalogue field that would fix it"), max_length=60, blank=True)
    service_slug = models.CharField(_("catalogue service"), max_length=80, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ItemState.choices, default=ItemState.OPEN)
    tester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tester"),
    )
    sent_at = models.DateTimeField(_("e-mail sent"), null=True, blank=True)
    inquiry_reference = models.CharField(_("the municipality's reference"), max_length=40, blank=True)
    criteria_met = models.JSONField(_("criteria met"), default=list, blank=True)
    transfers = models.PositiveSmallIntegerField(
        _("transfers"), default=0, validators=[MaxValueValidator(20)]
    )
    callback_promised = models.BooleanField(_("call-back promised"), default=False)
    callback_kept = models.BooleanField(_("call-back kept"), default=False)
    evidence = models.TextField(_("evidence"), max_length=20000, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    detail = models.JSONField(_("how it was scored"), default=dict, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("test item")
        verbose_name_plural = _("test items")
        ordering = ["region__name", "channel", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "region", "question"], name="st_item_unique"),
        ]
        indexes = [models.Index(fields=["round", "tester"], name="st_item_tester")]

    def __str__(self) -> str:
        return f"{self.region.name}: {self.text[:60]}"

    def quality(self) -> float:
        """The rubric's score: the share of criteria met, 0–100."""
        if not self.rubric:
            return 0.0
        met = sum(
            1 for i, _c in enumerate(self.rubric) if i < len(self.criteria_met) and self.criteria_met[i]
        )
        return 100.0 * met / len(self.rubric)


class Reply(models.Model):
    """A message back on an e-mail item (its time as received, an excerpt as evidence)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="replies")
    kind = models.CharField(_("kind"), max_length=12, choices=ReplyKind.choices)
    at = models.DateTimeField(_("received"))
    promised_by = models.DateField(_("answer promised by"), null=True, blank=True)
    excerpt = models.TextField(_("excerpt"), max_length=4000, blank=True)
    history = HistoricalRecords()  # a re-record replaces the replies: the history keeps the earlier

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class Call(models.Model):
    """A call attempt on a phone item: when, the wait (by the form's stopwatch) and whether anyone
    answered."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="calls")
    at = models.DateTimeField(_("called"))
    wait_seconds = models.PositiveIntegerField(_("wait (seconds)"), validators=[MaxValueValidator(3600)])
    answered = models.BooleanField(_("answered"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    history = HistoricalRecords()  # a re-record replaces the calls: the history keeps the earlier

    class Meta:
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} ({self.wait_seconds} s)"


class WebCheck(models.Model):
    """One tester's check of a web item on one device: found (the right answer, within the two
    minutes) or not, and the seconds used."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="checks")
    tester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    device = models.CharField(_("device"), max_length=10, choices=Device.choices)
    found = models.BooleanField(_("found the answer"))
    seconds = models.PositiveSmallIntegerField(_("seconds used"), validators=[MaxValueValidator(600)])
    url = models.URLField(_("where it was found"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()  # sending an item back removes its checks: the history keeps them

    class Meta:
        verbose_name = _("web check")
        verbose_name_plural = _("web checks")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "tester", "device"], name="st_webcheck_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_device_display()}: {self.found} ({self.seconds} s)"
