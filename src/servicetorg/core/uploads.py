"""Uploaded files at the edge: a size bound while the body streams in, and names as the client sent them.

* :class:`BoundedTemporaryFileUploadHandler` (``FILE_UPLOAD_HANDLERS``) stops keeping a file once it
  passes the largest size any form accepts (``FILE_UPLOAD_MAX_SIZE``, ``ATTACHMENT_MAX_SIZE``): the
  rest is counted, not written, and the form gets an :class:`OversizedUpload` of the full size and no
  content, so its validator says "too large" next to the field with the rest of the form kept.
* :func:`install_name_check` (called by ``EdgeValidationMiddleware``): Django's parser cuts a sent
  file name down to its last path part and drops unprintable characters silently. Uploads are never
  stored under the sent name (attachments get a random one), but a name with a path is a sign of a
  crafted client, and the issue asks for a message: such a name reaches the form marked with
  :data:`PATH_MARK` in front, which the validators refuse.
"""

from __future__ import annotations

import html
import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.utils.datastructures import ImmutableList

#: Put in front of a file name that came with a path or unprintable characters (a backslash: it
#: survives ``os.path.basename`` on POSIX, and no validated name may contain it).
PATH_MARK = "\\"


def largest_file_size() -> int:
    """The largest file any form of the platform accepts."""
    return max(settings.FILE_UPLOAD_MAX_SIZE, getattr(settings, "ATTACHMENT_MAX_SIZE", 0))


class OversizedUpload(UploadedFile):
    """A file that was larger than :func:`largest_file_size`: its name and size, no content."""

    oversized = True

    def __init__(self, name, content_type, size, charset=None):
        super().__init__(io.BytesIO(b""), name, content_type, size, charset)


class BoundedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's handler for large requests, keeping no more than :func:`largest_file_size` of a file."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.oversized = False
        self.limit = largest_file_size()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.oversized or self.received > self.limit:
            if not self.oversized:
                self.oversized = True
                self.file.seek(0)
                self.file.truncate()
            return None
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        if self.oversized:
            self.file.close()  # a temporary file: closing deletes it
            return OversizedUpload(self.file_name, self.content_type, file_size, self.charset)
        return super().file_complete(file_size)


class NameCheckingParser(MultiPartParser):
    def sanitize_file_name(self, file_name):
        clean = super().sanitize_file_name(file_name)
        if clean is None or clean != html.unescape(file_name):
            return PATH_MARK + (clean or "")
        return clean


def install_name_check(request) -> None:
    """Parse this request's multipart body with :class:`NameCheckingParser` (before anything reads it)."""

    def parse_file_upload(META, post_data):
        request.upload_handlers = ImmutableList(
            request.upload_handlers,
            warning="You cannot alter upload handlers after the upload has been processed.",
        )
        return NameCheckingParser(META, post_data, request.upload_handlers, request.encoding).parse()

    request.parse_file_upload = parse_file_upload


def has_path_mark(name: str) -> bool:
    return name.startswith(PATH_MARK)
