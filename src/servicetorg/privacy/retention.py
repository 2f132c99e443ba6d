"""Retention of personal data: a period per kind of record, set per municipality, and the nightly purge.

Core imports no domain app (DESIGN.md, ADR 0004), so each app says what it keeps: its AppConfig
names a module in ``personal_data`` (e.g. ``personal_data = "servicetorg.inquiries.personal_data"``)
that defines

- ``RETENTION``: :class:`RecordKind` objects — one kind of record, its default period and bounds,
  which rows are due (:attr:`RecordKind.due`) and how one batch of them is purged
  (:attr:`RecordKind.purge`: deleted, with their history rows and files; or anonymised where a row
  carries statistics, see docs/security.md);
- ``HOLDINGS``: what the app holds about one person (privacy.access, the right of access and
  erasure).

A kind with ``per_municipality=False`` (sessions, log-in attempts, idempotency keys: rows that belong
to no municipality) has one fixed platform-wide period; the others are set per municipality within
their bounds on the staff page (``privacy.retention``), each change audited (RetentionRule.history and
the privacy log).

:func:`purge` runs nightly (``privacy.purge_personal_data``) and from ``manage.py purge_personal_data``;
with ``dry_run`` it only counts (how many rows would go and the oldest date).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from servicetorg.core import permissions
from servicetorg.core.models import Municipality
from servicetorg.core.permissions import Perm, user_of

from .models import PrivacyAction, PrivacyLog, RetentionRule

#: Rows purged per transaction: a batch holds its locks briefly, a failure undoes one batch only.
BATCH_SIZE = 500


@dataclass(frozen=True)
class RecordKind:
    key: str  # "<app>.<kind>", stored in RetentionRule.kind
    label: Any  # lazy text: "Closed inquiries with their messages, attachments and history"
    #: Why the platform keeps it (the privacy statement says this).
    purpose: Any
    #: From when the period counts (lazy text, completes "kept for N days …"): "after it was closed".
    counted_from: Any
    default_days: int
    min_days: int
    max_days: int
    #: ``(municipality or None, cutoff) -> QuerySet`` of the rows whose period ended before
    #: ``cutoff`` (not yet purged: a purged row must not be due again).
    due: Callable[[Municipality | None, datetime], QuerySet]
    #: The field of :attr:`due`'s rows the period counts from (for the report's oldest date).
    date_field: str
    #: ``(list of primary keys) -> int``: purge one batch (called inside a transaction).
    purge: Callable[[list], int]
    per_municipality: bool = True
    position: int = 100
    #: What happens to the rows (lazy text), e.g. "deleted" or "anonymised: the statistics stay".
    outcome: Any = ""
    notes: tuple = field(default_factory=tuple)


class RetentionRegistryError(ValueError):
    """Two apps registered the same kind, or a kind's default lies outside its bounds."""


@cache
def kinds() -> tuple[RecordKind, ...]:
    """Every kind the installed apps registered, in their order (read once per process)."""
    found: list[RecordKind] = []
    for config in apps.get_app_configs():
        path = getattr(config, "personal_data", None)
        if path:
            found.extend(getattr(import_module(path), "RETENTION", ()))
    keys = [k.key for k in found]
    if len(keys) != len(set(keys)):
        raise RetentionRegistryError(f"Retention kinds registered twice: {sorted(keys)}")
    for kind in found:
        if not kind.min_days <= kind.default_days <= kind.max_days:
            raise RetentionRegistryError(f"{kind.key}: default outside its bounds")
        if not kind.per_municipality and kind.min_days != kind.max_days:
            raise RetentionRegistryError(f"{kind.key}: a platform-wide period is fixed (min = max)")
    return tuple(sorted(found, key=lambda k: (k.position, k.key)))


def kind(key: str) -> RecordKind:
    for k in kinds():
        if k.key == key:
            return k
    raise KeyError(key)


def describe_days(days: int) -> str:
    """A period in words: whole years, else whole months (30 days), else days."""
    if days >= 365 and days % 365 == 0:
        n = days // 365
        return ngettext("%(n)d year", "%(n)d years", n) % {"n": n}
    if days >= 60 and days % 30 == 0:
        n = days // 30
        return ngettext("%(n)d month", "%(n)d months", n) % {"n": n}
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


@dataclass(frozen=True)
class Period:
    kind: RecordKind
    days: int
    is_default: bool

    @property
    def text(self) -> str:
        return describe_days(self.days)


def periods(municipality: Municipality | None) -> list[Period]:
    """Each kind's period for ``municipality`` (its own rule, else the default); the platform-wide
    kinds too. One query."""
    own = {}
    if municipality is not None:
        own = dict(RetentionRule.objects.filter(municipality=municipality).values_list("kind", "days"))
    out = []
    for k in kinds():
        if k.per_municipality and k.key in own:
            out.append(Period(k, own[k.key], False))
        else:
            out.append(Period(k, k.default_days, True))
    return out


def period_days(municipality: Municipality | None, key: str) -> int:
    return next(p.days for p in periods(municipality) if p.kind.key == key)


@transaction.atomic
def set_periods(municipality: Municipality, days_by_kind: dict[str, int], *, user) -> list[str]:
    """Save the municipality's periods (a period equal to the default removes its own rule). Refuses a
    period outside its kind's bounds, per field. Returns the keys that changed; audited per rule
    (history) and in the privacy log."""
    permissions.require(user, Perm.RETENTION, municipality.pk)
    errors = {}
    for key, days in days_by_kind.items():
        try:
            k = kind(key)
        except KeyError:
            errors[key] = _("Unknown kind of record.")
            continue
        if not k.per_municipality:
            errors[key] = _("This period is the same for the whole platform and cannot be changed here.")
        elif days is None or not k.min_days <= days <= k.max_days:
            errors[key] = _("Give a whole number of days from %(min)d to %(max)d.") % {
                "min": k.min_days,
                "max": k.max_days,
            }
    if errors:
        raise ValidationError(errors)
    current = {p.kind.key: p for p in periods(municipality)}
    changed = []
    for key, days in days_by_kind.items():
        if current[key].days == days:
            continue
        changed.append(key)
        rule = RetentionRule.objects.filter(municipality=municipality, kind=key).first()
        if days == kind(key).default_days:
            if rule is not None:
                _audited(rule, user)
                rule.delete()
            continue
        rule = rule or RetentionRule(municipality=municipality, kind=key)
        rule.days = days
        _audited(rule, user)
        rule.save()
    if changed:
        log(
            municipality,
            PrivacyAction.RULES,
            user,
            detail={"kinds": changed},
            counts={key: days_by_kind[key] for key in changed},
        )
    return changed


def _audited(instance: Any, user) -> None:
    """Who changes ``instance``, for its history row (simple-history reads ``_history_user``)."""
    instance._history_user = user_of(user)


def log(municipality: Municipality | None, action: str, user, *, detail=None, counts=None) -> PrivacyLog:
    """One entry of the privacy log (who, when, what, how many: never the personal data itself)."""
    permissions.check_actor(user)
    actor = user_of(user)
    return PrivacyLog.objects.create(
        municipality=municipality,
        action=action,
        user=actor,
        actor=actor.get_username() if actor is not None else str(user),
        detail=detail or {},
        counts=counts or {},
    )


# --- The purge ------------------------------------------------------------------------------------


@dataclass
class PurgeLine:
    municipality: Municipality | None  # None: a platform-wide kind
    kind: RecordKind
    days: int
    cutoff: datetime
    due: int  # rows whose period has ended (before the run)
    oldest: datetime | None  # the oldest of them (its date field)
    purged: int = 0  # rows purged (0 in a dry run)


def _oldest(qs: QuerySet, date_field: str):
    return qs.aggregate(oldest=Min(date_field))["oldest"]


def purge(
    *,
    user,
    municipality: Municipality | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    kind_keys: list[str] | None = None,
    batch_size: int = BATCH_SIZE,
) -> list[PurgeLine]:
    """Purge every row whose retention period has ended: per municipality (all, or ``municipality``)
    and kind, in batches of ``batch_size``, each in its own transaction. ``dry_run`` only counts.
    Platform-wide kinds are purged when no single municipality is asked for. Logged per municipality."""
    if municipality is not None:
        permissions.require(user, Perm.RETENTION, municipality.pk)
    elif not permissions.is_system(user) and not getattr(user, "is_superuser", False):
        raise PermissionDenied
    now = now or timezone.now()
    chosen = [k for k in kinds() if kind_keys is None or k.key in kind_keys]
    municipalities = (
        [municipality] if municipality is not None else list(Municipality.objects.order_by("name"))
    )
    lines: list[PurgeLine] = []
    if municipality is None:
        for k in chosen:
            if not k.per_municipality:
                lines.append(_purge_kind(None, k, k.default_days, now, dry_run, batch_size))
    for m in municipalities:
        by_key = {p.kind.key: p.days for p in periods(m)}
        own = [
            _purge_kind(m, k, by_key[k.key], now, dry_run, batch_size) for k in chosen if k.per_municipality
        ]
        lines.extend(own)
        if not dry_run and any(line.purged for line in own):
            log(
                m,
                PrivacyAction.PURGE,
                user,
                counts={line.kind.key: line.purged for line in own if line.purged},
            )
    if not dry_run and any(line.purged for line in lines if line.municipality is None):
        platform = {line.kind.key: line.purged for line in lines if line.municipality is None and line.purged}
        log(None, PrivacyAction.PURGE, user, counts=platform)
    return lines


def _purge_kind(m, k: RecordKind, days: int, now, dry_run: bool, batch_size: int) -> PurgeLine:
    cutoff = now - timedelta(days=days)
    due = k.due(m, cutoff)
    line = PurgeLine(m, k, days, cutoff, due.count(), _oldest(due, k.date_field))
    if dry_run or not line.due:
        return line
    seen: set = set()
    while True:
        with transaction.atomic():
            ids = list(
                k.due(m, cutoff).order_by(k.date_field, "pk").values_list("pk", flat=True)[:batch_size]
            )
            if not ids or seen.issuperset(ids):  # a kind whose purge leaves its rows due: stop, do not loop
                break
            seen.update(ids)
            k.purge(ids)
            line.purged += len(ids)
    return line
