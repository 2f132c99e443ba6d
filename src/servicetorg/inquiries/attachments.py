"""Attachments on inquiries: an upload checked by its content, and the form field that takes them.

An upload is accepted when its content is one of ``ATTACHMENT_TYPES`` (JPEG, PNG, WebP images opened
and decoded by Pillow; PDF by its signature and end marker), whatever its name or the content type
the browser sent. Images are re-encoded, which drops their metadata (EXIF: GPS position, camera,
time) and keeps the picture (turned upright by its EXIF orientation first). The name is kept only
for display, cleaned; the stored file gets a random name (models.attachment_path).

Every refusal is one message per file on the field, in the user's language, plus a reminder that a
browser cannot keep a chosen file when the form comes back: nothing of a refused form is stored.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from PIL import Image, ImageOps, UnidentifiedImageError

from servicetorg.core.uploads import has_path_mark

#: Detected kind → (content type, file extension, Pillow format).
KINDS = {
    "jpeg": ("image/jpeg", ".jpg", "JPEG"),
    "png": ("image/png", ".png", "PNG"),
    "webp": ("image/webp", ".webp", "WEBP"),
    "pdf": ("application/pdf", ".pdf", ""),
}
_PILLOW_KINDS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "MPO": "jpeg"}  # MPO: phones' JPEG
_IMAGE_SUFFIXES = {
    ".jpg",
    ".jpeg",
    ".jpe",
    ".png",
    ".webp",
    ".gif",
    ".heic",
    ".heif",
    ".bmp",
    ".tif",
    ".tiff",
}
_NAME_UNSAFE = re.compile(r"[^\w .,()+-]+")

REMINDER = _("Files are not kept when the form is shown again: choose the files again.")


@dataclass(frozen=True)
class CheckedFile:
    """An accepted upload: its cleaned display name and the bytes to store."""

    name: str
    content: bytes
    content_type: str
    kind: str

    @property
    def size(self) -> int:
        return len(self.content)


def display_name(raw: str, kind: str) -> str:
    """The name shown for a file: no path, no control or odd characters, at most 100 characters,
    and the extension of what the file is (a PNG sent as ``x.html`` is shown as ``x.png``)."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    stem = PurePosixPath(name).stem if "." in name else name
    stem = _NAME_UNSAFE.sub("_", stem).strip(" ._") or "vedlegg"
    return f"{stem[:90]}{KINDS[kind][1]}"


def _mb(size: int) -> str:
    """Megabytes with at most one decimal, written the active language's way (10, 10,5 / 10.5)."""
    value = round(size / 1_048_576, 1)
    return number_format(int(value) if value == int(value) else value)


def _claims(upload, name: str) -> str:
    """What the name or the browser says the file is: "image", "pdf" or ""."""
    suffix = PurePosixPath(name.lower()).suffix
    content_type = (getattr(upload, "content_type", "") or "").lower()
    if suffix in _IMAGE_SUFFIXES or content_type.startswith("image/"):
        return "image"
    if suffix == ".pdf" or content_type == "application/pdf":
        return "pdf"
    return ""


def check_upload(upload) -> CheckedFile:
    """An upload as a :class:`CheckedFile`, or ValidationError with one message naming the file."""
    raw = upload.name or ""
    shown = raw.lstrip("\\") or "?"
    if has_path_mark(raw) or "/" in raw or "\\" in raw or not raw.isprintable() or raw.strip(". ") == "":
        raise ValidationError(
            _(
                "The name of “%(name)s” came with a folder path or characters that are not allowed "
                "(/ \\ or control characters). Rename the file and choose it again."
            ),
            code="file_name",
            params={"name": shown},
        )
    limit = settings.ATTACHMENT_MAX_SIZE
    if getattr(upload, "oversized", False) or (upload.size or 0) > limit:
        raise ValidationError(
            _("“%(name)s” is too large (%(size)s MB). The limit is %(limit)s MB per file."),
            code="file_too_large",
            params={"name": shown, "size": _mb(upload.size or 0), "limit": _mb(limit)},
        )
    upload.seek(0)
    data = upload.read()
    if not data:
        raise ValidationError(_("“%(name)s” is empty."), code="file_empty", params={"name": shown})
    kind, content = _content_kind(data)
    if kind == "too_many_pixels":
        raise ValidationError(
            _(
                "“%(name)s” has too many pixels (at most %(max)s megapixels per picture). "
                "Send a smaller picture."
            ),
            code="file_too_many_pixels",
            params={"name": shown, "max": settings.ATTACHMENT_MAX_PIXELS // 1_000_000},
        )
    if kind is None or kind not in settings.ATTACHMENT_TYPES:
        claims = _claims(upload, raw)
        if claims == "image" and kind is None:
            raise ValidationError(
                _(
                    "“%(name)s” is named or sent as an image, but its content is not an image we can "
                    "read. The file may be damaged or of another kind."
                ),
                code="file_not_image",
                params={"name": shown},
            )
        if claims == "pdf" and kind is None:
            raise ValidationError(
                _("“%(name)s” is named or sent as a PDF, but its content is not a readable PDF."),
                code="file_not_pdf",
                params={"name": shown},
            )
        raise ValidationError(
            _("“%(name)s” is not a file type we accept. Send photos (JPEG, PNG, WebP) or PDF documents."),
            code="file_type",
            params={"name": shown},
        )
    return CheckedFile(name=display_name(raw, kind), content=content, content_type=KINDS[kind][0], kind=kind)


def _content_kind(data: bytes) -> tuple[str | None, bytes]:
    """What the bytes are (a key of :data:`KINDS`, "too_many_pixels", or None) and what to store."""
    if data[:1024].lstrip(b"\x00\t\n\r ").startswith(b"%PDF-"):
        return ("pdf", data) if b"%%EOF" in data[-2048:] else (None, data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = _PILLOW_KINDS.get(probe.format or "")
                if kind is None:
                    return "other", data
                if probe.width * probe.height > settings.ATTACHMENT_MAX_PIXELS:
                    return "too_many_pixels", data
                if decode_bytes(probe.width, probe.height) > settings.ATTACHMENT_MAX_DECODE_BYTES:
                    return "too_many_pixels", data
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                return kind, _reencoded(image, kind)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return "too_many_pixels", data
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return None, data


def decode_bytes(width: int, height: int) -> int:
    """The memory decoding an image of this size takes at most: Pillow keeps 4 bytes a pixel (RGB
    and RGBA alike), and turning it upright or converting it makes a second copy."""
    return width * height * 4 * 2


def header_pixels(upload) -> int:
    """The pixels an uploaded image declares in its header (0 for anything else), read without
    decoding: Pillow's ``open`` reads the header only."""
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                return probe.width * probe.height
    except Image.DecompressionBombError:
        return settings.ATTACHMENT_MAX_REQUEST_PIXELS + 1
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return 0
    finally:
        upload.seek(0)


def _reencoded(image: Image.Image, kind: str) -> bytes:
    """The picture alone: upright, without EXIF, XMP or text chunks (position, camera, time)."""
    upright = ImageOps.exif_transpose(image)  # decodes the whole image: a broken one raises here
    options: dict = {}
    icc = image.info.get("icc_profile")
    if icc:
        options["icc_profile"] = icc  # colours, not personal data
    if kind == "jpeg":
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        options.update(quality=90, optimize=True)
    elif kind == "webp":
        options.update(quality=90)
    out = io.BytesIO()
    upright.save(out, format=KINDS[kind][2], **options)
    return out.getvalue()


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to ``ATTACHMENT_MAX_FILES`` files, each checked by :func:`check_upload`; cleans to a list of
    :class:`CheckedFile`. All or nothing: one bad file refuses the form (nothing is stored)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attach files (optional)"))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault(
            "accept", ".jpg,.jpeg,.png,.webp,.pdf,image/jpeg,image/png,image/webp,application/pdf"
        )

    @property
    def limits_text(self) -> str:
        return ngettext(
            "Photos (JPEG, PNG, WebP) or PDF, up to %(files)s file of at most %(size)s MB.",
            "Photos (JPEG, PNG, WebP) or PDF, up to %(files)s files of at most %(size)s MB each.",
            settings.ATTACHMENT_MAX_FILES,
        ) % {"files": settings.ATTACHMENT_MAX_FILES, "size": _mb(settings.ATTACHMENT_MAX_SIZE)}

    def clean(self, data, initial=None):
        uploads = [u for u in (data if isinstance(data, list | tuple) else [data]) if u]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        errors: list[ValidationError] = []
        if len(uploads) > settings.ATTACHMENT_MAX_FILES:
            errors.append(
                ValidationError(
                    ngettext(
                        "You chose %(count)s files; send at most %(max)s file at a time.",
                        "You chose %(count)s files; send at most %(max)s files at a time.",
                        settings.ATTACHMENT_MAX_FILES,
                    ),
                    code="too_many_files",
                    params={"count": len(uploads), "max": settings.ATTACHMENT_MAX_FILES},
                )
            )
        if errors:
            errors.append(ValidationError(REMINDER, code="choose_again"))
            raise ValidationError(errors)
        if sum(header_pixels(upload) for upload in uploads) > settings.ATTACHMENT_MAX_REQUEST_PIXELS:
            # Bounded before any image is decoded: the pixels of all the pictures together.
            raise ValidationError(
                [
                    ValidationError(
                        _(
                            "The pictures together have too many pixels (at most %(max)s megapixels in "
                            "one submission). Send fewer or smaller pictures, or send them one at a time."
                        ),
                        code="too_many_pixels_in_request",
                        params={"max": settings.ATTACHMENT_MAX_REQUEST_PIXELS // 1_000_000},
                    ),
                    ValidationError(REMINDER, code="choose_again"),
                ]
            )
        checked = []
        for upload in uploads:
            try:
                checked.append(check_upload(upload))
            except ValidationError as error:
                errors.append(error)
        if errors:
            errors.append(ValidationError(REMINDER, code="choose_again"))
            raise ValidationError(errors)
        return checked


class AttachmentsFormMixin:
    """A form with an ``attachments`` field: its help text names the limits, and when the form comes
    back with an error elsewhere it reminds that the chosen files must be chosen again."""

    def _init_attachments(self) -> None:
        field = cast(forms.Form, self).fields["attachments"]
        field.help_text = field.limits_text  # type: ignore[attr-defined]

    def full_clean(self):
        super().full_clean()  # type: ignore[misc]
        form = cast(forms.Form, self)
        dropped = form.is_bound and form.files.getlist(form.add_prefix("attachments"))
        if dropped and form.errors and "attachments" not in form.errors:
            field = form.fields["attachments"]
            field.help_text = f"{REMINDER} {field.limits_text}"  # type: ignore[attr-defined]
            form["attachments"].help_text = field.help_text  # the bound field copied it already
