"""The rules the intake's fast path depends on, checked (a Django system check) instead of trusted.

The fast path is :class:`~servicetorg.inquiries.middleware.DirectIntakeMiddleware` (a new inquiry by
API key answered before the rest of the request cycle) and, on PostgreSQL, ``sql.insert_inquiry``
(the inquiry and every row derived from it in one statement). ``INQUIRIES_FAST_INTAKE = False``
(environment ``INQUIRIES_FAST_INTAKE=0``) turns both off: the viewset and the ORM then do all the
work, and the suite passes both ways (CI runs it both ways). docs/adr/0003-intake-fast-path.md has
the reasons and the measurements.

The rules, each an error of ``manage.py check`` (and of tests/inquiries/test_fast_path_rules.py):

- ``inquiries.E001``: no save signal receiver on the models the one statement writes, besides the
  history's (whose row the statement writes itself): a receiver would silently not run.
- ``inquiries.E002``: the middleware comes right after SecurityMiddleware (and WhiteNoise), before
  any middleware whose work a fast answer would skip (sessions, CSRF, authentication, language).
- ``inquiries.E003``: the rows derived from an inquiry have no foreign-key constraint in the database
  (models.py, CONCURRENT_INTAKE): each would make every intake lock the same referenced rows.
"""

from django.conf import settings
from django.core import checks
from django.db.models import ForeignKey, signals

MIDDLEWARE = "servicetorg.inquiries.middleware.DirectIntakeMiddleware"
#: What may come before the fast path: it applies to every answer, and needs nothing from a session.
ALLOWED_BEFORE = (
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
SAVE_SIGNALS = ("pre_save", "post_save")


def enabled() -> bool:
    return getattr(settings, "INQUIRIES_FAST_INTAKE", True)


def written_models() -> list:
    """The models whose rows the one-statement intake writes."""
    from .models import (
        BacklogStat,
        DailyServiceStat,
        DailyStat,
        IdempotencyRecord,
        Inquiry,
        InquiryMessage,
        ReplyTimeStat,
    )

    rollups = [DailyStat, DailyServiceStat, ReplyTimeStat, BacklogStat]
    return [Inquiry, InquiryMessage, IdempotencyRecord, *rollups]


def derived_models() -> list:
    """The rows derived from an inquiry, written only with it (no FK constraints: CONCURRENT_INTAKE)."""
    from .models import BacklogStat, DailyServiceStat, DailyStat, IdempotencyRecord, Inquiry, ReplyTimeStat

    rollups = [DailyStat, DailyServiceStat, ReplyTimeStat, BacklogStat]
    return [Inquiry.history.model, IdempotencyRecord, *rollups]


def _is_history_receiver(receiver) -> bool:
    from simple_history.models import HistoricalRecords

    return isinstance(getattr(receiver, "__self__", None), HistoricalRecords)


def signal_receivers() -> list[str]:
    """'model: signal receiver' for every save receiver the one statement would skip."""
    found = []
    for model in written_models():
        for name in SAVE_SIGNALS:
            sync, asynchronous = getattr(signals, name)._live_receivers(model)
            for receiver in [*sync, *asynchronous]:
                if not _is_history_receiver(receiver):
                    label = getattr(receiver, "__qualname__", repr(receiver))
                    found.append(f"{model._meta.label}: {name} {receiver.__module__}.{label}")
    return found


def middleware_problems(middleware: list[str]) -> list[str]:
    if MIDDLEWARE not in middleware:
        return []
    before = middleware[: middleware.index(MIDDLEWARE)]
    problems = [f"{name} comes before the fast path" for name in before if name not in ALLOWED_BEFORE]
    if ALLOWED_BEFORE[0] not in before:
        problems.append(f"{ALLOWED_BEFORE[0]} must come before the fast path")
    return problems


def constrained_foreign_keys() -> list[str]:
    return [
        f"{model._meta.label}.{field.name}"
        for model in derived_models()
        for field in model._meta.concrete_fields
        if isinstance(field, ForeignKey) and field.db_constraint
    ]


@checks.register()
def fast_path_rules(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if not enabled():
        return []
    errors: list[checks.CheckMessage] = []
    for found in signal_receivers():
        errors.append(
            checks.Error(
                f"A save signal receiver would not run on the intake's fast path: {found}.",
                hint="Do the work in services.py, or set INQUIRIES_FAST_INTAKE = False (docs/adr/0003).",
                id="inquiries.E001",
            )
        )
    for problem in middleware_problems(list(settings.MIDDLEWARE)):
        errors.append(
            checks.Error(
                f"DirectIntakeMiddleware's place: {problem}.",
                hint="Place it right after SecurityMiddleware (and WhiteNoise) (docs/adr/0003).",
                id="inquiries.E002",
            )
        )
    for found in constrained_foreign_keys():
        errors.append(
            checks.Error(
                f"A row derived from an inquiry has a foreign-key constraint: {found}.",
                hint="db_constraint=False (models.py, CONCURRENT_INTAKE; docs/adr/0003).",
                id="inquiries.E003",
            )
        )
    return errors
