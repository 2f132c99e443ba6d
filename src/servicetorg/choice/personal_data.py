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
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from servicetorg.citizens.assurance import CARE
from servicetorg.core.models import Municipality
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
