"""What user choice keeps about people, for how long, and the person's access and erasure
(privacy.retention, privacy.access).

Everything here is found by the digest of the person's number (``Decision.national_id_digest``):
a care decision is health data (GDPR art. 9), and so is everything that says she gets the service —
her choices of provider, waiting-list entries, visits, settlement lines and the log of who read her
decision. Each record is therefore *restricted*: the administration's export holds it in full only
for a user who may read the decision (the ordering unit, ``choice_selectors.decisions_for``); to
others it is withheld with the address where the ordering unit exports it. On Min side her own
export needs the high level (``citizens.assurance.CARE``). Finding them for a request is itself a
read of each decision and is logged as one (``DecisionRead``, by «personal data request»).

Retention (set per municipality within the bounds):

- decisions: 5 years after the decision ended (with its hours; and whatever of the other kinds is
  left of it), deleted;
- choices of provider: 5 years after the choice ended (or was cancelled), deleted;
- waiting-list entries: 1 year after the user left the list, deleted;
- visits: 5 years after the visit (the basis of the provider's payment: bookkeeping, 5 years);
- settlement lines: 5 years after the month (bookkeeping); the monthly statement keeps its total;
- reads of decisions: 2 years after the read.

School choice (``schools/models.py``) keeps a child's application in an intake round — her name, number,
address, wishes, a special-needs decision naming a school (sensitive: it enters the allocation and is
never shown to anyone else), the guardian's contact details and the digest of her number — and the
placements each run gave it, and the family's appeals. Found by the child's number, or by the
guardian's (the applications she sent; her own data in them). Restricted to those who administer
school choice (the school office, the administration); on Min side her own export needs the
substantial level, or the high one where a special-needs decision or an appeal's free text (which
may tell of health) is in it.

- school applications with their wishes and placements: 30 months after the round's applications
  closed — the school year they were for ends about 16 months after that, and a year more answers
  the questions and complaints that come after it (the seat, transport, the next school's intake).
  An application with an appeal is kept as long as the appeal. Deleted;
- appeals: 5 years after they were received — a decision's case documents (a complaint may go to
  the county governor and the ombud; the municipality's archive keeps its own copy by the Archives
  Act). Deleted.

Erasure deletes the child's applications (with wishes, placements and appeals: she leaves a round
still running as by a withdrawal); for a guardian it removes her e-mail, mobile and digest from the
applications she sent, which stay the child's.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from servicetorg.citizens.assurance import CARE, HIGH, SUBSTANTIAL
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, can
from servicetorg.core.validators import mask_national_id
from servicetorg.privacy.access import Holding, Person, Record
from servicetorg.privacy.retention import RecordKind

from . import decision_selectors
from .models import (
    Choice,
    ChoiceState,
    Decision,
    DecisionRead,
    SettlementLine,
    Visit,
    WaitingEntry,
    WaitingState,
)
from .schools.models import Appeal, SchoolApplication

YEAR = 365


# --- Retention ----------------------------------------------------------------------------------


def _delete_history(model, ids) -> None:
    history = getattr(model, "history", None)
    if history is not None:
        history.model.objects.filter(id__in=ids).delete()


def _delete_decisions(ids) -> int:
    """Delete decisions with everything that refers to them (PROTECT links first) and their history.
    The versions they replaced go with them (a version refers to the one it replaces)."""
    ids = set(ids)
    frontier = set(ids)
    while frontier:  # the older versions of the chain
        older = set(
            Decision.objects.filter(pk__in=frontier, replaces__isnull=False).values_list(
                "replaces_id", flat=True
            )
        )
        frontier = older - ids
        ids |= older
    SettlementLine.objects.filter(decision_id__in=ids).delete()
    Visit.objects.filter(decision_id__in=ids).delete()
    WaitingEntry.objects.filter(decision_id__in=ids).delete()
    choice_ids = list(Choice.objects.filter(decision_id__in=ids).values_list("pk", flat=True))
    Choice.objects.filter(pk__in=choice_ids).delete()
    _delete_history(Choice, choice_ids)
    Decision.objects.filter(pk__in=ids).update(replaces=None)
    count = Decision.objects.filter(pk__in=ids).delete()[1].get(Decision._meta.label, 0)
    _delete_history(Decision, ids)
    return count


def _decisions_due(municipality, cutoff):
    # the last version of a chain whose period ended (its older versions go with it)
    return Decision.objects.filter(
        municipality=municipality, valid_until__lt=cutoff.date(), replaced_by__isnull=True
    )


def _choices_due(municipality, cutoff):
    return Choice.objects.filter(decision__municipality=municipality).filter(
        Q(state=ChoiceState.ENDED, effective_until__lt=cutoff.date())
        | Q(state=ChoiceState.CANCELLED, chosen_at__lt=cutoff)
    )


def _choices_purge(ids) -> int:
    count = Choice.objects.filter(pk__in=ids).delete()[0]
    _delete_history(Choice, ids)
    return count


def _waiting_due(municipality, cutoff):
    return WaitingEntry.objects.filter(decision__municipality=municipality, ended_at__lt=cutoff).exclude(
        state=WaitingState.WAITING
    )


def _visits_due(municipality, cutoff):
    return Visit.objects.filter(decision__municipality=municipality, starts_at__lt=cutoff)


def _lines_due(municipality, cutoff):
    return SettlementLine.objects.filter(
        settlement__scheme__municipality=municipality, settlement__month__lt=cutoff.date()
    )


def _reads_due(municipality, cutoff):
    return DecisionRead.objects.filter(decision__municipality=municipality, at__lt=cutoff)


def _purge(model):
    def purge(ids) -> int:
        return model.objects.filter(pk__in=ids).delete()[0]

    return purge


def _school_applications_due(municipality, cutoff):
    return SchoolApplication.objects.filter(
        round__municipality=municipality, round__closes_on__lt=cutoff.date(), appeals__isnull=True
    )


def _delete_school_applications(ids) -> int:
    """Delete applications (their wishes and placements go with them) and their history rows; their
    appeals first (an appeal protects its application)."""
    ids = list(ids)
    _delete_appeals(list(Appeal.objects.filter(application_id__in=ids).values_list("pk", flat=True)))
    count = SchoolApplication.objects.filter(pk__in=ids).delete()[1].get(SchoolApplication._meta.label, 0)
    _delete_history(SchoolApplication, ids)
    return count


def _school_appeals_due(municipality, cutoff):
    return Appeal.objects.filter(application__round__municipality=municipality, received_at__lt=cutoff)


def _delete_appeals(ids) -> int:
    count = Appeal.objects.filter(pk__in=ids).delete()[0]
    _delete_history(Appeal, ids)
    return count


RETENTION = [
    RecordKind(
        key="choice.decisions",
        label=_(
            "Care decisions of user choice (health data: the hours decided, the person's name and number)"
        ),
        purpose=_("to give the person the service she is entitled to, and to pay the provider she chose"),
        counted_from=_("after the decision ended"),
        default_days=5 * YEAR,
        min_days=2 * YEAR,
        max_days=10 * YEAR,
        due=_decisions_due,
        date_field="valid_until",
        purge=_delete_decisions,
        outcome=_("deleted, with its choices, visits and settlement lines"),
        position=80,
    ),
    RecordKind(
        key="choice.choices",
        label=_("Choices and switches of provider"),
        purpose=_("to know which provider serves the person, from when, and why she switched"),
        counted_from=_("after the choice ended"),
        default_days=5 * YEAR,
        min_days=YEAR,
        max_days=10 * YEAR,
        due=_choices_due,
        date_field="effective_until",
        purge=_choices_purge,
        outcome=_("deleted"),
        position=81,
    ),
    RecordKind(
        key="choice.waiting",
        label=_("Places on a provider's waiting list"),
        purpose=_("to give a place to the one who has waited longest"),
        counted_from=_("after the person left the list"),
        default_days=YEAR,
        min_days=90,
        max_days=5 * YEAR,
        due=_waiting_due,
        date_field="ended_at",
        purge=_purge(WaitingEntry),
        outcome=_("deleted"),
        position=82,
    ),
    RecordKind(
        key="choice.visits",
        label=_("Visits of home-care providers (time, helper's pseudonym, attestation)"),
        purpose=_("to pay the provider for the hours performed, as the person attested"),
        counted_from=_("after the visit"),
        default_days=5 * YEAR,
        min_days=5 * YEAR,
        max_days=10 * YEAR,
        due=_visits_due,
        date_field="starts_at",
        purge=_purge(Visit),
        outcome=_("deleted"),
        position=83,
    ),
    RecordKind(
        key="choice.settlement_lines",
        label=_("Settlement lines per person (minutes decided, performed and paid)"),
        purpose=_("the basis of the monthly payment to each provider (bookkeeping)"),
        counted_from=_("after the month settled"),
        default_days=5 * YEAR,
        min_days=5 * YEAR,
        max_days=10 * YEAR,
        due=_lines_due,
        date_field="settlement__month",
        purge=_purge(SettlementLine),
        outcome=_("deleted; the monthly statement keeps its total"),
        position=84,
    ),
    RecordKind(
        key="choice.decision_reads",
        label=_("The log of who read a care decision"),
        purpose=_("to show who has read health data, and to find reads that should not have happened"),
        counted_from=_("after the read"),
        default_days=2 * YEAR,
        min_days=YEAR,
        max_days=10 * YEAR,
        due=_reads_due,
        date_field="at",
        purge=_purge(DecisionRead),
        outcome=_("deleted"),
        position=85,
    ),
    RecordKind(
        key="choice.school_applications",
        label=_(
            "School applications with their wishes and placements (the child's name, number and address, "
            "a special-needs decision, the guardian's contact details)"
        ),
        purpose=_("to allocate the school seats, tell the family the placement and answer its questions"),
        counted_from=_(
            "after the round's applications closed (an application with an appeal: as long as it)"
        ),
        default_days=30 * 30,
        min_days=18 * 30,
        max_days=10 * YEAR,
        due=_school_applications_due,
        date_field="round__closes_on",
        purge=_delete_school_applications,
        outcome=_("deleted, with the wishes and placements"),
        position=86,
    ),
    RecordKind(
        key="choice.school_appeals",
        label=_("Appeals against a school placement, with the answers"),
        purpose=_("to answer the appeal and show what was decided if it is taken further"),
        counted_from=_("after the appeal was received"),
        default_days=5 * YEAR,
        min_days=2 * YEAR,
        max_days=10 * YEAR,
        due=_school_appeals_due,
        date_field="received_at",
        purge=_delete_appeals,
        outcome=_("deleted"),
        position=87,
    ),
]


# --- Access and erasure -------------------------------------------------------------------------


def _decisions_of(municipality: Municipality, who: Person):
    digest = who.digest()
    if not digest:
        return Decision.objects.none()
    return Decision.objects.filter(municipality=municipality, national_id_digest=digest)


def _readable_by(decision: Decision):
    def readable(user) -> bool:
        return decision_selectors.decisions_for(user).filter(pk=decision.pk).exists()

    return readable


def _record(decision: Decision, key: str, title, fields=(), parts=()) -> Record:
    return Record(
        pk=decision.pk,
        title=f"{title} – {decision.scheme.name}",
        when=decision.decided_on,
        fields=list(fields),
        parts=list(parts),
        restricted=True,  # health data (GDPR art. 9)
        readable_by=_readable_by(decision),
        withheld_fields=[
            (_("decided on"), decision.decided_on),
            (_("ordering unit"), str(decision.unit or "")),
        ],
        level=CARE,
        own_export_url=reverse("privacy:personal-data-record", args=[key, decision.pk]),
    )


def _decision_record(d: Decision) -> Record:
    return _record(
        d,
        "choice.decisions",
        _("Care decision"),
        fields=[
            (_("name"), d.name),
            (_("national identity number"), mask_national_id(d.national_id)),
            (_("service"), str(d.scheme.service)),
            (_("scheme"), d.scheme.name),
            (_("ordering unit"), str(d.unit or "")),
            (_("district"), d.district),
            (_("case reference"), d.case_reference),
            (_("version"), d.version),
            (_("state"), d.get_state_display()),
            (_("decided on"), d.decided_on),
            (_("valid from"), d.valid_from),
            (_("valid until"), d.valid_until),
            (_("care level"), d.get_care_level_display() if d.care_level else ""),
        ],
        parts=[(str(h.get_band_display()), None, f"{h.hours_per_week} h/week") for h in d.hours.all()],
    )


def _choices_record(d: Decision) -> Record:
    return _record(
        d,
        "choice.choices",
        _("Choices of provider"),
        parts=[
            (
                str(c.provider),
                c.chosen_at,
                f"{c.get_how_display()}; {c.effective_from}–{c.effective_until or ''}; "
                f"{c.get_state_display()}; {c.get_reason_display()} {c.reason_text}".strip(),
            )
            for c in d.choices.all()
        ],
    )


def _waiting_record(d: Decision) -> Record:
    return _record(
        d,
        "choice.waiting",
        _("Waiting lists"),
        parts=[
            (str(w.provider), w.wished_at, f"{w.get_state_display()} {w.ended_at or ''}")
            for w in d.waiting.all()
        ],
    )


def _visits_record(d: Decision) -> Record:
    return _record(
        d,
        "choice.visits",
        _("Visits"),
        parts=[
            (
                str(v.provider),
                v.starts_at,
                f"{v.minutes} min, {v.get_band_display()}, {v.staff_pseudonym}; {v.get_state_display()}"
                f"{' (' + v.get_attested_by_display() + ')' if v.attested_by else ''}",
            )
            for v in d.visits.all()
        ],
    )


def _lines_record(d: Decision) -> Record:
    lines = SettlementLine.objects.filter(decision=d).select_related("settlement__provider")
    return _record(
        d,
        "choice.settlement_lines",
        _("Settlement lines"),
        parts=[
            (
                f"{line.settlement.provider} {line.settlement.month:%Y-%m}",
                line.settlement.month,
                f"{line.get_band_display()}: decided {line.decided_minutes} min, performed "
                f"{line.performed_minutes} min, paid {line.paid_minutes} min, NOK {line.amount}",
            )
            for line in lines
        ],
    )


def _reads_record(d: Decision) -> Record:
    return _record(
        d,
        "choice.decision_reads",
        _("Reads of the care decision"),
        parts=[(r.actor, r.at, r.where) for r in d.reads.all()],
    )


def _log(decisions, where: str) -> None:
    DecisionRead.objects.bulk_create(
        [DecisionRead(decision_id=d.pk, actor="personal data request", where=where) for d in decisions]
    )


def _finder(key: str, build, prefetch=(), *, has=None, log=False):
    def find(municipality, who) -> list[Record]:
        decisions = list(
            _decisions_of(municipality, who)
            .select_related("scheme__service", "unit")
            .prefetch_related(*prefetch)
            .order_by("decided_on", "pk")
        )
        if log and decisions:
            _log(decisions, "privacy.access")
        return [build(d) for d in decisions if has is None or has(d)]

    def find_one(pk, user):
        decision = (
            decision_selectors.decisions_for(user)
            .select_related("scheme__service", "unit", "municipality")
            .prefetch_related(*prefetch)
            .filter(pk=pk)
            .first()
        )
        if decision is None:
            return None
        _log([decision], "privacy.access (one record)")
        return decision.municipality, build(decision)

    return find, find_one


def _erase_of(model, path="decision__"):
    def erase(municipality, who) -> int:
        digest = who.digest()
        if not digest:
            return 0
        qs = model.objects.filter(
            **{f"{path}municipality": municipality, f"{path}national_id_digest": digest}
        )
        ids = list(qs.values_list("pk", flat=True))
        model.objects.filter(pk__in=ids).delete()
        _delete_history(model, ids)
        return len(ids)

    return erase


def _erase_decisions(municipality, who) -> int:
    ids = list(_decisions_of(municipality, who).values_list("pk", flat=True))
    return _delete_decisions(ids) if ids else 0


def _holding(key, label, build, erase, position, prefetch=(), has=None, log=False, outcome=None):
    find, find_one = _finder(key, build, prefetch, has=has, log=log)
    return Holding(
        key=key,
        label=label,
        find=find,
        erase=erase,
        outcome=outcome or _("deleted"),
        position=position,
        find_one=find_one,
    )


# Erasure runs in this order: what refers to a decision first, the decision last.
HOLDINGS = [
    _holding(
        "choice.decision_reads",
        _("Reads of care decisions"),
        _reads_record,
        _erase_of(DecisionRead),
        80,
        ("reads",),
        has=lambda d: bool(d.reads.all()),
    ),
    _holding(
        "choice.settlement_lines",
        _("Settlement lines (user choice)"),
        _lines_record,
        _erase_of(SettlementLine),
        81,
        has=lambda d: SettlementLine.objects.filter(decision=d).exists(),
        outcome=_("deleted; the monthly statement keeps its total"),
    ),
    _holding(
        "choice.visits",
        _("Visits (user choice)"),
        _visits_record,
        _erase_of(Visit),
        82,
        ("visits__provider",),
        has=lambda d: bool(d.visits.all()),
    ),
    _holding(
        "choice.waiting",
        _("Waiting lists (user choice)"),
        _waiting_record,
        _erase_of(WaitingEntry),
        83,
        ("waiting__provider",),
        has=lambda d: bool(d.waiting.all()),
    ),
    _holding(
        "choice.choices",
        _("Choices of provider"),
        _choices_record,
        _erase_of(Choice),
        84,
        ("choices__provider",),
        has=lambda d: bool(d.choices.all()),
    ),
    _holding(
        "choice.decisions",
        _("Care decisions (user choice)"),
        _decision_record,
        _erase_decisions,
        85,
        ("hours",),
        log=True,
    ),
]


# --- School choice: access and erasure ------------------------------------------------------------


def _school_readable(municipality_id: int):
    def readable(user) -> bool:
        return can(user, Perm.SCHOOL_ADMINISTER, municipality_id)

    return readable


def _school_applications_of(municipality: Municipality, who: Person):
    """The child's applications (her number) and those her guardian sent (the guardian's number)."""
    digest = who.digest()
    if not digest:
        return SchoolApplication.objects.none()
    return SchoolApplication.objects.filter(round__municipality=municipality).filter(
        Q(national_id_digest=digest) | Q(guardian_digest=digest)
    )


def _application_record(a: SchoolApplication) -> Record:
    round_ = a.round
    placements = sorted(a.placements.all(), key=lambda p: p.run_id)
    return Record(
        pk=a.pk,
        title=f"{_('School application')} – {round_.name}",
        when=a.submitted_at,
        fields=[
            (_("child's name"), a.name),
            (_("national identity number"), mask_national_id(a.national_id)),
            (_("intake round"), round_.name),
            (_("school year"), round_.school_year),
            (_("grade"), round_.grade),
            (_("address"), str(a.address)),
            (_("catchment school"), str(a.catchment_school or "")),
            (_("school named by a special-needs decision"), str(a.special_needs_school or "")),
            (_("submitted through"), a.get_source_display()),
            (_("state"), a.get_state_display()),
            (_("guardian's e-mail"), a.contact_email),
            (_("guardian's mobile"), a.contact_phone),
        ],
        parts=[
            (f"{w.rank}. {w.school}", None, str(_("a sibling attends this school")) if w.sibling else "")
            for w in sorted(a.wishes.all(), key=lambda w: w.rank)
        ]
        + [
            (
                f"{p.run.get_kind_display()} #{p.run_id}",
                p.run.created_at,
                f"{p.school or '—'}; {_('wish')} {p.wish_rank if p.wish_rank is not None else '—'}; "
                f"{_('lottery number')} {p.lottery}; {p.get_state_display()}",
            )
            for p in placements
        ],
        restricted=True,  # a special-needs decision, a child's data: the school office's
        readable_by=_school_readable(round_.municipality_id),
        withheld_fields=[(_("intake round"), round_.name)],
        level=HIGH if a.special_needs_school_id else SUBSTANTIAL,
        own_export_url=reverse("privacy:personal-data-record", args=["choice.school_applications", a.pk]),
    )


def _appeal_record(appeal: Appeal) -> Record:
    round_ = appeal.application.round
    return Record(
        pk=appeal.pk,
        title=f"{_('Appeal against a school placement')} – {round_.name}",
        when=appeal.received_at,
        fields=[
            (_("the appeal"), appeal.text),
            (_("state"), appeal.get_state_display()),
            (_("answer"), appeal.answer),
            (_("answered"), appeal.answered_at),
        ],
        restricted=True,  # free text: it may tell of health
        readable_by=_school_readable(round_.municipality_id),
        withheld_fields=[(_("intake round"), round_.name), (_("received"), appeal.received_at)],
        level=HIGH,
        own_export_url=reverse("privacy:personal-data-record", args=["choice.school_appeals", appeal.pk]),
    )


def _application_queryset(qs):
    return qs.select_related("round", "address", "catchment_school", "special_needs_school").prefetch_related(
        "wishes__school", "placements__run", "placements__school"
    )


def _find_school_applications(municipality, who) -> list[Record]:
    qs = _application_queryset(_school_applications_of(municipality, who)).order_by("submitted_at", "pk")
    return [_application_record(a) for a in qs]


def _find_one_school_application(pk, user):
    a = (
        _application_queryset(SchoolApplication.objects.filter(pk=pk))
        .select_related("round__municipality")
        .first()
    )
    if a is None or not can(user, Perm.SCHOOL_ADMINISTER, a.round.municipality_id):
        return None
    return a.round.municipality, _application_record(a)


def _appeals_of(municipality, who):
    return Appeal.objects.filter(application__in=_school_applications_of(municipality, who)).select_related(
        "application__round__municipality"
    )


def _find_school_appeals(municipality, who) -> list[Record]:
    return [_appeal_record(a) for a in _appeals_of(municipality, who).order_by("received_at", "pk")]


def _find_one_school_appeal(pk, user):
    appeal = Appeal.objects.filter(pk=pk).select_related("application__round__municipality").first()
    if appeal is None or not can(user, Perm.SCHOOL_ADMINISTER, appeal.application.round.municipality_id):
        return None
    return appeal.application.round.municipality, _appeal_record(appeal)


def _erase_school_appeals(municipality, who) -> int:
    """The child's appeals (a guardian's own data in her child's appeal is the child's case)."""
    digest = who.digest()
    if not digest:
        return 0
    ids = list(
        Appeal.objects.filter(
            application__round__municipality=municipality, application__national_id_digest=digest
        ).values_list("pk", flat=True)
    )
    return _delete_appeals(ids) if ids else 0


def _erase_school_applications(municipality, who) -> int:
    """Delete the child's applications; take the guardian's e-mail, mobile and digest out of the ones
    she sent for another child (they stay that child's)."""
    digest = who.digest()
    if not digest:
        return 0
    in_municipality = SchoolApplication.objects.filter(round__municipality=municipality)
    own = list(in_municipality.filter(national_id_digest=digest).values_list("pk", flat=True))
    deleted = _delete_school_applications(own) if own else 0
    sent = list(in_municipality.filter(guardian_digest=digest))
    for application in sent:
        application.contact_email = ""
        application.contact_phone = ""
        application.guardian_digest = ""
        # its history rows never held them (excluded fields): nothing to scrub there
        application.save(update_fields=["contact_email", "contact_phone", "guardian_digest", "updated_at"])
    return deleted + len(sent)


HOLDINGS += [
    Holding(
        key="choice.school_appeals",
        label=_("Appeals against a school placement"),
        find=_find_school_appeals,
        erase=_erase_school_appeals,
        outcome=_("deleted"),
        position=86,
        find_one=_find_one_school_appeal,
    ),
    Holding(
        key="choice.school_applications",
        label=_("School applications (school choice)"),
        find=_find_school_applications,
        erase=_erase_school_applications,
        outcome=_("the child's deleted; a guardian's contact details removed from those she sent"),
        position=87,
        find_one=_find_one_school_application,
    ),
]
