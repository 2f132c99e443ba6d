"""Domain operations of the service catalogue: used by staff views, API, admin and commands alike.

A service's text lives in versions (ServiceDescription): draft → published → archived. The published
version stays on the portal while a new draft is edited; publishing the draft archives the old one.
"""

import re
from datetime import date, timedelta

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.core.choices import Channel
from servicetorg.core.db import is_postgresql
from servicetorg.core.permissions import Perm, require, user_of

from . import workflow
from .models import Promise, Service, ServiceDescription, VersionState
from .selectors import SEARCH_CONFIG
from .workflow import SERVICE_WORKFLOW, VERSION_WORKFLOW

DESCRIPTION_FIELDS = (
    "name",
    "summary",
    "content",
    "target_group",
    "expectations",
    "user_actions",
    "required_documents",
    "application_url",
    "price",
    "price_amount",
    "case_flow",
    "legal_basis",
    "legal_basis_url",
    "contact",
    "case_officer_role",
    "opening_hours",
    "appeal",
    "declaration",
)
PROMISE_FIELDS = ("kind", "limit_value", "limit_unit", "text", "guarantee", "compensation_amount")
SERVICE_FIELDS = (
    "area",
    "slug",
    "responsible_unit",
    "ladder_level",
    "channels",
    "requires_national_id",
    "asks_location",
    "sensitive",
    "assurance_level",
    "review_due",
    "search_words",
    "search_words_en",
)
REVIEW_INTERVAL = timedelta(days=365)


def _as_user(instance, user):
    instance._history_user = user_of(user)
    return instance


def _require_edit(user, municipality_id: int, unit_id: int | None) -> None:
    """Administration edits every service of its municipality, a unit leader those of her unit (a
    unit leader without a unit binding leads at municipality level): the roles matrix."""
    require(user, Perm.CATALOGUE_EDIT, municipality_id, unit_id)


def validate_channels(channels) -> list[str]:
    valid = set(Channel.values)
    if not isinstance(channels, list | tuple) or any(c not in valid for c in channels):
        raise ValidationError({"channels": _("Choose channels from the list.")})
    return list(dict.fromkeys(channels))


#: A search word: letters and digits, with spaces, hyphens and full stops inside ("fritt behandlingsvalg").
_SEARCH_WORD = re.compile(r"[^\W_](?:[\w .\-]*[^\W_])?")
MAX_SEARCH_WORDS = 30
MAX_SEARCH_WORD_LENGTH = 60


def normalise_search_words(text: str, *, field: str = "search_words") -> str:
    """Staff's search words as stored: lower case, one space inside, no repeats, ", " between.

    Commas, semicolons or new lines separate them. A word with other characters, one longer than
    60 characters or more than 30 words is refused (ValidationError on the field)."""
    words: list[str] = []
    for part in re.split(r"[,;\n]", text or ""):
        word = " ".join(part.split()).lower()
        if not word:
            continue
        if len(word) > MAX_SEARCH_WORD_LENGTH:
            raise ValidationError(
                {
                    field: _("“%(word)s” is too long for a search word (at most %(max)s characters).")
                    % {"word": word[:20] + "…", "max": MAX_SEARCH_WORD_LENGTH}
                }
            )
        if not _SEARCH_WORD.fullmatch(word):
            raise ValidationError(
                {
                    field: _(
                        "“%(word)s”: a search word has letters and digits only (and spaces or hyphens "
                        "inside). Separate words with commas."
                    )
                    % {"word": word}
                }
            )
        if word not in words:
            words.append(word)
    if len(words) > MAX_SEARCH_WORDS:
        raise ValidationError({field: _("At most %(max)s search words.") % {"max": MAX_SEARCH_WORDS}})
    return ", ".join(words)


def search_word_list(text: str) -> list[str]:
    """The stored search words as a list (for the open-data keywords)."""
    return [w for w in (w.strip() for w in (text or "").split(",")) if w]


def _clean_search_words(fields: dict) -> None:
    for name in ("search_words", "search_words_en"):
        if name in fields:
            fields[name] = normalise_search_words(fields[name], field=name)


def _check_tenant(service: Service) -> None:
    errors = {}
    if service.area_id and service.area.municipality_id != service.municipality_id:
        errors["area"] = _("The service area belongs to another municipality.")
    if service.responsible_unit_id and service.responsible_unit.municipality_id != service.municipality_id:
        errors["responsible_unit"] = _("The unit belongs to another municipality.")
    if errors:
        raise ValidationError(errors)


def _replace_promises(description: ServiceDescription, promises: list[dict], user) -> None:
    kinds = [p["kind"] for p in promises]
    if len(kinds) != len(set(kinds)):
        raise ValidationError({"promises": _("A description has at most one promise of each kind.")})
    for old in description.promises.all():
        _as_user(old, user).delete()
    for data in promises:
        promise = Promise(description=description, **{k: data.get(k) for k in PROMISE_FIELDS if k in data})
        promise.full_clean(exclude=["description"])
        _as_user(promise, user).save()


@transaction.atomic
def create_service(*, municipality, description: dict, promises: list[dict] | None = None, user, **fields):
    """Create a service with its first draft description (and promises)."""
    unit = fields.get("responsible_unit")
    _require_edit(user, municipality.pk, unit.pk if unit is not None else None)
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown service fields: {sorted(unknown)}")
    fields["channels"] = validate_channels(fields.get("channels", []))
    _clean_search_words(fields)
    service = Service(municipality=municipality, **fields)
    service.full_clean()
    _check_tenant(service)
    _as_user(service, user).save()
    draft = ServiceDescription(
        service=service, version=1, created_by=user_of(user), **_description_data(description)
    )
    draft.full_clean()
    _as_user(draft, user).save()
    _replace_promises(draft, promises or [], user)
    return service


@transaction.atomic
def update_service(service: Service, *, user, **fields) -> Service:
    """Change the lasting settings of a service (area, unit, ladder level, channels, review date...)."""
    _require_edit(user, service.municipality_id, service.responsible_unit_id)
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown service fields: {sorted(unknown)}")
    if "channels" in fields:
        fields["channels"] = validate_channels(fields["channels"])
    _clean_search_words(fields)
    for name, value in fields.items():
        setattr(service, name, value)
    if "responsible_unit" in fields:  # handing the service to another unit: that unit too
        _require_edit(user, service.municipality_id, service.responsible_unit_id)
    service.full_clean()
    _check_tenant(service)
    _as_user(service, user).save()
    # The search words are in the vector (PostgreSQL; a form has already set them on the instance,
    # so whether they changed is not known here: one UPDATE of one row either way).
    refresh_search_vector(service)
    return service


def _description_data(data: dict) -> dict:
    return {k: data[k] for k in DESCRIPTION_FIELDS if k in data and data[k] is not None}


@transaction.atomic
def ensure_draft(service: Service, *, user) -> ServiceDescription:
    """The service's draft; when there is none, a new version copied from the newest one."""
    _require_edit(user, service.municipality_id, service.responsible_unit_id)
    service = Service.objects.select_for_update().get(pk=service.pk)
    draft = service.versions.filter(state=VersionState.DRAFT).first()
    if draft:
        return draft
    source = service.versions.order_by("-version").prefetch_related("promises").first()
    next_version = (service.versions.aggregate(v=Max("version"))["v"] or 0) + 1
    draft = ServiceDescription(service=service, version=next_version, created_by=user_of(user))
    promises = []
    if source:
        for name in DESCRIPTION_FIELDS:
            setattr(draft, name, getattr(source, name))
        promises = [{k: getattr(p, k) for k in PROMISE_FIELDS} for p in source.promises.all()]
    _as_user(draft, user).save()
    _replace_promises(draft, promises, user)
    return draft


@transaction.atomic
def save_draft(draft: ServiceDescription, *, description: dict, promises: list[dict] | None = None, user):
    """Change a draft's text and (when given) replace its promises. Published versions are read-only."""
    service = draft.service
    _require_edit(user, service.municipality_id, service.responsible_unit_id)
    VERSION_WORKFLOW.lock(draft)
    VERSION_WORKFLOW.apply(draft, workflow.EDIT)  # only a draft is edited; TransitionRefused otherwise
    for name, value in _description_data(description).items():
        setattr(draft, name, value)
    draft.full_clean()
    _as_user(draft, user).save()
    if promises is not None:
        _replace_promises(draft, promises, user)
    return draft


@transaction.atomic
def publish(draft: ServiceDescription, *, user) -> ServiceDescription:
    """Publish a draft: the previous published version is archived, the portal shows the new one."""
    service = draft.service
    _require_edit(user, service.municipality_id, service.responsible_unit_id)
    service = SERVICE_WORKFLOW.lock(service, reload=True)
    VERSION_WORKFLOW.lock(draft)
    draft.refresh_from_db()  # the row is locked: the text as it is now
    VERSION_WORKFLOW.apply(draft, workflow.PUBLISH)  # only a draft is published; TransitionRefused otherwise
    SERVICE_WORKFLOW.apply(service, workflow.PUBLISH)
    draft.full_clean()
    _archive_published(service, user)
    draft.published_at = timezone.now()
    draft.published_by = user_of(user)
    _as_user(draft, user).save()
    service.published_version = draft
    today = timezone.localdate()
    if not service.review_due or service.review_due <= today:
        service.review_due = today + REVIEW_INTERVAL
    _denormalise(service, draft)
    _as_user(service, user).save()
    refresh_search_vector(service)
    return draft


def _archive_published(service: Service, user) -> None:
    """The published version is archived when a newer one is published or the service is withdrawn."""
    for old in service.versions.filter(state=VersionState.PUBLISHED):
        VERSION_WORKFLOW.lock(old)
        VERSION_WORKFLOW.apply(old, workflow.ARCHIVE, internal=True)
        _as_user(old, user).save(update_fields=["state"])


@transaction.atomic
def withdraw(service: Service, *, user) -> Service:
    """Take a service off the portal; its versions are kept (the published one is archived)."""
    _require_edit(user, service.municipality_id, service.responsible_unit_id)
    service = SERVICE_WORKFLOW.lock(service, reload=True)
    SERVICE_WORKFLOW.apply(service, workflow.WITHDRAW)
    _archive_published(service, user)
    service.published_version = None
    _as_user(service, user).save()
    return service


@transaction.atomic
def mark_reviewed(service: Service, *, next_review: date | None = None, user) -> Service:
    """Record that the description was reviewed; the next review is due in a year unless given."""
    _require_edit(user, service.municipality_id, service.responsible_unit_id)
    today = timezone.localdate()
    next_review = next_review or today + REVIEW_INTERVAL
    if next_review <= today:
        raise ValidationError({"review_due": _("The next review must be a date in the future.")})
    service.review_due = next_review
    _as_user(service, user).save(update_fields=["review_due", "updated_at"])
    return service


def _denormalise(service: Service, description: ServiceDescription) -> None:
    service.name = description.name
    service.summary = description.summary
    service.search_text = "\n".join(
        str(getattr(description, f) or "")
        for f in ("name", "summary", "content", "target_group", "user_actions", "price", "legal_basis")
    ).lower()
    service.search_text += "\n" + "\n".join(n.lower() for n in (service.area.name, service.area.name_en) if n)


def search_vector():
    """The stored vector's expression (PostgreSQL): name and search words weigh most (A), then the
    summary (B), then the rest of the published text (C)."""
    return (
        SearchVector("name", weight="A", config=SEARCH_CONFIG)
        + SearchVector("search_words", weight="A", config=SEARCH_CONFIG)
        + SearchVector("search_words_en", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector("search_text", weight="C", config=SEARCH_CONFIG)
    )


def refresh_search_vector(service: Service) -> None:
    """Rebuild the stored full-text vector (PostgreSQL only; SQLite's FTS5 index follows the row by
    triggers, catalogue/sql.py)."""
    if not is_postgresql():
        return
    published = Service.objects.filter(pk=service.pk, published_version__isnull=False).exists()
    Service.objects.filter(pk=service.pk).update(search_vector=search_vector() if published else None)


def refresh_search_vectors(queryset) -> int:
    """Rebuild the vectors of many services in one statement (bulk loads; PostgreSQL only)."""
    if not is_postgresql():
        return 0
    return queryset.filter(published_version__isnull=False).update(search_vector=search_vector())
