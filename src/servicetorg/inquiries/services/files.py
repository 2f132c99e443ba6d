"""Attachments: files stored on a case (checked by attachments.check_upload), Open311 media links,
and the sweep of files no row names."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from servicetorg.core import permissions as core_permissions
from servicetorg.core.permissions import CITIZEN, user_of

from ..attachments import CheckedFile
from ..models import Attachment, AttachmentSource, Inquiry, InquiryMessage, MessageKind
from .base import _log, _require_system, _require_work


@transaction.atomic
def add_attachments(
    inquiry: Inquiry,
    files: Sequence[CheckedFile],
    *,
    user,
    source: str,
    message: InquiryMessage | None = None,
) -> list[Attachment]:
    """Store checked files (attachments.check_upload) on ``inquiry``. Staff need the right to work on
    it; CITIZEN is the citizen on her own intake or case link, which the caller has checked. With
    ``message`` the files belong to that message (the citizen's text, a reply)."""
    core_permissions.check_actor(user)
    if user is not CITIZEN:
        _require_work(user, inquiry)
    return _store_attachments(inquiry, files, user=user, source=source, message=message)


def _store_attachments(
    inquiry: Inquiry, files: Sequence[CheckedFile], *, user, source: str, message: InquiryMessage | None
) -> list[Attachment]:
    """Write the files and their rows in the caller's transaction, and log them in the case's message
    log (an event, with who and when). Should anything here fail, the files written are deleted."""
    if not files:
        return []
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        raise ValidationError(
            {
                "attachments": _("Send at most %(max)s files at a time.")
                % {"max": settings.ATTACHMENT_MAX_FILES}
            }
        )
    written: list[str] = []
    saved: list[Attachment] = []
    try:
        with transaction.atomic():
            for checked in files:
                attachment = Attachment(
                    municipality_id=inquiry.municipality_id,
                    inquiry=inquiry,
                    message=message,
                    source=source,
                    name=checked.name,
                    content_type=checked.content_type,
                    size=checked.size,
                    author=user_of(user),
                )
                attachment.file.save("upload", ContentFile(checked.content), save=False)
                written.append(attachment.file.name)
                attachment.save()
                saved.append(attachment)
            names = ", ".join(f"{a.name} ({filesizeformat(a.size)})" for a in saved)
            _log(inquiry, MessageKind.EVENT, _("Attachments added: %(names)s") % {"names": names}, user)
    except BaseException:
        storage = Attachment._meta.get_field("file").storage  # type: ignore[union-attr]
        for name in written:
            storage.delete(name)
        raise
    return saved


def sweep_orphan_files(*, user, older_than: timedelta = timedelta(hours=24)) -> int:
    """Delete attachment files that no row names, older than ``older_than`` (younger ones may belong to
    a transaction still running). Such a file is left only when a transaction that wrote it rolled
    back after :func:`_store_attachments` returned; it is never served, and this removes it.
    Returns the number of files deleted. The platform's own (``SYSTEM``) operation."""
    _require_system(user)
    storage = Attachment._meta.get_field("file").storage  # type: ignore[union-attr]
    cutoff = timezone.now() - older_than
    deleted = 0
    try:
        folders, _files = storage.listdir("")
    except FileNotFoundError:
        return 0
    for folder in folders:
        names = [f"{folder}/{name}" for name in storage.listdir(folder)[1]]
        known = set(Attachment.objects.filter(file__in=names).values_list("file", flat=True))
        for name in names:
            if name not in known and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                deleted += 1
    return deleted


def add_media_link(inquiry: Inquiry, url: str, *, user) -> Attachment:
    """An Open311 client's ``media_url``: kept as a link, never fetched (no request to an address a
    client chose leaves the server)."""
    core_permissions.check_actor(user)
    if user is not CITIZEN:
        _require_work(user, inquiry)
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise ValidationError({"media_url": _("The media_url must be an http or https address.")}) from error
    if len(url) > 500:
        raise ValidationError({"media_url": _("The media_url may be at most 500 characters.")})
    name = (url.rsplit("/", 1)[-1].split("?", 1)[0] or url)[:120]
    attachment = Attachment.objects.create(
        municipality_id=inquiry.municipality_id,
        inquiry=inquiry,
        source=AttachmentSource.OPEN311,
        media_url=url,
        name=name,
        author=user_of(user),
    )
    _log(inquiry, MessageKind.EVENT, _("Media link added: %(url)s") % {"url": url}, user)
    return attachment
